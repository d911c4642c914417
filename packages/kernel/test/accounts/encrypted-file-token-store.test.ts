import test from 'ava';
import { statSync } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EncryptedFileTokenStore, UserError, type AccountSecrets } from '@nimbus/kernel';
import { makeTempDir } from '@nimbus/testkit';

const SECRETS: AccountSecrets = { accessToken: 'at_secret_access', refreshToken: 'rt_secret_refresh', clientSecret: 'cs_secret_client', expiresAt: 2, issuedAt: 1 };

async function storeDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await makeTempDir('nimbus-token-store-');
  t.teardown(dir.cleanup);
  return join(dir.path, 'tokens');
}

test('secrets are sealed with AES-256-GCM in a 0600 file that holds none of them in plain text', async (t) => {
  const dir = await storeDir(t);
  const store = new EncryptedFileTokenStore(dir, async () => 'correct horse');
  await store.write('work', SECRETS);
  const file = join(dir, 'work.sealed');
  t.is(statSync(file).mode & 0o777, 0o600);
  t.is(statSync(dir).mode & 0o777, 0o700);
  const text = await readFile(file, 'utf8');
  for (const secret of ['at_secret_access', 'rt_secret_refresh', 'cs_secret_client', 'correct horse']) t.false(text.includes(secret));
  t.is(JSON.parse(text).cipher, 'aes-256-gcm');
  // Another process with the same passphrase reads them back.
  t.deepEqual(await new EncryptedFileTokenStore(dir, async () => 'correct horse').read('work'), SECRETS);
});

test('a wrong passphrase is one line, and the secrets stay unread', async (t) => {
  const dir = await storeDir(t);
  await new EncryptedFileTokenStore(dir, async () => 'correct horse').write('work', SECRETS);
  const error = await t.throwsAsync(new EncryptedFileTokenStore(dir, async () => 'wrong horse').read('work'), { instanceOf: UserError });
  t.regex(error!.message, /^cannot open the token store for account "work": the passphrase \(or key file\) is not the one it was saved with$/);
});

test("one account's sealed file cannot stand in for another's (the name is authenticated)", async (t) => {
  const dir = await storeDir(t);
  const store = new EncryptedFileTokenStore(dir, async () => 'correct horse');
  await store.write('work', SECRETS);
  await copyFile(join(dir, 'work.sealed'), join(dir, 'home.sealed'));
  await t.throwsAsync(store.read('home'), { instanceOf: UserError });
});

test('a missing account reads as undefined; remove deletes the file', async (t) => {
  const dir = await storeDir(t);
  const store = new EncryptedFileTokenStore(dir, async () => 'correct horse');
  t.is(await store.read('nobody'), undefined);
  await store.write('work', SECRETS);
  await store.remove('work');
  t.is(await store.read('work'), undefined);
});
