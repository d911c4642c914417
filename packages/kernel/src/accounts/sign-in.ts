import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors/nimbus-error.js';
import type { AccountSecrets } from './account-secrets.js';
import { startLoopbackRedirect } from './loopback-redirect.js';
import { GrantRefusedError, newPkcePair, type DeviceAuthorization, type OAuthClient } from './oauth-client.js';

/** How the person signs in: a browser on this machine, a device code, or a result pasted from another machine. */
export type SignInMethod = 'browser' | 'device' | 'paste';

/** What the front end does for the person at the keyboard during a sign-in. */
export interface SignInUi {
  /** Open the address in a browser, or print it (both, ideally). */
  showAuthorizationUrl(url: string): Promise<void>;
  showDeviceCode(device: DeviceAuthorization): void;
  /** Print the instructions and read the line pasted back; undefined when nobody can answer. */
  readPasted(instructions: string): Promise<string | undefined>;
}

export interface SignInRequest {
  readonly client: OAuthClient;
  readonly scopes: readonly string[];
  readonly pkce: boolean;
  readonly extraParameters?: Readonly<Record<string, string>>;
  readonly ui: SignInUi;
  readonly timeoutMs: number;
  /** Loopback port (some providers want the exact redirect registered); default any free port. */
  readonly port?: number;
}

/** Authorization code grant with PKCE through the browser and a loopback redirect. */
export async function signInWithBrowser(request: SignInRequest): Promise<AccountSecrets> {
  const { codeVerifier, state } = newPkcePair();
  const redirect = await startLoopbackRedirect(state, request.port);
  try {
    const verifier = request.pkce ? codeVerifier : undefined;
    const url = await request.client.authorizationUrl({
      redirectUri: redirect.redirectUri,
      state,
      scopes: request.scopes,
      ...(verifier ? { codeVerifier: verifier } : {}),
      ...(request.extraParameters ? { extra: request.extraParameters } : {}),
    });
    await request.ui.showAuthorizationUrl(url.href);
    const callback = await redirect.waitForCallback(request.timeoutMs);
    return await request.client.exchangeCode(callback, { state, redirectUri: redirect.redirectUri, ...(verifier ? { codeVerifier: verifier } : {}) });
  } finally {
    await redirect.close();
  }
}

/** Device authorization grant (RFC 8628): show a code, poll until it is approved, denied or expires. */
export async function signInWithDeviceCode(request: SignInRequest): Promise<AccountSecrets> {
  const device = await request.client.startDeviceAuthorization(request.scopes);
  request.ui.showDeviceCode(device);
  const deadline = Date.now() + Math.min(request.timeoutMs, device.expiresInSeconds * 1000);
  let interval = device.intervalSeconds * 1000;
  for (;;) {
    await sleep(interval);
    try {
      return await request.client.pollDeviceCode(device.deviceCode);
    } catch (error) {
      if (!(error instanceof GrantRefusedError)) throw error;
      // RFC 8628 §3.5: keep polling while pending; slow_down adds 5 seconds to the interval.
      if (error.error === 'slow_down') interval += 5000;
      else if (error.error === 'access_denied') throw new UserError('consent was denied for the device code: nothing was linked; run the command again and allow access');
      else if (error.error === 'expired_token') throw new UserError('the device code expired before anyone approved it: nothing was linked; run the command again');
      else if (error.error !== 'authorization_pending') throw new UserError(`the provider refused the device sign-in (${error.error}): run the command again`);
    }
    if (Date.now() >= deadline) throw new UserError(`nobody approved the device code within ${Math.round(request.timeoutMs / 1000)} s: nothing was linked; run the command again`);
  }
}

/** What `nimbus account authorize` prints on a machine with a browser, to be pasted on one without. */
export interface PastedAuthorization {
  readonly nimbusAuthorization: 1;
  readonly provider: string;
  readonly tokens: AccountSecrets;
}

export function encodeAuthorization(provider: string, tokens: AccountSecrets): string {
  const { clientSecret: _secret, ...withoutClientSecret } = tokens;
  const payload: PastedAuthorization = { nimbusAuthorization: 1, provider, tokens: withoutClientSecret };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

export function decodeAuthorization(text: string, provider: string): AccountSecrets {
  let payload: PastedAuthorization;
  try {
    payload = JSON.parse(Buffer.from(text.trim(), 'base64url').toString('utf8')) as PastedAuthorization;
  } catch {
    throw new UserError('what was pasted is not the line nimbus account authorize printed: nothing was linked; run it again and paste its whole last line');
  }
  if (payload?.nimbusAuthorization !== 1 || typeof payload.tokens?.accessToken !== 'string') {
    throw new UserError('what was pasted is not the line nimbus account authorize printed: nothing was linked; run it again and paste its whole last line');
  }
  if (payload.provider !== provider) throw new UserError(`what was pasted authorizes provider "${payload.provider}", not "${provider}": run nimbus account authorize ${provider}`);
  return payload.tokens;
}

/** Sign in on a machine without a browser: the person runs `authorizeCommand` elsewhere and pastes its result. */
export async function signInByPasting(ui: SignInUi, provider: string, authorizeCommand: string): Promise<AccountSecrets> {
  const pasted = await ui.readPasted(
    `On a machine with a web browser and Nimbus, run:\n\n    ${authorizeCommand}\n\nthen paste the line it prints here and press Enter:`,
  );
  if (pasted === undefined || !pasted.trim()) throw new UserError('nothing was pasted: nothing was linked; run the command again on a terminal');
  return decodeAuthorization(pasted, provider);
}
