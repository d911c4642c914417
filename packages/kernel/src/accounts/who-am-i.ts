import { UserError } from '../errors/nimbus-error.js';
import type { AccountIdentity, OAuthDeclaration, OAuthEndpoints } from './oauth-declaration.js';
import { withAccessToken, type TokenSource } from './token-source.js';

/** Ask the provider who the account is: the plugin's own `whoAmI`, else the userinfo endpoint (OpenID Connect §5.3). */
export async function askWhoAmI(declaration: OAuthDeclaration, endpoints: OAuthEndpoints, tokens: TokenSource): Promise<AccountIdentity> {
  if (declaration.whoAmI) return declaration.whoAmI(tokens, endpoints);
  const url = endpoints.userinfo;
  if (!url) throw new UserError(`the plugin has no way to ask who account "${tokens.account}" is (no userinfo endpoint)`);
  const response = await withAccessToken(tokens, async (token) => {
    const r = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    if (r.status === 401) await r.body?.cancel();
    return r;
  });
  if (response.status === 401) throw new UserError(`the provider refused the token of account "${tokens.account}" even after a refresh: run nimbus account reconnect ${tokens.account}`);
  if (!response.ok) throw new UserError(`the provider answered ${response.status} when asked who account "${tokens.account}" is: try again later`);
  const claims = (await response.json()) as Record<string, unknown>;
  const text = (key: string) => (typeof claims[key] === 'string' ? (claims[key] as string) : undefined);
  const name = text('email') ?? text('preferred_username') ?? text('name') ?? text('sub');
  if (!name) throw new UserError(`the provider did not say who account "${tokens.account}" is`);
  const id = text('sub');
  return { name, ...(id ? { id } : {}) };
}
