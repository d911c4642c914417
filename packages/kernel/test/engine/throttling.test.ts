import test from 'ava';
import { maskThrottling, treeDigest, writeTree, type ThrottleRecord } from '@nimbus/testkit';
import { destinationDigest, harness, wrappedLocal } from './harness.js';

test('a backup through a provider that throttles every 7th request completes with nothing lost', async (t) => {
  let record: ThrottleRecord | undefined;
  const throttled = wrappedLocal('throttled', (p) => {
    const masked = maskThrottling(p, { every: 7, retryAfterSeconds: 0.05 });
    record = masked.record;
    return masked.provider;
  });
  const h = await harness(t, [throttled]);
  const files = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`d${i % 4}/f${i}.txt`, `content ${i}`]));
  await writeTree(h.source, files);
  const report = await h.run({ provider: 'throttled', profile: { transfers: 4 } });
  t.is(report.exitCode, 0, JSON.stringify(report.failures));
  t.is(report.counts.uploaded, 40);
  t.deepEqual(await destinationDigest(h), await treeDigest(h.source));
  t.true(record!.throttledAt.length >= 5, `${record!.throttledAt.length} of ${record!.requests} requests throttled`);
});
