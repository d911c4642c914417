import test from 'ava';
import {
  MINIMAL_CAPABILITIES, Pacer, pacedProvider, ProviderError, uploadInParts,
  type ChunkedUploadProtocol, type PartReceipt, type RequestPacer, type StorageProvider, type WriteOptions,
} from '@nimbus/kernel';
import { Readable } from 'node:stream';

const throttle = (retryAfterSeconds: number) => new ProviderError('throttled', 'HTTP 429 SlowDown', { retryAfterSeconds });

/** A chunked-upload service in memory that answers the requests listed in `throttled` 429 once each. */
class ThrottlingService implements ChunkedUploadProtocol<string> {
  readonly requests: string[] = [];
  readonly throttled: Set<string>;
  constructor(throttled: string[]) {
    this.throttled = new Set(throttled);
  }
  private request(name: string): void {
    this.requests.push(name);
    if (this.throttled.delete(name)) throw throttle(0.05);
  }
  async putWhole(): Promise<string> {
    this.request('put');
    return 'whole';
  }
  async begin(): Promise<string> {
    this.request('begin');
    return 'session';
  }
  async uploadPart(_state: string, number: number, part: { data: Buffer }): Promise<PartReceipt> {
    this.request(`part ${number}`);
    return { number, size: part.data.length, token: `t${number}` };
  }
  async commit(_state: string, parts: readonly PartReceipt[]): Promise<string> {
    this.request('commit');
    return parts.map((p) => p.token).join(',');
  }
  async abort(): Promise<void> {
    this.requests.push('abort');
  }
}

const body = () => Readable.from([Buffer.alloc(30, 1)]);
const upload = (service: ThrottlingService, pacer: RequestPacer | undefined, partAttempts: number) =>
  uploadInParts(service, body(), { path: 'f', size: 30, sizeOf: () => 10, partConcurrency: 2, partAttempts, ...(pacer ? { pacer } : {}) });

test('a throttled part is sent again after the pause, even with one attempt per part (B2\'s parts retry themselves): the session goes on', async (t) => {
  const pacer = new Pacer();
  const service = new ThrottlingService(['part 2']);
  const sent = await upload(service, pacer, 1);
  t.is(sent.result, 't1,t2,t3');
  t.deepEqual(service.requests.filter((r) => r === 'begin' || r === 'abort'), ['begin'], 'one session, never aborted');
  t.deepEqual(service.requests.filter((r) => r === 'part 2'), ['part 2', 'part 2'], 'the throttled part alone is sent again');
});

test('a throttled part pauses the connection\'s pacer, so the other transfers wait too', async (t) => {
  const pacer = new Pacer();
  const service = new ThrottlingService(['part 1']);
  const observed: unknown[] = [];
  const observe = pacer.observe.bind(pacer);
  pacer.observe = (error) => {
    observed.push(error);
    observe(error);
  };
  await upload(service, pacer, 3);
  t.is(observed.filter((e) => e instanceof ProviderError && e.kind === 'throttled').length, 1, 'the pacer saw the part\'s 429 once');
});

test('a throttled begin or commit is sent again after the pause: the parts already sent stay', async (t) => {
  for (const request of ['begin', 'commit']) {
    const service = new ThrottlingService([request]);
    const sent = await upload(service, new Pacer(), 3);
    t.is(sent.result, 't1,t2,t3');
    t.is(service.requests.filter((r) => r === request).length, 2, `${request} twice`);
    t.is(service.requests.filter((r) => r.startsWith('part')).length, 3, `${request}: each part once`);
    t.false(service.requests.includes('abort'));
  }
});

test('a provider with chunked uploads gets the pacer with each write and is not paced as a whole as well (one token per request)', async (t) => {
  // One request per ~17 minutes and one in the bucket: a second token taken for the same upload would hold it.
  const pacer = new Pacer({ requestsPerSecond: 0.001, burst: 1 });
  let given: RequestPacer | undefined;
  const inner = {
    capabilities: { ...MINIMAL_CAPABILITIES, chunkedUpload: { minPartSize: 1, maxPartSize: 10, maxParts: 10, threshold: 10 } },
    async write(path: string, _body: Readable, options?: WriteOptions) {
      given = options?.pacer;
      // The upload's one request, through the pacer it was given.
      await given!.call(async () => undefined);
      return { path, kind: 'file' as const, size: 0 };
    },
  } as unknown as StorageProvider;
  await pacedProvider(inner, pacer).write('f', body(), {});
  t.is(given, pacer);

  // A provider without chunked uploads: the write is one request, paced as a whole.
  let inCall = false;
  const single = { capabilities: MINIMAL_CAPABILITIES, write: async (_p: string, _b: Readable, options?: WriteOptions) => (given = options?.pacer, inCall = true) } as unknown as StorageProvider;
  given = undefined;
  await pacedProvider(single, new Pacer()).write('f', body(), {});
  t.true(inCall);
  t.is(given, undefined);
});
