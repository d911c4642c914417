import { ProviderError } from '@nimbus/kernel/plugin';
import { header } from '../swift/http-request.js';
import type { Authenticator, SwiftCredentials } from './credentials.js';
import { identityUrl, postIdentity } from './identity-http.js';
import { endpointsFromV3, selectEndpoint, type EndpointInterface } from './service-catalog.js';
import { localExpiry } from './token-lifetime.js';

export interface AuthV3Options {
  readonly authUrl: string;
  /** Password method: user name (or id) and password. */
  readonly user?: string;
  readonly userId?: string;
  readonly password?: string;
  readonly userDomain?: string;
  /** Scope: project by id, or by name within projectDomain. Optional (unscoped tokens carry no catalog). */
  readonly project?: string;
  readonly projectId?: string;
  readonly projectDomain?: string;
  /** Application credential method (already scoped to a project). */
  readonly applicationCredentialId?: string;
  readonly applicationCredentialName?: string;
  readonly applicationCredentialSecret?: string;
  readonly region?: string;
  readonly interface: EndpointInterface;
  readonly storageUrlOverride?: string;
}

/** Identity v3: POST <authUrl>/auth/tokens; the token comes in X-Subject-Token. */
export class AuthV3 implements Authenticator {
  readonly description: string;
  constructor(private readonly options: AuthV3Options) {
    const who = options.applicationCredentialId ?? options.applicationCredentialName ?? options.user ?? options.userId ?? '?';
    this.description = `Identity v3 at ${options.authUrl} as ${who}`;
  }

  requestBody(): unknown {
    const o = this.options;
    if (o.applicationCredentialSecret !== undefined) {
      const credential: Record<string, unknown> = { secret: o.applicationCredentialSecret };
      if (o.applicationCredentialId) credential.id = o.applicationCredentialId;
      else {
        credential.name = o.applicationCredentialName;
        credential.user = o.userId ? { id: o.userId } : { name: o.user, domain: { name: o.userDomain ?? 'Default' } };
      }
      // Application credentials carry their own project scope; a scope here is refused.
      return { auth: { identity: { methods: ['application_credential'], application_credential: credential } } };
    }
    const user = o.userId ? { id: o.userId, password: o.password } : { name: o.user, domain: { name: o.userDomain ?? 'Default' }, password: o.password };
    const body: Record<string, any> = { auth: { identity: { methods: ['password'], password: { user } } } };
    if (o.projectId) body.auth.scope = { project: { id: o.projectId } };
    else if (o.project) body.auth.scope = { project: { name: o.project, domain: { name: o.projectDomain ?? o.userDomain ?? 'Default' } } };
    return body;
  }

  async authenticate(): Promise<SwiftCredentials> {
    const o = this.options;
    const url = /\/auth\/tokens\/?$/.test(o.authUrl) ? o.authUrl : identityUrl(o.authUrl, 'auth/tokens');
    const { response, json } = await postIdentity(url, this.requestBody(), 'Identity v3');
    const token = header(response, 'x-subject-token');
    if (!token) throw new ProviderError('invalid', 'Identity v3: the answer holds no X-Subject-Token; is the auth URL an Identity v3 URL?');
    const expiresAt = localExpiry(json?.token?.expires_at, json?.token?.issued_at, Date.now());
    const storageUrl = o.storageUrlOverride ?? selectEndpoint(endpointsFromV3(json?.token?.catalog ?? []), o.region, o.interface);
    return { token, storageUrl, ...(expiresAt === undefined ? {} : { expiresAt }) };
  }
}
