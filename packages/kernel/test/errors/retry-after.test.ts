import test from 'ava';
import { parseRetryAfter } from '@nimbus/kernel';

// RFC 9110 §10.2.3: "Retry-After = HTTP-date / delay-seconds", e.g. "Retry-After: Fri, 31 Dec 1999 23:59:59 GMT" or "Retry-After: 120".
test('Retry-After as delay-seconds or as an HTTP-date; absent or unreadable is undefined', (t) => {
  t.is(parseRetryAfter('120'), 120);
  t.is(parseRetryAfter(' 2 '), 2);
  const now = Date.parse('Fri, 31 Dec 1999 23:59:00 GMT');
  t.is(parseRetryAfter('Fri, 31 Dec 1999 23:59:59 GMT', now), 59);
  t.is(parseRetryAfter('Fri, 31 Dec 1999 23:58:00 GMT', now), 0, 'a date in the past: go now');
  t.is(parseRetryAfter(undefined), undefined);
  t.is(parseRetryAfter(null), undefined);
  t.is(parseRetryAfter('soon'), undefined);
  t.is(parseRetryAfter('-5'), undefined);
});
