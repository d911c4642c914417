import { UserError } from '@nimbus/kernel/plugin';
import type { S3Config } from './config.js';

export const DEFAULT_REGION = 'us-east-1';

export interface ResolvedEndpoint {
  /** Endpoint URL for the SDK; undefined lets the SDK pick Amazon's for the region. */
  readonly url: string | undefined;
  /** Secret-free host (and port) naming the service, for describeLocation and messages. */
  readonly host: string;
  readonly https: boolean;
}

const HTTPS_NOTE = 'https encrypts the connection, not the files';

/**
 * Where requests go, and over what. Plain http is used only when the settings ask for it
 * (useHttps: false); an http:// endpoint without that is refused before any request.
 */
export function resolveEndpoint(config: Pick<S3Config, 'endpoint' | 'useHttps' | 'region'>): ResolvedEndpoint {
  const region = config.region ?? DEFAULT_REGION;
  if (config.endpoint === undefined) {
    const host = `s3.${region}.amazonaws.com`;
    return config.useHttps ? { url: undefined, host, https: true } : { url: `http://${host}`, host, https: false };
  }
  const given = config.endpoint.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(given) ? given : `${config.useHttps ? 'https' : 'http'}://${given}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UserError(`endpoint "${redactUrl(given)}" is not a URL: write it like https://s3.example.com or http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UserError(`endpoint "${url.host}" uses ${url.protocol.slice(0, -1)}: write it as an https:// (or, with useHttps: false, http://) URL`);
  }
  const https = url.protocol === 'https:';
  if (!https && config.useHttps) {
    throw new UserError(`endpoint "http://${url.host}" is plain http: set useHttps: false to allow it, or use an https:// endpoint (${HTTPS_NOTE})`);
  }
  if (https && !config.useHttps) {
    throw new UserError(`endpoint "https://${url.host}" is https but useHttps is false: remove useHttps: false, or give an http:// endpoint (${HTTPS_NOTE})`);
  }
  // Credentials in a URL would be logged with it; the SDK takes keys from the settings instead.
  url.username = '';
  url.password = '';
  return { url: url.toString().replace(/\/$/, ''), host: url.host, https };
}

/** A URL as text with any user:password@ part removed. */
function redactUrl(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//');
}
