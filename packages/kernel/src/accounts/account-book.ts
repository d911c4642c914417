import { UserError } from '../errors/nimbus-error.js';
import type { PluginManifest } from '../plugins/plugin-manifest.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import type { PasswordPrompt } from '../run/resolve-password.js';
import { unknownAccountError } from './account-errors.js';
import { AccountListFile, accountsDir } from './account-list-file.js';
import { lockAccountName } from './account-lock.js';
import { checkAccountName, profileAccountName } from './account-names.js';
import type { AccountRecord } from './account-record.js';
import type { AccountSecrets } from './account-secrets.js';
import { OAuthClient } from './oauth-client.js';
import { accountEndpoints, openAccountTokens } from './account-tokens.js';
import { ENDPOINT_NAMES, type AccountIdentity, type EndpointName, type OAuthDeclaration, type OAuthEndpoints } from './oauth-declaration.js';
import { signInByPasting, signInWithBrowser, signInWithDeviceCode, type SignInMethod, type SignInUi } from './sign-in.js';
import { chooseTokenStore, openTokenStore } from './token-store-choice.js';
import type { TokenStore } from './token-store.js';
import { AccountTokenSource, type TokenSource } from './token-source.js';
import { askWhoAmI } from './who-am-i.js';

/** accounts.json is changed under this lock name. */
const LIST_LOCK = '.accounts-list';

export interface AccountBookOptions {
  /** Nimbus's data folder; accounts live in its `accounts/`. */
  readonly dataDir: string;
  readonly registry: PluginRegistry;
  readonly env: NodeJS.ProcessEnv;
  /** Asks the token store's passphrase when no keychain answers and none is in the environment. */
  readonly prompt?: PasswordPrompt;
}

export interface SignInOptions {
  readonly method: SignInMethod;
  readonly ui: SignInUi;
  readonly timeoutMs: number;
  readonly port?: number;
  /** The command to run on a machine with a browser (method `paste`). */
  readonly authorizeCommand?: string;
}

export interface NewAccount {
  readonly provider: string;
  readonly name?: string;
  /** Sign in for this profile alone (its `ownAuthorization: true`) instead of as a named account. */
  readonly profile?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly scopes?: readonly string[];
  readonly endpoints?: Partial<Record<EndpointName, string>>;
}

/** An account with the plugin it belongs to. */
export interface OpenedAccount {
  readonly record: AccountRecord;
  readonly manifest: PluginManifest;
  readonly declaration: OAuthDeclaration;
  readonly endpoints: OAuthEndpoints;
}

/** The manifest's OAuth declaration, or a one-line error saying the provider has no accounts. */
export function oauthOf(manifest: PluginManifest): OAuthDeclaration {
  if (!manifest.oauth) throw new UserError(`provider "${manifest.id}" does not sign in with a linked account (its keys go in the profile's destination block): nothing to add`);
  return manifest.oauth;
}

function effectiveEndpoints(declaration: OAuthDeclaration, overrides: Partial<Record<EndpointName, string>>): OAuthEndpoints {
  return accountEndpoints(declaration, { endpoints: overrides });
}

/** Checks endpoint overrides are URLs (a typo should fail now, not at the first refresh). */
export function checkEndpoints(overrides: Partial<Record<string, string>>): Partial<Record<EndpointName, string>> {
  const checked: Partial<Record<EndpointName, string>> = {};
  for (const [name, url] of Object.entries(overrides)) {
    if (!(ENDPOINT_NAMES as readonly string[]).includes(name)) throw new UserError(`unknown endpoint "${name}": use one of ${ENDPOINT_NAMES.join(', ')}`);
    let parsed: URL;
    try {
      parsed = new URL(url ?? '');
    } catch {
      throw new UserError(`endpoint ${name} "${url}" is not a URL: give e.g. https://login.example.com/oauth2/token`);
    }
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname))) {
      throw new UserError(`endpoint ${name} must use https (plain http only on 127.0.0.1): ${url}`);
    }
    checked[name as EndpointName] = url!;
  }
  return checked;
}

/**
 * The linked cloud accounts of this user: accounts.json (names, providers, client ids,
 * endpoints) plus a token store for the secrets. Every change is all-or-nothing: an
 * account is written only after its sign-in succeeded.
 */
export class AccountBook {
  readonly dir: string;
  private readonly list: AccountListFile;

  constructor(private readonly options: AccountBookOptions) {
    this.dir = accountsDir(options.dataDir);
    this.list = new AccountListFile(this.dir);
  }

  private storeOptions() {
    return { accountsDir: this.dir, env: this.options.env, ...(this.options.prompt ? { prompt: this.options.prompt } : {}) };
  }

