import test from 'ava';
import { Pacer, pacedProvider, ProviderError, supports, OPTIONAL_OPERATIONS, withRetry, type StorageProvider } from '@nimbus/kernel';
import { MemoryProvider } from '@nimbus/testkit';
import { Readable } from 'node:stream';

const body = (text: string) => Readable.from([Buffer.from(text)]);

const throttle = (retryAfterSeconds?: number) =>
  new ProviderError('throttled', 'HTTP 429', retryAfterSeconds !== undefined ? { retryAfterSeconds } : {});

test('a throttle pauses the whole connection until its Retry-After: a request made meanwhile waits, the failed one is not retried by the pacer', async (t) => {
  const pacer = new Pacer();
  let tries = 0;
  const error = await t.throwsAsync(pacer.call(async () => {
    tries++;
    throw throttle(0.3);
  }));
  const throttledAt = Date.now();
  t.true(error instanceof ProviderError && error.kind === 'throttled', 'the error reaches the caller unchanged');
  t.is(tries, 1, 'the pacer does not retry (the kernel\'s retry is the one layer)');
  t.true(pacer.pausedFor > 0, 'the connection is paused');
  // Another transfer's request, made during the pause, goes only once the pause is over.
  const startedAt = await pacer.call(async () => Date.now());
  t.true(startedAt >= throttledAt + 300 - 5, `started ${startedAt - throttledAt} ms after the throttle`);
  t.is(pacer.pausedFor, 0);
});

test('other failures do not pause the connection', async (t) => {
  const pacer = new Pacer();
  await t.throwsAsync(pacer.call(async () => {
    throw new ProviderError('transient', 'HTTP 500');
  }));
  t.is(pacer.pausedFor, 0);
});

test('throttles without Retry-After back off exponentially with jitter; a success starts over', async (t) => {
  const base = 60_000;
  const pacer = new Pacer({ minBackoffMs: base, maxPauseMs: 3_600_000, maxBackoffMs: 3_600_000 });
  pacer.observe(throttle());
  const first = pacer.pausedFor;
  t.true(first > 0.5 * base - 1000 && first <= 1.5 * base, `first pause ${first}`);
  pacer.observe(throttle());
  pacer.observe(throttle());
  const third = pacer.pausedFor;
  t.true(third > 0.5 * 4 * base - 1000 && third <= 1.5 * 4 * base, `third pause ${third}`);
  // After a success the next throttle starts from the first step again.
  const quick = new Pacer({ minBackoffMs: 20 });
  for (let i = 0; i < 4; i++) quick.observe(throttle());
  await quick.call(async () => 'ok');
  quick.observe(throttle());
  t.true(quick.pausedFor <= 30, `pause after a success ${quick.pausedFor}`);
  // Without a Retry-After the backoff Nimbus chooses stops growing at maxBackoffMs (30 s by default).
  const endless = new Pacer({ minBackoffMs: 1000 });
  for (let i = 0; i < 12; i++) endless.observe(throttle());
  t.true(endless.pausedFor <= 30_000 && endless.pausedFor > 20_000, `pause after 12 throttles ${endless.pausedFor}`);
  // A long Retry-After is capped: a broken header must not stall the run for hours.
  const capped = new Pacer({ maxPauseMs: 5000 });
  capped.observe(throttle(86_400));
  t.true(capped.pausedFor <= 5000);
});

test('the token bucket lets a burst go and holds the rest when a rate is set', async (t) => {
  const pacer = new Pacer({ requestsPerSecond: 0.5, burst: 2 });
  let started = 0;
  const calls = Array.from({ length: 4 }, () => pacer.call(async () => ++started));
  // Two tokens: two requests go at once; the others wait for tokens (two seconds each at this rate).
  await new Promise((resolve) => setImmediate(resolve));
  t.is(started, 2);
  await Promise.all(calls);
  t.is(started, 4, 'the held requests go in the end');
  t.throws(() => new Pacer({ requestsPerSecond: 0 }), { instanceOf: RangeError });
});

test('the paced provider: a throttle on one operation holds the others; optional operations stay exactly as the inner provider has them', async (t) => {
  const inner = new MemoryProvider();
  let writes = 0;
  // The inner provider, except that its first write is throttled.
  const throttling = Object.create(inner) as StorageProvider;
  throttling.write = async (...args) => {
    if (++writes === 1) throw throttle(0.3);
    return inner.write(...args);
  };
  const pacer = new Pacer();
  const provider = pacedProvider(throttling, pacer);
  for (const op of OPTIONAL_OPERATIONS) t.is(supports(provider, op), supports(inner, op), op);
  await t.throwsAsync(provider.write('a.txt', body('a'), { size: 1 }));
  const throttledAt = Date.now();
  const statAt = await provider.stat('a.txt').then(() => Date.now());
  t.true(statAt >= throttledAt + 300 - 5, 'the stat of another transfer waited for the pause');
  // The kernel's retry goes through the pacer too, and a throttle is worth another try.
  const entry = await withRetry(() => provider.write('b.txt', body('b'), { size: 1 }), { retries: 2, minDelayMs: 1, maxDelayMs: 5 });
  t.is(entry.path, 'b.txt');
});

test('withRetry tries a throttled request again', async (t) => {
  let calls = 0;
  const result = await withRetry(async () => {
    if (++calls === 1) throw throttle(0);
    return 'done';
  }, { retries: 2, minDelayMs: 1, maxDelayMs: 5 });
  t.is(result, 'done');
  t.is(calls, 2);
});
