import { isProviderError } from '@nimbus/kernel';
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { connectWith, testAccount } from './test-support/azurite-account.js';

const body = (text: string) => Readable.from([Buffer.from(text)]);

// Azurite has one $root per account and this file is its only user (AVA runs test
// files in separate processes, tests within a file share it): unique names per test.
test('the $root container: created when missing, written, listed, read and deleted', async (t) => {
  const { service } = await testAccount();
  const provider = await connectWith({ container: '$root' });
  const name = `top-${randomBytes(4).toString('hex')}.txt`;
  t.teardown(() => provider.delete(name));
  t.true(await service.getContainerClient('$root').exists(), 'connect created the root container');
  const entry = await provider.write(name, body('at the top'), { size: 10 });
  t.like(entry, { path: name, kind: 'file', size: 10 });
  const listed: string[] = [];
  for await (const page of provider.list('')) listed.push(...page.map((e) => e.path));
  t.true(listed.includes(name));
  const chunks: Buffer[] = [];
  for await (const chunk of await provider.read(name)) chunks.push(chunk as Buffer);
  t.is(Buffer.concat(chunks).toString(), 'at the top');
  // The SDK, not Nimbus, sees it in the account's root container.
  t.is((await service.getContainerClient('$root').getBlobClient(name).downloadToBuffer()).toString(), 'at the top');
  await provider.delete(name);
  t.is(await provider.stat(name), undefined);
});

test('$root holds no folders: a path with "/" is refused, as Azure refuses it', async (t) => {
  const provider = await connectWith({ container: '$root' });
  const error = await t.throwsAsync(provider.write('photos/a.jpg', body('x'), { size: 1 }));
  t.true(isProviderError(error, 'invalid'), String(error));
  t.regex(error!.message, /blobs in the \$root container cannot have "\/" in their names/);
  t.is(await provider.stat('photos/a.jpg').catch((e: Error) => e.message), error!.message);
});
