import test from 'ava';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseTokenStore, UserError, type AccountSecrets } from '@nimbus/kernel';
import { makeTempDir } from '@nimbus/testkit';

const SECRETS: AccountSecrets = { accessToken: 'at', refreshToken: 'rt', issuedAt: 1 };

async function folder(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await makeTempDir('nimbus-store-choice-');
  t.teardown(dir.cleanup);
  return dir.path;
}

test('NIMBUS_TOKEN_KEY_FILE: a machine key file is made on first use, mode 0600, and opens the store in another process', async (t) => {
  const dir = await folder(t);
  const keyFile = join(dir, 'keys', 'nimbus.key');
  const env = { NIMBUS_TOKEN_STORE: 'file', NIMBUS_TOKEN_KEY_FILE: keyFile };
  const store = chooseTokenStore({ accountsDir: join(dir, 'accounts'), env });
  t.is(store.kind, 'file');
  await store.write('work', SECRETS);
  t.is(statSync(keyFile).mode & 0o777, 0o600);
  t.deepEqual(await chooseTokenStore({ accountsDir: join(dir, 'accounts'), env }).read('work'), SECRETS);
});

test('a key file other users can read is refused with the chmod that fixes it', async (t) => {
  const dir = await folder(t);
  const keyFile = join(dir, 'loose.key');
  writeFileSync(keyFile, 'k'.repeat(44));
  chmodSync(keyFile, 0o644);
  const store = chooseTokenStore({ accountsDir: dir, env: { NIMBUS_TOKEN_STORE: 'file', NIMBUS_TOKEN_KEY_FILE: keyFile } });
  const error = await t.throwsAsync(store.write('work', SECRETS), { instanceOf: UserError });
  t.regex(error!.message, /can be read by other users \(mode 644\): run chmod 600 /);
});

test('no passphrase, no key file and no terminal: one line naming the variables', async (t) => {
  const dir = await folder(t);
  const store = chooseTokenStore({ accountsDir: dir, env: { NIMBUS_TOKEN_STORE: 'file' }, prompt: async () => undefined });
  const error = await t.throwsAsync(store.unlock!(), { instanceOf: UserError });
  t.regex(error!.message, /^no keychain is available here and the token store has no passphrase: set NIMBUS_TOKEN_PASSPHRASE \(or NIMBUS_TOKEN_KEY_FILE to a key file\) and run again$/);
});

test('a passphrase typed at the prompt opens the store', async (t) => {
  const dir = await folder(t);
  const prompted: string[] = [];
  const store = chooseTokenStore({ accountsDir: dir, env: { NIMBUS_TOKEN_STORE: 'file' }, prompt: async (q) => (prompted.push(q), 'typed passphrase') });
  await store.write('work', SECRETS);
  t.deepEqual(await store.read('work'), SECRETS);
  t.deepEqual(prompted, ['Passphrase of the Nimbus token store: '], 'asked once per process');
});

test('an unknown NIMBUS_TOKEN_STORE is a one-line error', (t) => {
  const error = t.throws(() => chooseTokenStore({ accountsDir: '/nonexistent', env: { NIMBUS_TOKEN_STORE: 'vault' } }), { instanceOf: UserError });
  t.regex(error!.message, /NIMBUS_TOKEN_STORE is "vault": use keychain, file or auto/);
});
