import { isProviderError, type StorageProvider } from '@nimbus/kernel';
import { makeTempDir, randomBytesStream, writeTree } from '@nimbus/testkit';
import test, { type ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LocalProvider } from './local-provider.js';
import { PARTIAL_PREFIX } from './partial-files.js';

const body = (text: string) => Readable.from([Buffer.from(text)], { objectMode: false });

async function localProvider(t: ExecutionContext): Promise<{ provider: LocalProvider; root: string }> {
  const dir = await makeTempDir('nimbus-local-');
  t.teardown(dir.cleanup);
  return { provider: new LocalProvider(dir.path), root: dir.path };
}

/** Every file name under `root`, recursively, as the disk has them. */
async function namesOnDisk(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true })).map(String).sort();
}

/** A body that sends some bytes, then fails. */
function failingBody(): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(Buffer.alloc(128 * 1024, 1));
      } else this.destroy(new Error('disk read failed'));
    },
  });
}

test('a write whose body fails leaves no temp file on disk and the old file intact', async (t) => {
  const { provider, root } = await localProvider(t);
  await provider.write('dir/file.txt', body('old'));
  const error = await t.throwsAsync(provider.write('dir/file.txt', failingBody()));
  t.is(error?.message, 'disk read failed', 'the body error is rethrown as is');
  await t.throwsAsync(provider.write('dir/new.txt', failingBody()));
  t.deepEqual(await namesOnDisk(root), ['dir', 'dir/file.txt']);
  t.is(await readFile(join(root, 'dir/file.txt'), 'utf8'), 'old');
});

test('an aborted write leaves no temp file on disk', async (t) => {
  const { provider, root } = await localProvider(t);
  const controller = new AbortController();
  const write = provider.write('big.bin', randomBytesStream(64 * 1024 * 1024, 1), {
    signal: controller.signal,
    onProgress: (sent) => sent >= 1024 * 1024 && controller.abort(),
  });
  const error = await t.throwsAsync(write);
  t.is(error?.name, 'AbortError');
  t.deepEqual(await namesOnDisk(root), []);
});

test('a body shorter than the declared size is refused and not stored', async (t) => {
  const { provider, root } = await localProvider(t);
  const error = await t.throwsAsync(provider.write('short.txt', body('12345'), { size: 10 }));
  t.true(isProviderError(error, 'conflict'), String(error));
  t.deepEqual(await namesOnDisk(root), []);
});

test('write sets the mtime on disk, creates parent folders and reports progress', async (t) => {
  const { provider, root } = await localProvider(t);
  const mtime = Date.UTC(2019, 11, 31, 23, 59, 59, 999);
  const progress: number[] = [];
  const entry = await provider.write('a/b/c.txt', body('content'), { mtime, onProgress: (n) => progress.push(n) });
  t.deepEqual(entry, { path: 'a/b/c.txt', kind: 'file', size: 7, mtime });
  t.is(Math.round((await stat(join(root, 'a/b/c.txt'))).mtimeMs), mtime);
  t.deepEqual(progress, [7]);
});

test('paths escaping the root are refused before touching the disk', async (t) => {
  const { provider, root } = await localProvider(t);
  const attempts: [string, (p: StorageProvider) => Promise<unknown>][] = [
    ['stat ..', (p) => p.stat('..')],
    ['stat ../x', (p) => p.stat('../x')],
    ['write a/../../x', (p) => p.write('a/../../escaped.txt', body('x'))],
    ['read /etc/passwd', (p) => p.read('/etc/passwd')],
    ['delete ./x', (p) => p.delete('./x')],
    ['copy to ../x', (p) => p.write('in.txt', body('x')).then(() => p.copy!('in.txt', '../escaped.txt'))],
    ['list ..', async (p) => { for await (const _ of p.list('..')) break; }],
  ];
  for (const [what, attempt] of attempts) {
    const error = await t.throwsAsync(attempt(provider), undefined, what);
    t.true(isProviderError(error, 'invalid'), `${what}: ${String(error)}`);
  }
  t.false(existsSync(join(root, '..', 'escaped.txt')));
});

test('listings hide temp files and cleanupIncomplete removes them', async (t) => {
  const { provider, root } = await localProvider(t);
  await writeTree(root, {
    'kept.txt': 'k',
    [`${PARTIAL_PREFIX}abc`]: 'left by a killed run',
    [`sub/${PARTIAL_PREFIX}def`]: 'another',
  });
  const listed: string[] = [];
  for await (const page of provider.list('', { recursive: true })) listed.push(...page.map((e) => e.path));
  t.deepEqual(listed.sort(), ['kept.txt', 'sub']);
  t.is(await provider.cleanupIncomplete(), 2);
  t.deepEqual(await namesOnDisk(root), ['kept.txt', 'sub']);
  t.is(await provider.cleanupIncomplete(), 0);
});

test('recursive listing walks every folder and pages by the requested size', async (t) => {
  const { provider, root } = await localProvider(t);
  const spec: Record<string, string> = {};
  for (let i = 0; i < 30; i++) spec[`f${i % 3}/g${i % 2}/file${i}.txt`] = String(i);
  await writeTree(root, spec);
  const pages: number[] = [];
  const paths: string[] = [];
  for await (const page of provider.list('', { recursive: true, pageSize: 7 })) {
    pages.push(page.length);
    paths.push(...page.filter((e) => e.kind === 'file').map((e) => e.path));
  }
  t.deepEqual(paths.sort(), Object.keys(spec).sort());
  t.true(pages.slice(0, -1).every((n) => n === 7), `full pages before the last: ${pages.join(', ')}`);
  t.is(pages.reduce((a, b) => a + b), 30 + 3 + 6, 'files plus every folder, once');
});

test('folder conflicts and misuse give classified errors', async (t) => {
  const { provider, root } = await localProvider(t);
  await provider.write('file.txt', body('x'));
  t.true(isProviderError(await t.throwsAsync(provider.write('file.txt/inner.txt', body('y'))), 'conflict'));
  t.true(isProviderError(await t.throwsAsync(provider.makeFolder('file.txt')), 'conflict'));
  await provider.write('full/x.txt', body('x'));
  t.true(isProviderError(await t.throwsAsync(provider.removeFolder('full')), 'conflict'));
  t.true(isProviderError(await t.throwsAsync(provider.write('full', body('over a folder'))), 'conflict'));
  t.is(await readFile(join(root, 'full/x.txt'), 'utf8'), 'x', 'a write never replaces a folder');
  t.true(isProviderError(await t.throwsAsync(provider.delete('full')), 'invalid'), 'delete never removes a folder');
  t.true(isProviderError(await t.throwsAsync(provider.read('full')), 'not-found'));
  t.true(isProviderError(await t.throwsAsync(provider.read('file.txt', { range: { start: 5, end: 2 } })), 'invalid'));
  t.true(isProviderError(await t.throwsAsync(provider.removeFolder('')), 'invalid'));
});

test('copy keeps the mtime; move keeps content and mtime', async (t) => {
  const { provider } = await localProvider(t);
  const mtime = Date.UTC(2018, 4, 5, 6, 7, 8, 9);
  await provider.write('src.txt', body('data'), { mtime });
  t.is((await provider.copy('src.txt', 'copy/dst.txt')).mtime, mtime);
  t.like(await provider.move('src.txt', 'moved/dst.txt'), { mtime, size: 4 });
});
