import test from 'ava';
import dns, { lookup as namedLookup } from 'node:dns';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { makeTempDir } from '../fixtures/temp-dir.js';
import { isLoopbackHost } from './loopback.js';
import { installNetworkGuard, isNetworkGuardInstalled } from './network-guard.js';

// The package's AVA config loads install.js; installing again must be harmless.
installNetworkGuard();

const GUARD_MESSAGE = /^network guard: test tried to .+; tests may only reach 127\.0\.0\.1\/::1\/localhost$/;

test('the guard is installed by the AVA require hook', (t) => {
  t.true(isNetworkGuardInstalled());
});

test('fetch to a public host rejects at once with the guard message', async (t) => {
  const started = Date.now();
  const error = await t.throwsAsync(fetch('https://example.com/'));
  t.true(Date.now() - started < 2000, 'the refusal should be immediate, not a timeout');
  const cause = (error as Error & { cause?: Error }).cause;
  t.is(cause?.message, 'network guard: test tried to reach example.com:443; tests may only reach 127.0.0.1/::1/localhost');
});

test('http.get to a public IP emits the guard error on the request', async (t) => {
  const request = http.get('http://203.0.113.7:8080/');
  const [error] = (await once(request, 'error')) as [Error];
  t.is(error.name, 'NetworkGuardError');
  t.regex(error.message, /reach 203\.0\.113\.7:8080/);
});

test('raw net.connect to a non-loopback host is refused', async (t) => {
  const socket = net.connect({ host: '10.1.2.3', port: 22 });
  const [error] = (await once(socket, 'error')) as [Error & { code?: string }];
  t.is(error.code, 'ERR_NETWORK_GUARD');
  t.regex(error.message, GUARD_MESSAGE);
  t.true(socket.destroyed);
});

test('DNS look-ups and queries of public names are refused', async (t) => {
  const callbackError = await new Promise<Error | null>((resolve) => dns.lookup('example.com', (error) => resolve(error)));
  t.regex(callbackError?.message ?? '', /look up example\.com/);
  const namedError = await new Promise<Error | null>((resolve) => namedLookup('example.org', {}, (error) => resolve(error)));
  t.regex(namedError?.message ?? '', /look up example\.org/, 'named ESM imports see the patched lookup');
  await t.throwsAsync(dns.promises.lookup('example.com'), { message: GUARD_MESSAGE });
  await t.throwsAsync(dns.promises.resolve4('example.com'), { message: /resolve example\.com through DNS/ });
  await t.throwsAsync(new dns.promises.Resolver().resolveTxt('example.com'), { message: GUARD_MESSAGE });
  const resolveError = await new Promise<Error | null>((resolve) => dns.resolveMx('example.com', (error) => resolve(error)));
  t.regex(resolveError?.message ?? '', GUARD_MESSAGE);
});

test('loopback HTTP works by address and localhost resolves', async (t) => {
  const server = http.createServer((_request, response) => response.end('hello from loopback'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => void server.close());
  const { port } = server.address() as net.AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}/`);
  t.is(await response.text(), 'hello from loopback');
  const local = await dns.promises.lookup('localhost');
  t.true(isLoopbackHost(local.address));
});

test('unix sockets are allowed', async (t) => {
  const dir = await makeTempDir('nimbus-guard-');
  t.teardown(dir.cleanup);
  const path = join(dir.path, 'test.sock');
  const server = net.createServer((socket) => socket.end('pong'));
  server.listen(path);
  await once(server, 'listening');
  t.teardown(() => void server.close());
  const client = net.connect(path);
  const chunks: Buffer[] = [];
  for await (const chunk of client) chunks.push(chunk as Buffer);
  t.is(Buffer.concat(chunks).toString(), 'pong');
});

test('isLoopbackHost accepts exactly loopback addresses and localhost', (t) => {
  for (const host of ['127.0.0.1', '127.10.20.30', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST', undefined]) {
    t.true(isLoopbackHost(host), String(host));
  }
  for (const host of ['example.com', '10.0.0.1', '0.0.0.0', '::', '::ffff:10.0.0.1', '128.0.0.1', 'localhost.example.com']) {
    t.false(isLoopbackHost(host), host);
  }
});
