import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';
import { startDetached, stopRecorded, waitUntil } from './detached-process.js';
import { memcachedAnswers } from './memcached.js';
import { isAlive, withServerLock } from './server-lock.js';
import {
  MEMCACHED_PORT, SWIFT_BACKENDS, SWIFT_HOST, SWIFT_PROXY_PORT, TEMPAUTH_ACCOUNT, TEMPAUTH_KEY, TEMPAUTH_USER,
  backendConf, proxyConf, swiftConf, type SwiftBackend, type SwiftLayout,
} from './swift-config.js';

const run = promisify(execFile);

/** Where and how to reach the all-in-one Swift test server (native Swift API and S3). */
export interface SwiftServer {
  /** Auth v1 (tempauth) URL. */
  readonly authUrl: string;
  /** `account:user` for auth v1. */
  readonly user: string;
  readonly key: string;
  /** The tempauth account's storage URL (http://127.0.0.1:8080/v1/AUTH_test). */
  readonly storageUrl: string;
  readonly s3Endpoint: string;
  readonly s3AccessKeyId: string;
  readonly s3SecretAccessKey: string;
  readonly region: string;
  /** Folder holding the server's configuration, data, pids and logs. */
  readonly stateDir: string;
}

/** Fixed, so every test process (and .ci/run) finds the same server. */
export const SWIFT_STATE_DIR = process.env.NIMBUS_TEST_SWIFT_DIR ?? '/tmp/nimbus-test-swift';
/** Debian's swift scripts need Debian's python (a pyenv python3 earlier on PATH cannot import swift). */
const PYTHON = '/usr/bin/python3';
const START_TIMEOUT_MS = 60_000;

const BASE_URL = `http://${SWIFT_HOST}:${SWIFT_PROXY_PORT}`;
const SERVER: Omit<SwiftServer, 'stateDir'> = {
  authUrl: `${BASE_URL}/auth/v1.0`,
  user: `${TEMPAUTH_ACCOUNT}:${TEMPAUTH_USER}`,
  key: TEMPAUTH_KEY,
  storageUrl: `${BASE_URL}/v1/AUTH_${TEMPAUTH_ACCOUNT}`,
  s3Endpoint: BASE_URL,
  s3AccessKeyId: `${TEMPAUTH_ACCOUNT}:${TEMPAUTH_USER}`,
  s3SecretAccessKey: TEMPAUTH_KEY,
  region: 'us-east-1',
};

let pending: Promise<SwiftServer> | undefined;

/**
 * Reuses a healthy Swift on 127.0.0.1:8080 or starts one (detached, so it outlives this
 * process and serves later test runs) from Debian's packages. Safe to call from parallel
 * processes: a lock makes one of them start it while the others wait.
 */
