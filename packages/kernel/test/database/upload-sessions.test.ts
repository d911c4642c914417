import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudDatabase } from '@nimbus/kernel';

function tempFile(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-sessions-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'cloud.sqlite');
}

test('an upload session and its parts survive closing the database, and a new session for the path replaces the old one and its parts', async (t) => {
  const file = tempFile(t);
  let db = await CloudDatabase.open(file);
  await db.saveUploadSession({ path: 'big/a.bin', source: '{"size":3}', state: 'upload-1', partSize: 16, startedAt: 1000 });
  await db.addUploadPart('big/a.bin', { number: 2, size: 16, digest: 'bb', token: '"etag-2"' });
  await db.addUploadPart('big/a.bin', { number: 1, size: 16, token: '"etag-1"' });
  await db.close();

  db = await CloudDatabase.open(file);
  t.deepEqual(await db.findUploadSession('big/a.bin'), {
    path: 'big/a.bin', source: '{"size":3}', state: 'upload-1', partSize: 16, startedAt: 1000,
    parts: [{ number: 1, size: 16, token: '"etag-1"' }, { number: 2, size: 16, digest: 'bb', token: '"etag-2"' }],
  });
  await db.saveUploadSession({ path: 'big/a.bin', source: '{"size":4}', state: 'upload-2', partSize: 16, startedAt: 2000 });
  t.like(await db.findUploadSession('big/a.bin'), { state: 'upload-2', parts: [] });
  await db.removeUploadSession('big/a.bin');
  t.is(await db.findUploadSession('big/a.bin'), undefined);
  await db.close();
});
