import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';
import { startDetached, stopRecorded, waitUntil } from '../swift/detached-process.js';
import { ensureSwiftServer } from '../swift/ensure-swift-server.js';
import { isAlive, withServerLock } from '../swift/server-lock.js';
import {
  KEYSTONE_ADMIN, KEYSTONE_PORT, KEYSTONE_REGION, KEYSTONE_SWIFT_PORT, KEYSTONE_USER, keystoneConf, keystoneProxyConf,
} from './keystone-config.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';

/** Keystone (Identity v3) on loopback, with a Swift proxy that accepts its tokens. */
export interface KeystoneServer {
  /** Identity v3 URL: http://127.0.0.1:5000/v3 */
  readonly authUrl: string;
  readonly region: string;
  /** A member of its own project, for backups. */
  readonly user: string;
  readonly password: string;
  readonly project: string;
  readonly domain: string;
  /** The Keystone-aware Swift proxy (its storage URLs are in the catalog). */
  readonly swiftUrl: string;
  readonly stateDir: string;
}

export const KEYSTONE_STATE_DIR = process.env.NIMBUS_TEST_KEYSTONE_DIR ?? '/tmp/nimbus-test-keystone';
const IDENTITY = `http://127.0.0.1:${KEYSTONE_PORT}/v3`;
const SWIFT_URL = `http://127.0.0.1:${KEYSTONE_SWIFT_PORT}`;

let pending: Promise<KeystoneServer> | undefined;

/**
 * Reuses or starts Debian's Keystone 22 (Identity v3 only; sqlite in WAL mode, fernet
 * tokens) on 127.0.0.1:5000 and a Keystone-authenticated Swift proxy on 127.0.0.1:8081 over
 * the Swift test server's back ends (started too if needed). First start ~20 s; the
 * database is kept between starts. Detached and locked like ensureSwiftServer().
 */
