import { ProviderError } from '@nimbus/kernel/plugin';
import type { Authenticator, SwiftCredentials } from './credentials.js';
import { identityUrl, postIdentity } from './identity-http.js';
import { localExpiry } from './token-lifetime.js';
import { endpointsFromV2, selectEndpoint, type EndpointInterface } from './service-catalog.js';

export interface AuthV2Options {
  readonly authUrl: string;
  readonly user: string;
  readonly password: string;
  readonly tenantName?: string;
  readonly tenantId?: string;
  readonly region?: string;
  readonly interface: EndpointInterface;
  readonly storageUrlOverride?: string;
}

/** Identity v2.0: POST <authUrl>/tokens with passwordCredentials, tenant optional. */
export class AuthV2 implements Authenticator {
  readonly description: string;
  constructor(private readonly options: AuthV2Options) {
    this.description = `Identity v2 at ${options.authUrl} as ${options.user}`;
  }

  async authenticate(): Promise<SwiftCredentials> {
    const o = this.options;
    const auth: Record<string, unknown> = { passwordCredentials: { username: o.user, password: o.password } };
    if (o.tenantId) auth.tenantId = o.tenantId;
    else if (o.tenantName) auth.tenantName = o.tenantName;
    const url = /\/tokens\/?$/.test(o.authUrl) ? o.authUrl : identityUrl(o.authUrl, 'tokens');
    const { json } = await postIdentity(url, { auth }, 'Identity v2');
    const token = json?.access?.token?.id;
    if (typeof token !== 'string') throw new ProviderError('invalid', 'Identity v2: the answer holds no token; is the auth URL an Identity v2.0 URL?');
    const expiresAt = localExpiry(json.access.token.expires, json.access.token.issued_at, Date.now());
    const storageUrl = o.storageUrlOverride ?? selectEndpoint(endpointsFromV2(json.access.serviceCatalog), o.region, o.interface);
    return { token, storageUrl, ...(expiresAt === undefined ? {} : { expiresAt }) };
  }
}
