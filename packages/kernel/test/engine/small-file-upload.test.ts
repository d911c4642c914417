import test, { type ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { appendFile, readdir, readFile, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalProvider } from '@nimbus/plugin-local';
import { makeTempDir } from '@nimbus/testkit';
import { SourceChangedError, uploadFile, type UploadJob } from '../../dist/engine/upload-file.js';
import { SMALL_FILE_MAX } from '../../dist/engine/read-small-file.js';

// Small files are read whole and checked before they are sent; these check that the
// checks of the streamed path still hold on that path (changed, vanished, progress, content).

const T0 = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

async function setup(t: ExecutionContext, content: Buffer) {
  const source = await makeTempDir('nimbus-small-src-');
  const destination = await makeTempDir('nimbus-small-dst-');
  t.teardown(source.cleanup);
  t.teardown(destination.cleanup);
  const absolute = join(source.path, 'file.bin');
  await writeFile(absolute, content);
  await utimes(absolute, new Date(T0), new Date(T0));
  const scanned = await stat(absolute);
  const job: UploadJob = { path: 'file.bin', absolute, size: scanned.size, mtime: Math.round(scanned.mtimeMs) };
  return { provider: new LocalProvider(destination.path), job, destination: destination.path };
}

test('a small file is stored whole with its hash, mtime and progress', async (t) => {
  const content = Buffer.from('small file content');
  const { provider, job, destination } = await setup(t, content);
  let reported = 0;
  const record = await uploadFile(provider, job, 7, (delta) => (reported += delta));
  t.is(record.sha256, createHash('sha256').update(content).digest('hex'));
  t.like(record, { size: content.length, mtime: T0, storedSize: content.length, remoteMtime: T0, lastRun: 7 });
  t.is(reported, content.length);
  t.deepEqual(await readFile(join(destination, 'file.bin')), content);
  t.is(Math.round((await stat(join(destination, 'file.bin'))).mtimeMs), T0);
});

test('an empty file is stored', async (t) => {
  const { provider, job, destination } = await setup(t, Buffer.alloc(0));
  const record = await uploadFile(provider, job, 1, () => undefined);
  t.is(record.sha256, createHash('sha256').digest('hex'));
  t.is((await readFile(join(destination, 'file.bin'))).length, 0);
});

test('a small file that grew after the scan is refused as changed, and nothing is stored', async (t) => {
  const { provider, job, destination } = await setup(t, Buffer.alloc(4096, 1));
  await appendFile(job.absolute, 'more');
  const error = await t.throwsAsync(uploadFile(provider, job, 1, () => undefined), { instanceOf: SourceChangedError });
  t.false((error as SourceChangedError).vanished);
  t.deepEqual(await readdir(destination), []);
});

test('a small file rewritten at the same size after the scan is refused as changed', async (t) => {
  const { provider, job, destination } = await setup(t, Buffer.alloc(4096, 1));
  await writeFile(job.absolute, Buffer.alloc(4096, 2));
  await t.throwsAsync(uploadFile(provider, job, 1, () => undefined), { instanceOf: SourceChangedError });
  t.deepEqual(await readdir(destination), []);
});

test('a small file deleted after the scan is reported as vanished', async (t) => {
  const { provider, job, destination } = await setup(t, Buffer.alloc(100, 1));
  await unlink(job.absolute);
  const error = await t.throwsAsync(uploadFile(provider, job, 1, () => undefined), { instanceOf: SourceChangedError });
  t.true((error as SourceChangedError).vanished);
  t.deepEqual(await readdir(destination), []);
});

test('a file just above the small-file limit is streamed, with the same record', async (t) => {
  const content = Buffer.alloc(SMALL_FILE_MAX + 1, 3);
  const { provider, job, destination } = await setup(t, content);
  let reported = 0;
  const record = await uploadFile(provider, job, 1, (delta) => (reported += delta));
  t.is(record.sha256, createHash('sha256').update(content).digest('hex'));
  t.is(reported, content.length);
  t.deepEqual(await readFile(join(destination, 'file.bin')), content);
});