export function ensureKeystoneServer(): Promise<KeystoneServer> {
  pending ??= ensure().catch((error) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

async function ensure(): Promise<KeystoneServer> {
  const swift = await ensureSwiftServer();
  const server: KeystoneServer = {
    authUrl: IDENTITY, region: KEYSTONE_REGION, user: KEYSTONE_USER.user, password: KEYSTONE_USER.password,
    project: KEYSTONE_USER.project, domain: KEYSTONE_USER.domain, swiftUrl: SWIFT_URL, stateDir: KEYSTONE_STATE_DIR,
  };
  if (await isHealthy()) return server;
  await mkdir(KEYSTONE_STATE_DIR, { recursive: true });
  await withServerLock(`${KEYSTONE_STATE_DIR}.lock`, async () => {
    if (await isHealthy()) return;
    await start(`${swift.stateDir}/etc`);
  });
  return server;
}

async function token(who: { user: string; password: string; project: string; domain: string }): Promise<{ token: string; body: any } | undefined> {
  const response = await fetch(`${IDENTITY}/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: who.user, domain: { name: who.domain }, password: who.password } } },
        scope: { project: { name: who.project, domain: { name: who.domain } } },
      },
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.json().catch(() => undefined);
  const subject = response.headers.get('x-subject-token');
  return response.ok && subject ? { token: subject, body } : undefined;
}

/** Keystone issues the backup user a token whose catalog has Swift, and the proxy accepts it. */
async function isHealthy(): Promise<boolean> {
  try {
    const issued = await token(KEYSTONE_USER);
    const endpoint = issued?.body?.token?.catalog?.find((s: any) => s.type === 'object-store')?.endpoints?.find((e: any) => e.interface === 'public');
    if (!issued || !endpoint) return false;
    const account = await fetch(endpoint.url, { method: 'HEAD', headers: { 'X-Auth-Token': issued.token }, signal: AbortSignal.timeout(10_000) });
    return account.ok;
  } catch {
    return false;
  }
}

async function start(swiftEtcDir: string): Promise<void> {
  if (!existsSync('/usr/bin/keystone-manage')) {
    throw new Error('Keystone is not installed: run `bash packages/testkit/servers/install-debian-packages.sh` as root');
  }
  const dir = KEYSTONE_STATE_DIR;
  await Promise.all([mkdir(`${dir}/log`, { recursive: true }), mkdir(`${dir}/policy.d`, { recursive: true })]);
  await Promise.all(['keystone', 'proxy'].map((name) => stopRecorded(`${dir}/${name}.pid`)));
  const conf = `${dir}/keystone.conf`;
  await writeFile(conf, keystoneConf(dir));
  const bootstrapped = `${dir}/bootstrapped`;
  if (!existsSync(bootstrapped)) {
    const manage = (...args: string[]) => run(PYTHON, ['/usr/bin/keystone-manage', '--config-file', conf, ...args], { cwd: dir });
    const owner = ['--keystone-user', userInfo().username, '--keystone-group', userInfo().username === 'root' ? 'root' : String(process.getgid?.() ?? '')];
    await manage('db_sync');
    await manage('fernet_setup', ...owner);
    await manage('credential_setup', ...owner);
    const url = `${IDENTITY}/`;
    await manage('bootstrap', '--bootstrap-password', KEYSTONE_ADMIN.password, '--bootstrap-admin-url', url, '--bootstrap-public-url', url, '--bootstrap-internal-url', url, '--bootstrap-region-id', KEYSTONE_REGION);
    // Without WAL, writes through the API soon fail with "database is locked".
    await run(PYTHON, ['-c', `import sqlite3; sqlite3.connect(${JSON.stringify(`${dir}/keystone.db`)}).execute('PRAGMA journal_mode=WAL')`]);
  }

  const keystonePid = await startDetached(PYTHON, ['/usr/bin/keystone-wsgi-public', '--host', '127.0.0.1', '--port', String(KEYSTONE_PORT)], {
    logFile: `${dir}/log/serve.log`, pidFile: `${dir}/keystone.pid`, cwd: dir,
    env: { ...process.env, OS_KEYSTONE_CONFIG_DIR: dir, OS_KEYSTONE_CONFIG_FILES: 'keystone.conf' },
  });
  await waitUntil(async () => {
    if (!isAlive(keystonePid)) throw new Error(`keystone exited at start; see ${dir}/log/serve.log`);
    return (await fetch(IDENTITY, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined))?.ok === true;
  }, 60_000, 'Keystone', `${dir}/log`);

  if (!existsSync(bootstrapped)) {
    await register();
    await writeFile(bootstrapped, new Date().toISOString());
  }

  await writeFile(`${dir}/proxy-keystone.conf`, keystoneProxyConf(swiftEtcDir, userInfo().username));
  const proxyPid = await startDetached(PYTHON, ['/usr/bin/swift-proxy-server', `${dir}/proxy-keystone.conf`, '-v'], {
    logFile: `${dir}/log/proxy.log`, pidFile: `${dir}/proxy.pid`, cwd: dir,
  });
  await waitUntil(async () => {
    if (!isAlive(proxyPid)) throw new Error(`the Keystone Swift proxy exited at start; see ${dir}/log/proxy.log`);
    return isHealthy();
  }, 60_000, 'the Keystone Swift proxy', `${dir}/log/proxy.log`);
}

/** Registers Swift in the catalog and creates the backup user and its project (plain HTTP: the CLI costs ~2 s a call). */
async function register(): Promise<void> {
  const admin = await token(KEYSTONE_ADMIN);
  if (!admin) throw new Error('Keystone refused its bootstrap admin');
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${IDENTITY}${path}`, {
      method,
      headers: { 'X-Auth-Token': admin.token, 'Content-Type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(`Keystone ${method} ${path}: HTTP ${response.status} ${JSON.stringify(json).slice(0, 200)}`);
    return json as any;
  };
  const service = await call('POST', '/services', { service: { type: 'object-store', name: 'swift', enabled: true } });
  for (const iface of ['public', 'internal', 'admin']) {
    await call('POST', '/endpoints', {
      endpoint: { service_id: service.service.id, interface: iface, region_id: KEYSTONE_REGION, url: `${SWIFT_URL}/v1/AUTH_%(project_id)s`, enabled: true },
    });
  }
  const project = await call('POST', '/projects', { project: { name: KEYSTONE_USER.project, domain_id: 'default', enabled: true } });
  const user = await call('POST', '/users', { user: { name: KEYSTONE_USER.user, domain_id: 'default', password: KEYSTONE_USER.password, enabled: true } });
  const roles = await call('GET', '/roles?name=member');
  await call('PUT', `/projects/${project.project.id}/users/${user.user.id}/roles/${roles.roles[0].id}`);
}