export function ensureSwiftServer(): Promise<SwiftServer> {
  pending ??= ensure().catch((error) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

async function ensure(): Promise<SwiftServer> {
  const server = { ...SERVER, stateDir: SWIFT_STATE_DIR };
  if (await isHealthy()) return server;
  await mkdir(SWIFT_STATE_DIR, { recursive: true });
  await withServerLock(`${SWIFT_STATE_DIR}.lock`, async () => {
    if (await isHealthy()) return; // another process started it while we waited
    // A running proxy that answers slowly (a loaded machine) is serving other tests:
    // give it time rather than restarting it under them.
    if (await proxyAlive()) {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        if (await isHealthy()) return;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
    await start();
  });
  return server;
}

/** The server answers its health check and tempauth hands out a token that works. */
async function proxyAlive(): Promise<boolean> {
  try {
    const pid = Number((await readFile(`${SWIFT_STATE_DIR}/run/proxy.pid`, 'utf8')).trim());
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function isHealthy(): Promise<boolean> {
  try {
    const health = await fetch(`${BASE_URL}/healthcheck`, { signal: AbortSignal.timeout(2_000) });
    if (!health.ok) return false;
    await health.arrayBuffer();
    const token = await tempauthToken();
    if (!token) return false;
    const account = await fetch(SERVER.storageUrl, { method: 'HEAD', headers: { 'X-Auth-Token': token }, signal: AbortSignal.timeout(5_000) });
    return account.ok;
  } catch {
    return false;
  }
}

/** All three back ends answer: a container and an object can be written. */
async function objectServerWorks(): Promise<boolean> {
  const token = await tempauthToken();
  const headers = { 'X-Auth-Token': token ?? '' };
  const container = `${SERVER.storageUrl}/nimbus-healthcheck`;
  const created = await fetch(container, { method: 'PUT', headers, signal: AbortSignal.timeout(5_000) });
  await created.arrayBuffer();
  if (!created.ok) return false;
  const written = await fetch(`${container}/probe`, { method: 'PUT', headers, body: 'ok', signal: AbortSignal.timeout(5_000) });
  await written.arrayBuffer();
  return written.ok;
}

async function tempauthToken(): Promise<string | undefined> {
  const response = await fetch(SERVER.authUrl, {
    headers: { 'X-Auth-User': SERVER.user, 'X-Auth-Key': SERVER.key },
    signal: AbortSignal.timeout(5_000),
  });
  await response.arrayBuffer();
  return response.ok ? response.headers.get('x-auth-token') ?? undefined : undefined;
}

async function start(): Promise<void> {
  if (!existsSync('/usr/bin/swift-proxy-server')) {
    throw new Error('OpenStack Swift is not installed: run `bash packages/testkit/servers/install-debian-packages.sh` as root');
  }
  const layout: SwiftLayout = {
    etcDir: `${SWIFT_STATE_DIR}/etc`,
    devicesDir: `${SWIFT_STATE_DIR}/data`,
    runUser: userInfo().username,
  };
  const logDir = `${SWIFT_STATE_DIR}/log`;
  const runDir = `${SWIFT_STATE_DIR}/run`;
  await Promise.all([
    mkdir(layout.etcDir, { recursive: true }),
    mkdir(`${layout.devicesDir}/sdb1`, { recursive: true }),
    mkdir(logDir, { recursive: true }),
    mkdir(runDir, { recursive: true }),
  ]);

  // Leftovers of an earlier start (e.g. a back end that died) would hold the ports.
  const kinds = Object.keys(SWIFT_BACKENDS) as SwiftBackend[];
  await Promise.all([...kinds, 'proxy'].map((kind) => stopRecorded(`${runDir}/${kind}.pid`)));

  await writeFile(`${layout.etcDir}/swift.conf`, swiftConf());
  for (const kind of kinds) await writeFile(`${layout.etcDir}/${kind}-server.conf`, backendConf(kind, layout));
  await writeFile(`${layout.etcDir}/proxy-server.conf`, proxyConf(layout));
  await Promise.all(kinds.map((kind) => buildRing(layout.etcDir, kind)));

  if (!(await memcachedAnswers(SWIFT_HOST, MEMCACHED_PORT))) {
    await stopRecorded(`${runDir}/memcached.pid`);
    await startDetached('memcached', ['-l', SWIFT_HOST, '-p', String(MEMCACHED_PORT), '-U', '0', '-u', layout.runUser], {
      logFile: `${logDir}/memcached.log`,
      pidFile: `${runDir}/memcached.pid`,
    });
    await waitUntil(() => memcachedAnswers(SWIFT_HOST, MEMCACHED_PORT), 10_000, 'memcached', `${logDir}/memcached.log`);
  }

  const pids: Record<string, number> = {};
  for (const kind of [...kinds, 'proxy'] as const) {
    pids[kind] = await startDetached(PYTHON, [`/usr/bin/swift-${kind}-server`, `${layout.etcDir}/${kind}-server.conf`, '-v'], {
      logFile: `${logDir}/${kind}.log`,
      pidFile: `${runDir}/${kind}.pid`,
      cwd: SWIFT_STATE_DIR,
    });
  }
  const startedAndHealthy = async () => {
    const dead = Object.entries(pids).find(([, pid]) => !isAlive(pid));
    if (dead) throw new Error(`swift-${dead[0]}-server exited at start; see ${logDir}/${dead[0]}.log`);
    return (await isHealthy()) && (await objectServerWorks().catch(() => false));
  };
  await waitUntil(startedAndHealthy, START_TIMEOUT_MS, 'the Swift test server', `${logDir}/*.log`);
}

/** A one-device, one-replica ring; kept between starts (building one takes seconds). */
async function buildRing(etcDir: string, kind: SwiftBackend): Promise<void> {
  const builder = `${etcDir}/${kind}.builder`;
  if (existsSync(`${etcDir}/${kind}.ring.gz`)) return;
  const ringBuilder = async (...args: string[]) => run(PYTHON, ['/usr/bin/swift-ring-builder', builder, ...args], { cwd: etcDir });
  await ringBuilder('create', '8', '1', '1');
  await ringBuilder('add', `r1z1-${SWIFT_HOST}:${SWIFT_BACKENDS[kind]}/sdb1`, '1');
  await ringBuilder('rebalance');
}
