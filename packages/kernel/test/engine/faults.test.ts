import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProviderError, type StorageProvider } from '@nimbus/kernel';
import { treeDigest, writeTree } from '@nimbus/testkit';
import { destinationDigest, harness, wrappedLocal } from './harness.js';

/** plugin-local whose writes fail as `failure` decides (by path and attempt number). */
function failingLocal(id: string, failure: (path: string, attempt: number) => Error | undefined) {
  const attempts = new Map<string, number>();
  return wrappedLocal(id, (p: StorageProvider) => {
    const wrapped = Object.create(p) as StorageProvider;
    wrapped.write = async (path, body, options) => {
      const attempt = (attempts.get(path) ?? 0) + 1;
      attempts.set(path, attempt);
      const error = failure(path, attempt);
      if (error) {
        // Consume part of the body first, as a real upload cut short would.
        for await (const _ of body) break;
        throw error;
      }
      return p.write(path, body, options);
    };
    return wrapped;
  });
}

test('transient failures are retried and the run succeeds', async (t) => {
  const flaky = failingLocal('flaky', (_path, attempt) => (attempt <= 2 ? new ProviderError('transient', 'HTTP 503 Slow Down') : undefined));
  const h = await harness(t, [flaky]);
  await writeTree(h.source, { 'a.txt': 'a', 'b/c.txt': 'c' });
  const report = await h.run({ provider: 'flaky' });
  t.is(report.exitCode, 0, JSON.stringify(report.failures));
  t.is(report.counts.uploaded, 2);
  t.deepEqual(await destinationDigest(h), await treeDigest(h.source));
});

test('a file that keeps failing is reported with its reason; the others complete; exit 1', async (t) => {
  const broken = failingLocal('broken', (path) => (path === 'bad.txt' ? new ProviderError('invalid', 'name not allowed by the service') : undefined));
  const h = await harness(t, [broken]);
  await writeTree(h.source, { 'bad.txt': 'x', 'good.txt': 'g', 'd/also-good.txt': 'g2' });
  const report = await h.run({ provider: 'broken' });
  t.is(report.exitCode, 1);
  t.deepEqual(report.failures, [{ path: 'bad.txt', operation: 'upload', error: 'name not allowed by the service' }]);
  t.is(report.counts.uploaded, 2);
  t.is(await readFile(join(h.destination, 'd/also-good.txt'), 'utf8'), 'g2');
});

test('retries give up after the policy\'s attempts', async (t) => {
  const down = failingLocal('down', () => new ProviderError('transient', 'HTTP 500'));
  const h = await harness(t, [down]);
  await writeTree(h.source, { 'a.txt': 'a' });
  const report = await h.run({ provider: 'down' });
  t.is(report.exitCode, 1);
  t.is(report.failures[0]?.error, 'HTTP 500');
});

test('a run whose upload attempts failed clears incomplete uploads at its end; a clean run does not look', async (t) => {
  let cleanups = 0;
  const attempts = new Map<string, number>();
  const flaky = wrappedLocal('leaky', (p: StorageProvider) => {
    const wrapped = Object.create(p) as StorageProvider;
    wrapped.write = async (path, body, options) => {
      const attempt = (attempts.get(path) ?? 0) + 1;
      attempts.set(path, attempt);
      if (path === 'big.bin' && attempt === 1) {
        for await (const _ of body) break;
        throw new ProviderError('transient', 'HTTP 503 while sending a part; its clean-up was refused too');
      }
      return p.write(path, body, options);
    };
    wrapped.cleanupIncomplete = async () => {
      cleanups++;
      return p.cleanupIncomplete!();
    };
    return wrapped;
  });
  const h = await harness(t, [flaky]);
  await writeTree(h.source, { 'big.bin': 'b'.repeat(1000), 'small.txt': 's' });
  const report = await h.run({ provider: 'leaky' });
  t.is(report.exitCode, 0, JSON.stringify(report.failures));
  t.is(cleanups, 1, 'the failed attempt made the run look for leftovers');
  await writeTree(h.source, { 'new.txt': 'n' });
  t.is((await h.run({ provider: 'leaky' })).exitCode, 0);
  t.is(cleanups, 1, 'a run without failed attempts (and not after a killed run) does not');
});