  /** The store new accounts go to (what `account list` reports). */
  newAccountStore(): TokenStore {
    return chooseTokenStore(this.storeOptions());
  }

  storeOf(record: AccountRecord): TokenStore {
    return openTokenStore(record.store, this.storeOptions());
  }

  records(): Promise<AccountRecord[]> {
    return this.list.read();
  }

  async open(name: string, expectedProvider?: string): Promise<OpenedAccount> {
    const record = (await this.list.read()).find((r) => r.name === name);
    if (!record) throw unknownAccountError(name, expectedProvider);
    if (expectedProvider && record.provider !== expectedProvider) {
      throw new UserError(`account "${name}" is a ${record.provider} account, not ${expectedProvider}: name a ${expectedProvider} account (nimbus account list shows them)`);
    }
    const manifest = await this.options.registry.get(record.provider);
    const declaration = oauthOf(manifest);
    return { record, manifest, declaration, endpoints: effectiveEndpoints(declaration, record.endpoints) };
  }

  /** The token source a plugin gets for this account. */
  async tokenSource(name: string, expectedProvider?: string): Promise<{ account: OpenedAccount; tokens: AccountTokenSource }> {
    const account = await this.open(name, expectedProvider);
    const { tokens } = await openAccountTokens(name, account.manifest, this.options);
    return { account, tokens };
  }

  async add(request: NewAccount, signIn: SignInOptions): Promise<{ record: AccountRecord; store: TokenStore }> {
    const manifest = await this.options.registry.get(request.provider);
    const declaration = oauthOf(manifest);
    if (request.profile !== undefined && request.name !== undefined) throw new UserError('give either --name (a linked account) or --profile (an authorization of that profile alone), not both');
    const name = request.profile !== undefined ? profileAccountName(request.profile) : checkAccountName(request.name ?? manifest.id);
    if ((await this.list.read()).some((r) => r.name === name)) {
      throw new UserError(`account "${name}" already exists: run nimbus account reconnect ${name}${request.profile === undefined ? ', or choose another --name' : ''}`);
    }
    if (!request.clientId) {
      throw new UserError(`give your own OAuth client's id with --client-id (Nimbus ships none)${declaration.clientRegistrationHelp ? `: ${declaration.clientRegistrationHelp}` : ''}`);
    }
    const overrides = checkEndpoints(request.endpoints ?? {});
    const endpoints = effectiveEndpoints(declaration, overrides);
    const scopes = request.scopes?.length ? [...request.scopes] : [...declaration.defaultScopes];
    // Choose (and unlock) the store before the browser step: a missing passphrase fails before anyone signs in.
    const store = this.newAccountStore();
    await store.unlock?.();
    const client = new OAuthClient(endpoints, request.clientId, request.clientSecret);
    const tokens = await this.signIn(client, declaration, scopes, signIn, manifest.id);
    const secrets: AccountSecrets = { ...tokens, ...(request.clientSecret ? { clientSecret: request.clientSecret } : {}) };
    const identity = await this.identify(declaration, endpoints, name, secrets);
    const record: AccountRecord = {
      name,
      provider: manifest.id,
      clientId: request.clientId,
      scopes,
      endpoints: overrides,
      store: store.kind,
      createdAt: new Date().toISOString(),
      ...(identity ? { identity: identity.name } : {}),
    };
    const release = await lockAccountName(this.dir, LIST_LOCK);
    try {
      const current = await this.list.read();
      if (current.some((r) => r.name === name)) throw new UserError(`account "${name}" was added by another process meanwhile: choose another --name`);
      await store.write(name, secrets);
      await this.list.write([...current, record]);
    } finally {
      await release();
    }
    return { record, store };
  }

  /** Sign in again (after a revocation, a password change, or to change scopes); replaces the tokens. */
  async reconnect(name: string, signIn: SignInOptions, clientSecret?: string): Promise<AccountRecord> {
    const account = await this.open(name);
    const store = this.storeOf(account.record);
    // A store that cannot be opened fails now, before anyone signs in.
    await store.unlock?.();
    const previous = await store.read(name).catch(() => undefined);
    const secret = clientSecret ?? previous?.clientSecret;
    const client = new OAuthClient(account.endpoints, account.record.clientId, secret);
    const tokens = await this.signIn(client, account.declaration, account.record.scopes, signIn, account.manifest.id);
    const secrets: AccountSecrets = { ...tokens, ...(secret ? { clientSecret: secret } : {}) };
    const identity = await this.identify(account.declaration, account.endpoints, name, secrets);
    const release = await lockAccountName(this.dir, name);
    try {
      await store.write(name, secrets);
    } finally {
      await release();
    }
    const record = { ...account.record, ...(identity ? { identity: identity.name } : {}) };
    await this.updateRecord(record);
    return record;
  }

