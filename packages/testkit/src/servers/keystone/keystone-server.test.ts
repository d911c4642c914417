import test from 'ava';
import { ensureKeystoneServer } from './ensure-keystone-server.js';

test('Keystone issues v3 tokens whose catalog points at a Swift proxy that accepts them', async (t) => {
  const keystone = await ensureKeystoneServer();
  const response = await fetch(`${keystone.authUrl}/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: keystone.user, domain: { name: keystone.domain }, password: keystone.password } } },
        scope: { project: { name: keystone.project, domain: { name: keystone.domain } } },
      },
    }),
  });
  t.is(response.status, 201);
  const token = response.headers.get('x-subject-token')!;
  const body = (await response.json()) as any;
  const swift = body.token.catalog.find((s: any) => s.type === 'object-store');
  const endpoint = swift.endpoints.find((e: any) => e.interface === 'public' && e.region_id === keystone.region);
  t.true(endpoint.url.startsWith(`${keystone.swiftUrl}/v1/AUTH_${body.token.project.id}`));
  const container = `${endpoint.url}/keystone-test-${Date.now()}`;
  t.is((await fetch(container, { method: 'PUT', headers: { 'X-Auth-Token': token } })).status, 201);
  t.is((await fetch(container, { method: 'PUT', headers: { 'X-Auth-Token': 'not-a-token' } })).status, 401);
  t.is((await fetch(container, { method: 'DELETE', headers: { 'X-Auth-Token': token } })).status, 204);
});
