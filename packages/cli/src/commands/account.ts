import {
  AccountBook,
  encodeAuthorization,
  formatTable,
  loadProfileFile,
  nimbusDataDir,
  UserError,
  type NewAccount,
  type SignInMethod,
  type SignInOptions,
} from '@nimbus/kernel';
import { promptPassword } from '../output/password-prompt.js';
import { terminalSignInUi } from '../output/sign-in-ui.js';
import { createRegistry } from '../plugin-registry.js';

export interface AccountFlags {
  dataDir?: string;
  json?: boolean;
}

export interface SignInFlags extends AccountFlags {
  name?: string;
  profile?: string;
  clientId?: string;
  scope?: string[];
  endpoint?: string[];
  browser?: boolean;
  deviceCode?: boolean;
  timeout?: number;
  port?: number;
}

const DEFAULT_TIMEOUT_SECONDS = 300;

function book(flags: AccountFlags): AccountBook {
  const env = flags.dataDir ? { ...process.env, NIMBUS_DATA_DIR: flags.dataDir } : process.env;
  return new AccountBook({ dataDir: nimbusDataDir(env), registry: createRegistry(), env, prompt: promptPassword });
}

/** `--endpoint token=https://...` pairs. */
function endpointOverrides(pairs: readonly string[] = []): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UserError(`--endpoint "${pair}" must be name=url, e.g. token=https://login.example.com/oauth2/token`);
    overrides[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return overrides;
}

/** The client secret comes from the environment only: a command line is visible to every user of the machine. */
function clientSecret(): string | undefined {
  return process.env.NIMBUS_CLIENT_SECRET || undefined;
}

function method(flags: SignInFlags): SignInMethod {
  if (flags.deviceCode && flags.browser === false) throw new UserError('give either --device-code or --no-browser, not both');
  if (flags.deviceCode) return 'device';
  return flags.browser === false ? 'paste' : 'browser';
}

/** The command a machine with a browser runs for a machine without one (never with a secret in it). */
function authorizeCommand(provider: string, request: NewAccount, flags: SignInFlags): string {
  const parts = ['nimbus account authorize', provider, `--client-id ${request.clientId ?? '<client id>'}`];
  for (const scope of flags.scope ?? []) parts.push(`--scope ${scope}`);
  for (const endpoint of flags.endpoint ?? []) parts.push(`--endpoint ${endpoint}`);
  if (clientSecret()) parts.unshift('NIMBUS_CLIENT_SECRET=<your client secret>');
  return parts.join(' ');
}

