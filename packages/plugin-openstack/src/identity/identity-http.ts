import { ProviderError } from '@nimbus/kernel/plugin';
import { httpRequest, readBody, header, type HttpResponse } from '../swift/http-request.js';
import { networkError, statusError } from '../swift/swift-errors.js';

/** POSTs JSON to an Identity endpoint; 401/403 become 'auth' errors that never echo the credentials. */
export async function postIdentity(url: string, body: unknown, what: string): Promise<{ response: HttpResponse; json: any }> {
  let response: HttpResponse;
  try {
    response = await httpRequest({
      method: 'POST',
      url,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw networkError(error, what);
  }
  const text = (await readBody(response)).toString('utf8');
  if (response.status === 401 || response.status === 403) {
    throw new ProviderError('auth', `${what}: the Identity service refused the credentials (HTTP ${response.status}); check user, key/password, tenant/project and domain`);
  }
  if (response.status < 200 || response.status >= 300) throw statusError(response.status, what, text, header(response, 'retry-after'));
  try {
    return { response, json: JSON.parse(text) };
  } catch {
    throw new ProviderError('invalid', `${what}: the Identity service answered with something that is not JSON; is the auth URL right?`);
  }
}

/** Joins an Identity base URL (with or without a trailing slash) and a path. */
export function identityUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path}`;
}
