import test from 'ava';
import { createHash } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultPlan } from './fault-plan.js';
import { startFaultInjectionProxy } from './fault-injection-proxy.js';

/** A tiny origin: PUT stores a body, GET returns it (or 100 KB of a pattern), recording what arrived. */
async function origin() {
  const stored = new Map<string, Buffer>();
  const hosts: string[] = [];
  const server = createServer((req, res) => {
    hosts.push(String(req.headers.host));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'PUT') {
        stored.set(req.url!, Buffer.concat(chunks));
        res.writeHead(201, { 'content-length': 0 }).end();
        return;
      }
      const body = stored.get(req.url!) ?? Buffer.alloc(100_000, 'abcdefgh');
      res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stored, hosts, close: () => new Promise<void>((r) => server.close(() => r())) };
}

type Outcome = { status?: number; headers?: IncomingHttpHeaders; body?: Buffer; error?: string };

function send(endpoint: string, method: string, path: string, body?: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(`${endpoint}${path}`, { method, headers: body ? { 'content-length': body.length } : {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ status: res.statusCode!, error: e.code ?? e.message }));
      res.on('aborted', () => resolve({ status: res.statusCode!, error: 'aborted' }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(body);
  });
}

test('decisions depend on the seed, method, path and attempt number, not on arrival order', (t) => {
  const rates = { 'error-503': 0.3, 'reset-request': 0.2 };
  const a = new FaultPlan(7, rates);
  const b = new FaultPlan(7, rates);
  const requests = Array.from({ length: 200 }, (_, i) => ({ method: 'PUT', path: `/b/f${i % 50}`, url: `/b/f${i % 50}` }));
  const forward = requests.map((r) => a.decide(r));
  // The same requests in another order: each (path, attempt) pair gets the same fault.
  const order = requests.map((r, i) => ({ r, i })).sort((x, y) => (x.r.path < y.r.path ? -1 : x.r.path > y.r.path ? 1 : x.i - y.i));
  const shuffled = new Map(order.map(({ r, i }) => [i, b.decide(r)]));
  t.deepEqual(forward, requests.map((_, i) => shuffled.get(i)));
  const other = new FaultPlan(8, rates);
  t.notDeepEqual(forward, requests.map((r) => other.decide(r)), 'another seed, other faults');
  const share = forward.filter(Boolean).length / forward.length;
  t.true(share > 0.35 && share < 0.65, `about half the requests get a fault (${share})`);
  t.throws(() => new FaultPlan(1, { 'error-500': 0.7, 'error-503': 0.7 }), { message: /more than 1/ });
});

test('each kind reaches the client as it would from a real network, and is counted', async (t) => {
  const server = await origin();
  t.teardown(server.close);
  const proxy = await startFaultInjectionProxy({ target: server.url, seed: 's', dialect: 's3', retryAfterSeconds: 3, delayMs: 150 });
  t.teardown(proxy.close);
  const body = Buffer.alloc(200_000, 7);

  proxy.setRates({ 'error-503': 1 });
  const e503 = await send(proxy.endpoint, 'GET', '/b/k');
  t.is(e503.status, 503);
  t.regex(e503.body!.toString(), /<Code>SlowDown<\/Code>/);

  proxy.setRates({ 'throttle-429': 1 });
  const e429 = await send(proxy.endpoint, 'GET', '/b/k');
  t.is(e429.status, 429);
  t.is(e429.headers!['retry-after'], '3');
  t.regex(e429.body!.toString(), /<Code>SlowDown<\/Code>/, 'an S3-style throttle body');
  const answeredAt = proxy.injected.at(-1)!.at;
  t.true(proxy.seen.every((r, i, all) => Number.isFinite(r.at) && (i === 0 || all[i - 1]!.at <= r.at)), 'arrival times, in order');
  t.true(proxy.seen.at(-1)!.at <= answeredAt, 'the 429 is stamped when it was answered');

  proxy.setRates({ 'reset-request': 1 });
  const resetUp = await send(proxy.endpoint, 'PUT', '/b/up', body);
  t.truthy(resetUp.error, 'the upload fails with a network error');
  t.false(server.stored.has('/b/up'), 'the server got no complete object');

  proxy.setRates({ 'reset-response': 1 });
  const resetDown = await send(proxy.endpoint, 'GET', '/b/k');
  t.truthy(resetDown.error, 'the download fails part-way');
  t.is(resetDown.status, 200, 'after the headers');
  const resetPut = await send(proxy.endpoint, 'PUT', '/b/done', body);
  t.truthy(resetPut.error, 'a PUT whose answer is lost fails for the client...');
  await new Promise((r) => setTimeout(r, 50));
  t.deepEqual(server.stored.get('/b/done'), body, '...although the server stored it');

  proxy.setRates({ 'truncate-response': 1 });
  const truncated = await send(proxy.endpoint, 'GET', '/b/k');
  t.truthy(truncated.error ?? (truncated.body!.length < 100_000 ? 'short' : undefined), 'the body ends early');

  proxy.setRates({ delay: 1 });
  const started = Date.now();
  const delayed = await send(proxy.endpoint, 'GET', '/b/k');
  t.is(delayed.status, 200);
  t.true(Date.now() - started >= 140);

  proxy.setRates({});
  const rule = proxy.alwaysFail((r) => r.path === '/b/doomed');
  t.is((await send(proxy.endpoint, 'GET', '/b/doomed')).status, 500);
  t.is((await send(proxy.endpoint, 'PUT', '/b/fine', body)).status, 201);
  t.is(rule.hits, 1);
  rule.remove();
  t.is((await send(proxy.endpoint, 'GET', '/b/doomed')).status, 200);

  t.like(proxy.counts, { 'error-503': 1, 'throttle-429': 1, 'reset-request': 1, 'reset-response': 2, 'truncate-response': 1, delay: 1, 'error-500': 1 });
  t.true(server.hosts.every((h) => h === `127.0.0.1:${proxy.port}`), 'the client\'s Host header reaches the server');
});

test('a plain forward is byte for byte and streaming', async (t) => {
  const server = await origin();
  t.teardown(server.close);
  const proxy = await startFaultInjectionProxy({ target: server.url, seed: 1 });
  t.teardown(proxy.close);
  const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) & 255));
  t.is((await send(proxy.endpoint, 'PUT', '/b/x%20y', body)).status, 201);
  const back = await send(proxy.endpoint, 'GET', '/b/x%20y');
  t.is(createHash('sha256').update(back.body!).digest('hex'), createHash('sha256').update(body).digest('hex'));
  t.is(proxy.totals.forwarded, 2);
  t.is(proxy.injected.length, 0);
});
