import test from 'ava';
import plugin from './index.js';
import { openstackConfigSchema } from './config.js';
import { authVersionOf, makeAuthenticator } from './identity/make-authenticator.js';

const parse = (settings: Record<string, unknown>) => openstackConfigSchema.parse({ container: 'c', ...settings });

test('presets fill in the auth URL, version and region; the profile wins', (t) => {
  const rackspace = makeAuthenticator(parse({ preset: 'rackspace', user: 'u', key: 'k' }));
  t.is(rackspace.constructor.name, 'AuthV2');
  t.is(rackspace.description, 'Identity v2 at https://identity.api.rackspacecloud.com/v2.0 as u');
  t.is((rackspace as any).options.region, 'DFW');
  const ovh = makeAuthenticator(parse({ preset: 'ovh', user: 'u', key: 'k', region: 'SBG' }));
  t.is(ovh.constructor.name, 'AuthV3');
  t.is((ovh as any).options.region, 'SBG');
  t.is((ovh as any).options.userDomain, 'Default');
});

test('the auth version follows the setting, the V3 switch, or the URL', (t) => {
  t.is(authVersionOf(parse({}), 'http://h:8080/auth/v1.0'), 1);
  t.is(authVersionOf(parse({}), 'https://h:5000/v2.0'), 2);
  t.is(authVersionOf(parse({}), 'https://h:5000/v3/'), 3);
  t.is(authVersionOf(parse({}), 'https://h:5000/'), 2);
  t.is(authVersionOf(parse({ useIdentityV3: true }), 'https://h:5000/'), 3);
  t.is(authVersionOf(parse({ authVersion: 1 }), 'https://h:5000/v3'), 1);
});

test('the manifest: id, secret fields, a secret-free location, one-off targets from OS_* variables', (t) => {
  t.is(plugin.id, 'openstack');
  t.deepEqual([...plugin.secretFields!], ['key', 'applicationCredentialSecret']);
  const config = parse({ authUrl: 'https://keystone.example:5000/v3', user: 'bob', key: 'hunter2', tenant: 'proj', region: 'R1', path: '/a/b/' });
  const location = plugin.describeLocation!(config, { baseDir: '/' });
  t.is(location, 'swift://bob@keystone.example:5000/proj@R1/c/a/b');
  t.false(location.includes('hunter2'));

  const saved = { ...process.env };
  t.teardown(() => { process.env = saved; });
  Object.assign(process.env, { OS_AUTH_URL: 'https://k.example/v3', OS_USERNAME: 'env-user', OS_PASSWORD: 'env-pw', OS_PROJECT_NAME: 'env-proj', OS_IDENTITY_API_VERSION: '3' });
  const target = plugin.parseTarget!('backups/laptop/photos');
  t.like(target, { container: 'backups', path: 'laptop/photos', authUrl: 'https://k.example/v3', user: 'env-user', key: 'env-pw', tenant: 'env-proj', authVersion: 3 });
  t.notThrows(() => openstackConfigSchema.parse(target));
});

test('unknown settings are refused by the strict schema', (t) => {
  t.false(openstackConfigSchema.safeParse({ container: 'c', buckt: 'x' }).success);
});
