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