  /** Ask the provider who the account is (refreshing its token if needed). */
  async test(name: string): Promise<{ record: AccountRecord; identity: AccountIdentity }> {
    const { account, tokens } = await this.tokenSource(name);
    const identity = await askWhoAmI(account.declaration, account.endpoints, tokens);
    const record = { ...account.record, identity: identity.name };
    if (account.record.identity !== identity.name) await this.updateRecord(record);
    return { record, identity };
  }

  /** Forget an account: revoke its tokens at the provider where it can, then delete them here. */
  async remove(name: string): Promise<{ revoked: boolean; revokeProblem?: string }> {
    const record = (await this.list.read()).find((r) => r.name === name);
    if (!record) throw unknownAccountError(name);
    // A plugin uninstalled since cannot revoke, but the account can still be forgotten.
    const account = await this.open(name).catch(() => undefined);
    const store = this.storeOf(record);
    let revoked = false;
    let revokeProblem: string | undefined = account ? undefined : `the ${record.provider} plugin is not installed`;
    const secrets = await store.read(name).catch((error: Error) => {
      revokeProblem = `its tokens could not be read: ${error.message}`;
      return undefined;
    });
    if (account && secrets) {
      try {
        const client = new OAuthClient(account.endpoints, record.clientId, secrets.clientSecret);
        // Revoking the refresh token ends the whole grant at most providers (RFC 7009 §2.1).
        revoked = await client.revoke(secrets.refreshToken ?? secrets.accessToken);
      } catch (error) {
        revokeProblem = (error as Error).message.split('\n')[0];
      }
    }
    const release = await lockAccountName(this.dir, LIST_LOCK);
    try {
      await store.remove(name);
      await this.list.write((await this.list.read()).filter((r) => r.name !== name));
    } finally {
      await release();
    }
    return { revoked, ...(revokeProblem ? { revokeProblem } : {}) };
  }

  private async updateRecord(record: AccountRecord): Promise<void> {
    const release = await lockAccountName(this.dir, LIST_LOCK);
    try {
      const records = await this.list.read();
      await this.list.write(records.map((r) => (r.name === record.name ? record : r)));
    } finally {
      await release();
    }
  }

  private signIn(client: OAuthClient, declaration: OAuthDeclaration, scopes: readonly string[], signIn: SignInOptions, provider: string) {
    const request = {
      client,
      scopes,
      pkce: declaration.pkce !== false,
      ui: signIn.ui,
      timeoutMs: signIn.timeoutMs,
      ...(declaration.authorizationParameters ? { extraParameters: declaration.authorizationParameters } : {}),
      ...(signIn.port !== undefined ? { port: signIn.port } : declaration.redirectPort !== undefined ? { port: declaration.redirectPort } : {}),
    };
    if (signIn.method === 'device') return signInWithDeviceCode(request);
    if (signIn.method === 'paste') return signInByPasting(signIn.ui, provider, signIn.authorizeCommand ?? `nimbus account authorize ${provider}`);
    return signInWithBrowser(request);
  }

  /** Who the new tokens belong to; an account the provider cannot describe is still linked. */
  private async identify(declaration: OAuthDeclaration, endpoints: OAuthEndpoints, name: string, secrets: AccountSecrets): Promise<AccountIdentity | undefined> {
    const fixed: TokenSource = { account: name, getAccessToken: async () => secrets.accessToken, invalidate: () => {} };
    try {
      return await askWhoAmI(declaration, endpoints, fixed);
    } catch {
      return undefined;
    }
  }

  /** Sign in without keeping anything (`nimbus account authorize`, for pasting on another machine). */
  async authorizeOnly(request: NewAccount, signIn: SignInOptions): Promise<AccountSecrets> {
    const manifest = await this.options.registry.get(request.provider);
    const declaration = oauthOf(manifest);
    if (!request.clientId) throw new UserError('give the same --client-id as on the machine without a browser');
    const endpoints = effectiveEndpoints(declaration, checkEndpoints(request.endpoints ?? {}));
    const client = new OAuthClient(endpoints, request.clientId, request.clientSecret);
    const scopes = request.scopes?.length ? [...request.scopes] : [...declaration.defaultScopes];
    return this.signIn(client, declaration, scopes, { ...signIn, method: signIn.method === 'paste' ? 'browser' : signIn.method }, manifest.id);
  }
}
