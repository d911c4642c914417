import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AZURITE_BLOB_PORT, AZURITE_HOST, azuriteServerAt, type AzuriteServer } from './dev-account.js';
import { probeAzurite } from './health.js';
import { tryLock } from './start-lock.js';

const START_TIMEOUT_MS = 60_000;
const POLL_MS = 200;

/** Flags every Nimbus test run uses: loopback only, nothing on disk, no telemetry. */
export const AZURITE_BLOB_ARGS = [
  '--blobHost', AZURITE_HOST,
  '--blobPort', String(AZURITE_BLOB_PORT),
  '--inMemoryPersistence',
  '--disableTelemetry',
  '--skipApiVersionCheck',
  '--loose',
  '-s',
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The `azurite-blob` script of the azurite package the testkit depends on. */
function azuriteBlobScript(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('azurite/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(manifestPath), manifest.bin['azurite-blob']!);
}

function logTail(logPath: string): string {
  try {
    return readFileSync(logPath, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no log)';
  }
}

/** Start Azurite detached, so it outlives this (AVA worker) process and serves the next ones. */
function startDetached(logPath: string): { exited: () => string | undefined } {
  const log = openSync(logPath, 'a');
  let exit: string | undefined;
  try {
    const child = spawn(process.execPath, [azuriteBlobScript(), ...AZURITE_BLOB_ARGS], {
      detached: true,
      stdio: ['ignore', log, log],
      cwd: tmpdir(),
    });
    child.on('exit', (code, signal) => (exit = `exited with ${signal ?? code}`));
    child.on('error', (error) => (exit = `failed to start: ${error.message}`));
    child.unref();
  } finally {
    closeSync(log);
  }
  return { exited: () => exit };
}

/**
 * Reuse a healthy Azurite blob service on 127.0.0.1:10000 or start one (in memory,
 * telemetry off). Safe to call from many processes at once: a lock file lets only one
 * of them start the server while the others wait for it to answer.
 */
export async function ensureAzuriteServer(): Promise<AzuriteServer> {
  const server = azuriteServerAt(AZURITE_HOST, AZURITE_BLOB_PORT);
  const lockPath = join(tmpdir(), `nimbus-azurite-${AZURITE_BLOB_PORT}.lock`);
  const logPath = join(tmpdir(), `nimbus-azurite-${AZURITE_BLOB_PORT}.log`);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const occupant = await probeAzurite(AZURITE_HOST, AZURITE_BLOB_PORT);
    if (occupant === 'azurite') return server;
    if (occupant === 'busy') {
      await sleep(POLL_MS);
      continue;
    }
    if (occupant === 'other') {
      throw new Error(`port ${AZURITE_BLOB_PORT} on ${AZURITE_HOST} is taken by something that is not Azurite: stop it so the tests can start Azurite there`);
    }
    const release = await tryLock(lockPath);
    if (!release) {
      await sleep(POLL_MS); // another process is starting it
      continue;
    }
    try {
      if ((await probeAzurite(AZURITE_HOST, AZURITE_BLOB_PORT)) === 'azurite') return server;
      const started = startDetached(logPath);
      while (Date.now() < deadline) {
        if ((await probeAzurite(AZURITE_HOST, AZURITE_BLOB_PORT)) === 'azurite') return server;
        const exit = started.exited();
        if (exit) throw new Error(`Azurite ${exit}: ${logTail(logPath)}`);
        await sleep(POLL_MS);
      }
    } finally {
      await release();
    }
  }
  throw new Error(`Azurite did not answer on ${AZURITE_HOST}:${AZURITE_BLOB_PORT} within ${START_TIMEOUT_MS / 1000} s: ${logTail(logPath)}`);
}
