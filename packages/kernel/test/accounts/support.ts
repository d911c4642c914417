import type { ExecutionContext } from 'ava';
import { join } from 'node:path';
import { AccountTokenSource, EncryptedFileTokenStore, OAuthClient, signInWithBrowser, type AccountSecrets, type SignInUi } from '@nimbus/kernel';
import { makeTempDir, startOAuthFake, type OAuthFake, type OAuthFakeOptions } from '@nimbus/testkit';

export const CLIENT = { id: 'kernel-test-client', secret: 'kernel-client-secret-7Hq' };

/** The browser, as a test drives it: open the address; the fake's scripted consent redirects to the loopback listener. */
export const testBrowser: SignInUi = {
  showAuthorizationUrl: async (url) => {
    await fetch(url).then((r) => r.text());
  },
  showDeviceCode: () => {},
  readPasted: async () => undefined,
};

export interface SignedIn {
  readonly fake: OAuthFake;
  readonly client: OAuthClient;
  readonly store: EncryptedFileTokenStore;
  readonly accountsDir: string;
  readonly first: AccountSecrets;
  /** A token source of the account, as one Nimbus process would have it. */
  source(now?: () => number): AccountTokenSource;
}

/** An OAuth fake, an encrypted file store, and an account "work" signed in through the browser flow. */
export async function signedIn(t: ExecutionContext, options: Partial<OAuthFakeOptions> = {}): Promise<SignedIn> {
  const fake = await startOAuthFake({ clients: [CLIENT], ...options });
  const dir = await makeTempDir('nimbus-accounts-');
  t.teardown(async () => {
    await fake.close();
    await dir.cleanup();
  });
  const client = new OAuthClient(fake.endpoints, CLIENT.id, CLIENT.secret);
  const store = new EncryptedFileTokenStore(join(dir.path, 'tokens'), async () => 'a passphrase');
  const first = await signInWithBrowser({ client, scopes: ['files'], pkce: true, ui: testBrowser, timeoutMs: 10_000 });
  await store.write('work', first);
  return {
    fake,
    client,
    store,
    accountsDir: dir.path,
    first,
    source: (now) => new AccountTokenSource({ account: 'work', store, client, accountsDir: dir.path, ...(now ? { now } : {}) }),
  };
}
