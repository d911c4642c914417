import * as oauth from 'oauth4webapi';
import { describeError, ProviderError, UserError } from '../errors/nimbus-error.js';
import type { AccountSecrets } from './account-secrets.js';
import type { OAuthEndpoints } from './oauth-declaration.js';

/** A device authorization (RFC 8628 §3.2): what the person types, where, and for how long. */
export interface DeviceAuthorization {
  readonly deviceCode: string;
  readonly userCode: string;
  readonly verificationUri: string;
  readonly verificationUriComplete?: string;
  readonly expiresInSeconds: number;
  readonly intervalSeconds: number;
}

/** The provider refused a grant (RFC 6749 §5.2 error code, e.g. invalid_grant). */
export class GrantRefusedError extends Error {
  override readonly name = 'GrantRefusedError';
  constructor(readonly error: string, readonly description?: string) {
    super(`the provider refused: ${error}${description ? ` (${description})` : ''}`);
  }
}

/** An authorization server that has not answered within this is treated as a passing network fault. */
const REQUEST_TIMEOUT_MS = 30_000;

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

/**
 * One user's OAuth client at one provider's authorization server, through oauth4webapi.
 * Plain http is accepted only for loopback endpoints (a local test server); real providers
 * are https.
 */
export class OAuthClient {
  private readonly server: oauth.AuthorizationServer;
  private readonly client: oauth.Client;
  private readonly auth: oauth.ClientAuth;

  constructor(readonly endpoints: OAuthEndpoints, clientId: string, clientSecret: string | undefined) {
    this.server = {
      issuer: new URL(endpoints.token).origin,
      authorization_endpoint: endpoints.authorization,
      token_endpoint: endpoints.token,
      ...(endpoints.device ? { device_authorization_endpoint: endpoints.device } : {}),
      ...(endpoints.revocation ? { revocation_endpoint: endpoints.revocation } : {}),
      ...(endpoints.userinfo ? { userinfo_endpoint: endpoints.userinfo } : {}),
    };
    this.client = { client_id: clientId };
    this.auth = clientSecret ? oauth.ClientSecretPost(clientSecret) : oauth.None();
  }

  /** Per request: a time limit (a hung token endpoint must not hold the refresh lock forever), and http only on loopback. */
  private options(url: string): { [oauth.allowInsecureRequests]?: boolean; signal: () => AbortSignal } {
    const signal = () => AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    return isLoopbackUrl(url) ? { [oauth.allowInsecureRequests]: true, signal } : { signal };
  }

