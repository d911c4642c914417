import test from 'ava';
import { ensureAzuriteServer } from './ensure-azurite-server.js';
import { probeAzurite } from './health.js';

test('ensureAzuriteServer: parallel callers share one server on 127.0.0.1:10000', async (t) => {
  const servers = await Promise.all([ensureAzuriteServer(), ensureAzuriteServer(), ensureAzuriteServer()]);
  t.deepEqual(new Set(servers.map((s) => s.blobEndpoint)), new Set(['http://127.0.0.1:10000/devstoreaccount1']));
  t.is(servers[0]!.accountName, 'devstoreaccount1');
  t.regex(servers[0]!.connectionString, /^DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=.+;BlobEndpoint=http:\/\/127\.0\.0\.1:10000\/devstoreaccount1;$/);
  t.is(await probeAzurite('127.0.0.1', 10000), 'azurite');
});