function signInOptions(flags: SignInFlags, provider: string, request: NewAccount): SignInOptions {
  return {
    method: method(flags),
    ui: terminalSignInUi,
    timeoutMs: (flags.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
    ...(flags.port !== undefined ? { port: flags.port } : {}),
    authorizeCommand: authorizeCommand(provider, request, flags),
  };
}

/** The name of the profile that will hold its own authorization (`--profile <file>`). */
function profileName(file: string, provider: string): string {
  const { profile } = loadProfileFile(file);
  const named = profile.destination.provider;
  if (named !== undefined && named !== provider) throw new UserError(`profile ${profile.name} sends to provider "${named}", not "${provider}": run nimbus account add ${named} --profile ${file}`);
  return profile.name;
}

function newAccount(provider: string, flags: SignInFlags): NewAccount {
  const secret = clientSecret();
  return {
    provider,
    ...(flags.name ? { name: flags.name } : {}),
    ...(flags.profile ? { profile: profileName(flags.profile, provider) } : {}),
    ...(flags.clientId ? { clientId: flags.clientId } : {}),
    ...(secret ? { clientSecret: secret } : {}),
    ...(flags.scope?.length ? { scopes: flags.scope } : {}),
    endpoints: endpointOverrides(flags.endpoint),
  };
}

/** `nimbus account add <provider>`. */
export async function accountAddCommand(provider: string, flags: SignInFlags): Promise<number> {
  const request = newAccount(provider, flags);
  const { record, store } = await book(flags).add(request, signInOptions(flags, provider, request));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ name: record.name, provider: record.provider, identity: record.identity ?? null, store: store.kind })}\n`);
  } else {
    process.stdout.write(`linked account "${record.name}" (${record.provider}${record.identity ? `, ${record.identity}` : ''}); tokens kept in the ${store.description}\n`);
    if (flags.profile) process.stdout.write(`profile ${record.name.slice(1)} uses it with ownAuthorization: true in its destination\n`);
    else process.stdout.write(`use it in a profile: destination: { provider: ${record.provider}, account: ${record.name}, ... }\n`);
  }
  return 0;
}

/** `nimbus account authorize <provider>`: sign in here, print a line to paste on a machine without a browser. */
export async function accountAuthorizeCommand(provider: string, flags: SignInFlags): Promise<number> {
  const request = newAccount(provider, flags);
  const tokens = await book(flags).authorizeOnly(request, signInOptions(flags, provider, request));
  process.stderr.write('Paste this line where nimbus account add --no-browser asks for it (it is a secret: do not keep it):\n');
  process.stdout.write(`${encodeAuthorization(provider, tokens)}\n`);
  return 0;
}

/** `nimbus account reconnect <name>`. */
export async function accountReconnectCommand(name: string, flags: SignInFlags): Promise<number> {
  const accounts = book(flags);
  const { record } = await accounts.open(name);
  const request: NewAccount = { provider: record.provider, clientId: record.clientId, endpoints: record.endpoints, scopes: record.scopes };
  const flagsWithSettings = { ...flags, endpoint: Object.entries(record.endpoints).map(([k, v]) => `${k}=${v}`), scope: [...record.scopes] };
  const updated = await accounts.reconnect(name, signInOptions(flagsWithSettings, record.provider, request), clientSecret());
  process.stdout.write(`reconnected account "${name}"${updated.identity ? ` (${updated.identity})` : ''}\n`);
  return 0;
}

/** `nimbus account list`. */
export async function accountListCommand(flags: AccountFlags): Promise<number> {
  const accounts = book(flags);
  const records = await accounts.records();
  const store = accounts.newAccountStore();
  if (flags.json) {
    const out = {
      store: { kind: store.kind, description: store.description },
      accounts: records.map((r) => ({ name: r.name, provider: r.provider, identity: r.identity ?? null, store: r.store, clientId: r.clientId, scopes: r.scopes, createdAt: r.createdAt })),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`token store: ${store.description}\n`);
  if (records.length === 0) {
    process.stdout.write('no linked accounts: add one with nimbus account add <provider> --name <name>\n');
    return 0;
  }
  const rows = records.map((r) => [r.name, r.provider, r.identity ?? '-', r.store === store.kind ? r.store : `${r.store} (not the default here)`]);
  process.stdout.write(`${formatTable(['account', 'provider', 'signed in as', 'store'], rows)}\n`);
  return 0;
}

/** `nimbus account test <name>`: ask the provider who the account is. */
export async function accountTestCommand(name: string, flags: AccountFlags): Promise<number> {
  const { record, identity } = await book(flags).test(name);
  if (flags.json) process.stdout.write(`${JSON.stringify({ name, provider: record.provider, identity: identity.name, ok: true })}\n`);
  else process.stdout.write(`account "${name}" works: ${record.provider} says it is ${identity.name}\n`);
  return 0;
}

/** `nimbus account remove <name>`. */
export async function accountRemoveCommand(name: string, flags: AccountFlags): Promise<number> {
  const result = await book(flags).remove(name);
  const revoked = result.revoked ? 'its tokens were revoked at the provider' : result.revokeProblem ? `the provider could not revoke its tokens (${result.revokeProblem}): revoke access in the provider's account settings` : 'the provider offers no revocation: revoke access in its account settings';
  process.stdout.write(`removed account "${name}"; ${revoked}\n`);
  return 0;
}