  /** The browser's sign-in address for this request (PKCE S256 unless turned off). */
  async authorizationUrl(request: { redirectUri: string; state: string; scopes: readonly string[]; codeVerifier?: string; extra?: Readonly<Record<string, string>> }): Promise<URL> {
    const url = new URL(this.endpoints.authorization);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.client.client_id);
    url.searchParams.set('redirect_uri', request.redirectUri);
    url.searchParams.set('state', request.state);
    if (request.scopes.length) url.searchParams.set('scope', request.scopes.join(' '));
    if (request.codeVerifier) {
      url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(request.codeVerifier));
      url.searchParams.set('code_challenge_method', 'S256');
    }
    for (const [key, value] of Object.entries(request.extra ?? {})) url.searchParams.set(key, value);
    return url;
  }

  /** Checks the redirect's state and error, then trades the code for tokens. */
  async exchangeCode(callback: URL, expected: { state: string; redirectUri: string; codeVerifier?: string }): Promise<AccountSecrets> {
    let parameters: URLSearchParams;
    try {
      parameters = oauth.validateAuthResponse(this.server, this.client, callback, expected.state);
    } catch (error) {
      if (error instanceof oauth.AuthorizationResponseError) {
        if (error.error === 'access_denied') throw new UserError('consent was denied in the browser: nothing was linked; run the command again and allow access');
        throw new UserError(`the provider refused the sign-in: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`);
      }
      throw new UserError(`the sign-in answer was not valid (${describeError(error)}): run the command again`);
    }
    return this.tokenCall(() =>
      oauth.authorizationCodeGrantRequest(this.server, this.client, this.auth, parameters, expected.redirectUri, expected.codeVerifier ?? oauth.nopkce, this.options(this.endpoints.token)),
      (response) => oauth.processAuthorizationCodeResponse(this.server, this.client, response),
    );
  }

  /** A new access token (and, where the provider rotates them, a new refresh token). */
  refresh(refreshToken: string): Promise<AccountSecrets> {
    return this.tokenCall(() =>
      oauth.refreshTokenGrantRequest(this.server, this.client, this.auth, refreshToken, this.options(this.endpoints.token)),
      (response) => oauth.processRefreshTokenResponse(this.server, this.client, response),
    );
  }

  async startDeviceAuthorization(scopes: readonly string[]): Promise<DeviceAuthorization> {
    const endpoint = this.endpoints.device;
    if (!endpoint) throw new UserError('this provider offers no device-code sign-in: use the browser sign-in (or --no-browser)');
    const response = await this.send(() => oauth.deviceAuthorizationRequest(this.server, this.client, this.auth, { scope: scopes.join(' ') }, this.options(endpoint)));
    const answer = await this.process(() => oauth.processDeviceAuthorizationResponse(this.server, this.client, response));
    return {
      deviceCode: answer.device_code,
      userCode: answer.user_code,
      verificationUri: answer.verification_uri,
      ...(answer.verification_uri_complete ? { verificationUriComplete: answer.verification_uri_complete } : {}),
      expiresInSeconds: answer.expires_in,
      intervalSeconds: answer.interval ?? 5,
    };
  }

  /** One poll of the token endpoint for a device code; refusals such as authorization_pending are GrantRefusedErrors. */
  pollDeviceCode(deviceCode: string): Promise<AccountSecrets> {
    return this.tokenCall(() =>
      oauth.deviceCodeGrantRequest(this.server, this.client, this.auth, deviceCode, this.options(this.endpoints.token)),
      (response) => oauth.processDeviceCodeResponse(this.server, this.client, response),
    );
  }

  /** Revokes a token (RFC 7009); false when the provider has no revocation endpoint. */
  async revoke(token: string): Promise<boolean> {
    const endpoint = this.endpoints.revocation;
    if (!endpoint) return false;
    const response = await this.send(() => oauth.revocationRequest(this.server, this.client, this.auth, token, this.options(endpoint)));
    await this.process(() => oauth.processRevocationResponse(response));
    return true;
  }

  private async tokenCall(
    request: () => Promise<Response>,
    process: (response: Response) => Promise<oauth.TokenEndpointResponse>,
  ): Promise<AccountSecrets> {
    const issuedAt = Date.now();
    const response = await this.send(request);
    const answer = await this.process(() => process(response));
    return {
      accessToken: answer.access_token,
      ...(answer.refresh_token ? { refreshToken: answer.refresh_token } : {}),
      ...(answer.expires_in !== undefined ? { expiresAt: issuedAt + answer.expires_in * 1000 } : {}),
      issuedAt,
    };
  }

  /** Network failures, 429 and 5xx are transient (retried by callers); the message never carries a token. */
  private async send(request: () => Promise<Response>): Promise<Response> {
    let response: Response;
    try {
      response = await request();
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new ProviderError('transient', `cannot reach the authorization server: ${describeError(error)}`, { cause: error });
    }
    if (response.status === 429 || response.status >= 500) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new ProviderError('transient', `the authorization server answered ${response.status}`, Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {});
    }
    return response;
  }

  private async process<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError) throw new GrantRefusedError(error.error, error.error_description);
      throw new ProviderError('unknown', `the authorization server's answer was not understood: ${describeError(error)}`, { cause: error });
    }
  }
}

/** A PKCE code verifier (RFC 7636 §4.1) and a state value, both random. */
export function newPkcePair(): { codeVerifier: string; state: string } {
  return { codeVerifier: oauth.generateRandomCodeVerifier(), state: oauth.generateRandomState() };
}
