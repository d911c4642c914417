import test from 'ava';
import { AccountDisconnectedError, withAccessToken } from '@nimbus/kernel';
import { signedIn } from './support.js';

test('a fresh token is used as it is: no refresh', async (t) => {
  const s = await signedIn(t);
  const token = await s.source().getAccessToken();
  t.is(token, s.first.accessToken);
  t.is(s.fake.stats.refreshes, 0);
});

test('the token is refreshed ahead of its expiry, and the rotated refresh token is saved', async (t) => {
  const s = await signedIn(t, { accessTokenSeconds: 8 });
  // 1 s before expiry (the margin of an 8 s token is 2 s): still valid, but refreshed now.
  const source = s.source(() => s.first.expiresAt! - 1000);
  const token = await source.getAccessToken();
  t.not(token, s.first.accessToken);
  t.is(s.fake.stats.refreshes, 1);
  const stored = await s.store.read('work');
  t.is(stored?.accessToken, token);
  t.truthy(stored?.refreshToken);
  t.not(stored?.refreshToken, s.first.refreshToken, 'the rotated refresh token replaced the old one');
});

test('many concurrent callers of an expired token share one refresh', async (t) => {
  const s = await signedIn(t);
  const source = s.source(() => s.first.expiresAt! + 1000);
  const tokens = await Promise.all(Array.from({ length: 20 }, () => source.getAccessToken()));
  t.is(new Set(tokens).size, 1);
  t.is(s.fake.stats.refreshes, 1);
});

test('after a 401, invalidate refreshes once and each request is retried once', async (t) => {
  const s = await signedIn(t);
  const source = s.source();
  const refused = s.first.accessToken;
  const attempts: string[] = [];
  const results = await Promise.all(
    Array.from({ length: 10 }, () =>
      withAccessToken(source, async (token) => {
        attempts.push(token);
        return { status: token === refused ? 401 : 200 };
      }),
    ),
  );
  t.deepEqual(results.map((r) => r.status), Array(10).fill(200));
  t.is(s.fake.stats.refreshes, 1, 'one refresh for ten refused requests');
  t.is(attempts.length, 20, 'each request sent twice, no more');
});

test('a request refused again after the refresh is not retried a second time', async (t) => {
  const s = await signedIn(t);
  let sent = 0;
  const result = await withAccessToken(s.source(), async () => {
    sent++;
    return { status: 401 };
  });
  t.is(result.status, 401);
  t.is(sent, 2);
});

test('another process rotated the refresh token: this one re-reads it under the lock instead of using the old one', async (t) => {
  const s = await signedIn(t);
  // Two processes loaded the same tokens while they were fresh.
  const first = s.source();
  t.is(await first.getAccessToken(), s.first.accessToken);
  // The second finds them expired (its clock is later) and refreshes; the fake rotates the refresh token.
  const rotated = await s.source(() => s.first.expiresAt! + 1000).getAccessToken();
  t.not(rotated, s.first.accessToken);
  // The first still holds the old tokens in memory when the service refuses its token: it must take
  // the new ones from the store, not spend the rotated-away refresh token.
  first.invalidate(s.first.accessToken);
  t.is(await first.getAccessToken(), rotated);
  t.is(s.fake.stats.refreshes, 1);
  t.is(s.fake.stats.refusedRefreshes, 0);
});

test('a refresh token revoked by the provider: the one-line "disconnected" error naming the fix', async (t) => {
  const s = await signedIn(t);
  s.fake.revokeUser('u-alice');
  const source = s.source(() => s.first.expiresAt! + 1000);
  const error = await t.throwsAsync(source.getAccessToken(), { instanceOf: AccountDisconnectedError });
  t.is(error?.message, 'account "work" was disconnected by the provider: run nimbus account reconnect work');
  t.is(error?.exitCode, 2);
});
