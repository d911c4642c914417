import test from 'ava';
import { MAX_FREE_THROTTLES, ProviderError, withRetry } from '@nimbus/kernel';

const FAST = { retries: 3, minDelayMs: 1, maxDelayMs: 2_000 };

test('transient failures are tried again until one succeeds; the answer is returned', async (t) => {
  let calls = 0;
  const answer = await withRetry(async () => {
    if (++calls < 3) throw new ProviderError('transient', 'HTTP 503');
    return 'stored';
  }, FAST);
  t.is(answer, 'stored');
  t.is(calls, 3);
});

test('a failure that is not transient fails at once', async (t) => {
  let calls = 0;
  await t.throwsAsync(withRetry(async () => {
    calls++;
    throw new ProviderError('not-found', 'no such object');
  }, FAST), { message: 'no such object' });
  t.is(calls, 1);
});

test('after the last retry the transient failure is reported', async (t) => {
  let calls = 0;
  await t.throwsAsync(withRetry(async () => {
    calls++;
    throw new ProviderError('transient', 'HTTP 500');
  }, FAST), { message: 'HTTP 500' });
  t.is(calls, FAST.retries + 1);
});

test("the service's Retry-After is waited for before the next try", async (t) => {
  let calls = 0;
  const started = Date.now();
  await withRetry(async () => {
    if (++calls === 1) throw new ProviderError('transient', 'HTTP 429', { retryAfterSeconds: 0.3 });
  }, FAST);
  t.true(Date.now() - started >= 290, 'waited at least what the service asked');
});

test('a Retry-After beyond the policy cap waits the cap, not the hour the service asked for', async (t) => {
  let calls = 0;
  const started = Date.now();
  await withRetry(async () => {
    if (++calls === 1) throw new ProviderError('transient', 'HTTP 503', { retryAfterSeconds: 3600 });
  }, { ...FAST, maxDelayMs: 50 });
  t.is(calls, 2);
  t.true(Date.now() - started < 30_000);
});

test('throttles do not use up the retries (the pacer slows the run instead), up to an allowance per request', async (t) => {
  const policy = { retries: 2, minDelayMs: 1, maxDelayMs: 5 };
  let calls = 0;
  const result = await withRetry(async () => {
    if (++calls <= 5) throw new ProviderError('throttled', 'HTTP 429', { retryAfterSeconds: 0 });
    return 'done';
  }, policy);
  t.is(result, 'done', 'five throttles in a row, with two retries allowed: still done');
  t.is(calls, 6);

  let endless = 0;
  const error = await t.throwsAsync(withRetry(async () => {
    endless++;
    throw new ProviderError('throttled', 'HTTP 429', { retryAfterSeconds: 0 });
  }, policy));
  t.is((error as ProviderError).kind, 'throttled');
  t.is(endless, MAX_FREE_THROTTLES + policy.retries + 1, 'a service that never lets up ends the request after the allowance and the retries');
});
