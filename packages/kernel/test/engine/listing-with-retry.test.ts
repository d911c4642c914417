import test from 'ava';
import { listWithRetry, ProviderError, type RemoteEntry, type StorageProvider } from '@nimbus/kernel';

const FAST = { retries: 3, minDelayMs: 1, maxDelayMs: 5 };
const entry = (path: string): RemoteEntry => ({ path, kind: 'file', size: 1 }) as RemoteEntry;

/** A provider whose listing yields `pages()` (asked anew per listing), failing where `failAt` says. */
function listing(pages: () => string[][], failAt: (listingNo: number, pageNo: number) => Error | undefined) {
  let listings = 0;
  const provider = {
    async *list() {
      const n = ++listings;
      for (const [i, page] of pages().entries()) {
        const error = failAt(n, i);
        if (error) throw error;
        yield page.map(entry);
      }
    },
  } as unknown as StorageProvider;
  return { provider, listings: () => listings };
}

async function collect(iterable: AsyncIterable<RemoteEntry[]>): Promise<string[]> {
  const out: string[] = [];
  for await (const page of iterable) out.push(...page.map((e) => e.path));
  return out;
}

const busy = () => new ProviderError('transient', 'HTTP 503 Slow Down');
const PAGES = [['a', 'b'], ['c', 'd'], ['e']];

test('a page that fails once: the listing restarts and every entry is handed out exactly once', async (t) => {
  const { provider, listings } = listing(() => PAGES, (n, page) => (n === 1 && page === 2 ? busy() : undefined));
  t.deepEqual(await collect(listWithRetry(provider, '', {}, FAST)), ['a', 'b', 'c', 'd', 'e']);
  t.is(listings(), 2);
});

test('repeated failures at different pages still end with every entry once', async (t) => {
  const { provider } = listing(() => PAGES, (n, page) => (n === page ? busy() : undefined));
  t.deepEqual(await collect(listWithRetry(provider, '', {}, FAST)), ['a', 'b', 'c', 'd', 'e']);
});

test('a listing that changed between attempts is handed out again from the start: nothing is missed', async (t) => {
  let round = 0;
  const { provider } = listing(
    () => (++round === 1 ? PAGES : [['a', 'aa'], ['b', 'c'], ['d', 'e']]),
    (n, page) => (n === 1 && page === 2 ? busy() : undefined),
  );
  const seen = await collect(listWithRetry(provider, '', {}, FAST));
  for (const path of ['a', 'aa', 'b', 'c', 'd', 'e']) t.true(seen.includes(path), `${path} handed out`);
});

test('a failure that is not transient ends the listing at once', async (t) => {
  const { provider, listings } = listing(() => PAGES, (_n, page) => (page === 1 ? new ProviderError('auth', 'HTTP 403') : undefined));
  await t.throwsAsync(collect(listWithRetry(provider, '', {}, FAST)), { message: 'HTTP 403' });
  t.is(listings(), 1);
});

test('a listing that keeps failing gives up after the policy\'s retries', async (t) => {
  const { provider, listings } = listing(() => PAGES, () => busy());
  await t.throwsAsync(collect(listWithRetry(provider, '', {}, FAST)), { message: /503/ });
  t.is(listings(), FAST.retries + 1);
});
test('throttles on the first page do not use up the listing\'s retries', async (t) => {
  const throttled = () => new ProviderError('throttled', 'HTTP 429', { retryAfterSeconds: 0 });
  // More throttles in a row than FAST allows retries: the listing still completes.
  const { provider, listings } = listing(() => PAGES, (n, page) => (n <= 6 && page === 0 ? throttled() : undefined));
  t.deepEqual(await collect(listWithRetry(provider, '', {}, FAST)), ['a', 'b', 'c', 'd', 'e']);
  t.is(listings(), 7);
});
