import { ProviderError } from '@nimbus/kernel/plugin';
import { drain, header, httpRequest, type HttpResponse } from '../swift/http-request.js';
import { networkError, statusError } from '../swift/swift-errors.js';
import type { Authenticator, SwiftCredentials } from './credentials.js';

/** Auth v1 (tempauth, swauth, Rackspace legacy): GET the auth URL with X-Auth-User/X-Auth-Key. */
export class AuthV1 implements Authenticator {
  readonly description: string;
  constructor(private readonly authUrl: string, private readonly user: string, private readonly key: string, private readonly storageUrlOverride?: string) {
    this.description = `auth v1 at ${authUrl} as ${user}`;
  }

  async authenticate(): Promise<SwiftCredentials> {
    let response: HttpResponse;
    try {
      response = await httpRequest({ method: 'GET', url: this.authUrl, headers: { 'X-Auth-User': this.user, 'X-Auth-Key': this.key } });
    } catch (error) {
      throw networkError(error, 'auth v1');
    }
    await drain(response);
    if (response.status === 401 || response.status === 403) {
      throw new ProviderError('auth', `auth v1: ${this.authUrl} refused user "${this.user}" (HTTP ${response.status}); check user and key`);
    }
    if (response.status < 200 || response.status >= 300) throw statusError(response.status, 'auth v1', '', header(response, 'retry-after'));
    const token = header(response, 'x-auth-token') ?? header(response, 'x-storage-token');
    const storageUrl = this.storageUrlOverride ?? header(response, 'x-storage-url');
    if (!token || !storageUrl) throw new ProviderError('invalid', `auth v1: ${this.authUrl} gave no token or storage URL; is it an auth v1 URL?`);
    const expiresIn = Number(header(response, 'x-auth-token-expires'));
    return { token, storageUrl, ...(Number.isFinite(expiresIn) && expiresIn > 0 ? { expiresAt: Date.now() + expiresIn * 1000 } : {}) };
  }
}
