import { UserError } from '../errors/nimbus-error.js';
import type { PluginManifest } from '../plugins/plugin-manifest.js';
import type { PasswordPrompt } from '../run/resolve-password.js';
import { unknownAccountError } from './account-errors.js';
import { AccountListFile, accountsDir } from './account-list-file.js';
import type { AccountRecord } from './account-record.js';
import { OAuthClient } from './oauth-client.js';
import type { OAuthDeclaration, OAuthEndpoints } from './oauth-declaration.js';
import { openTokenStore } from './token-store-choice.js';
import { AccountTokenSource } from './token-source.js';

export interface AccountTokensOptions {
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly prompt?: PasswordPrompt;
}

/** An account's endpoints: the plugin's declared ones, with the account's overrides. */
export function accountEndpoints(declaration: OAuthDeclaration, record: Pick<AccountRecord, 'endpoints'>): OAuthEndpoints {
  return { ...declaration.endpoints, ...record.endpoints };
}

/** The token source of the linked account `name`, which must belong to `manifest`'s provider. */
export async function openAccountTokens(name: string, manifest: PluginManifest, options: AccountTokensOptions): Promise<{ record: AccountRecord; tokens: AccountTokenSource; endpoints: OAuthEndpoints }> {
  const dir = accountsDir(options.dataDir);
  const record = (await new AccountListFile(dir).read()).find((r) => r.name === name);
  if (!record) throw unknownAccountError(name, manifest.id);
  if (record.provider !== manifest.id) {
    throw new UserError(`account "${name}" is a ${record.provider} account, not ${manifest.id}: name a ${manifest.id} account (nimbus account list shows them)`);
  }
  if (!manifest.oauth) throw new UserError(`provider "${manifest.id}" does not sign in with a linked account: remove account from the destination`);
  const store = openTokenStore(record.store, { accountsDir: dir, env: options.env, ...(options.prompt ? { prompt: options.prompt } : {}) });
  const secrets = await store.read(name);
  if (!secrets) throw new UserError(`account "${name}" has no tokens in the ${store.description}: run nimbus account reconnect ${name}`);
  const endpoints = accountEndpoints(manifest.oauth, record);
  const client = new OAuthClient(endpoints, record.clientId, secrets.clientSecret);
  return { record, endpoints, tokens: new AccountTokenSource({ account: name, store, client, accountsDir: dir }) };
}
