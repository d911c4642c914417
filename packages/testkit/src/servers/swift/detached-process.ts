import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { isAlive } from './server-lock.js';

/**
 * Starts a long-lived server process that outlives the test process (its own session,
 * output to a log file), and records its pid in `pidFile` so a later start can stop it.
 */
export async function startDetached(command: string, args: string[], options: { logFile: string; pidFile: string; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<number> {
  const log = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', log, log],
      cwd: options.cwd,
      env: options.env ?? process.env,
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid!));
    });
    child.unref();
    await writeFile(options.pidFile, String(pid));
    return pid;
  } finally {
    closeSync(log);
  }
}

/** Stops a process started by startDetached (by its recorded pid only), waiting briefly for it to exit. */
export async function stopRecorded(pidFile: string): Promise<void> {
  const pid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
  await rm(pidFile, { force: true });
  if (!pid || !isAlive(pid)) return;
  try {
    process.kill(-pid, 'SIGTERM'); // its own process group (detached)
  } catch {
    try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
  }
  for (let i = 0; i < 40 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) {
    try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}

/** Polls `probe` until it resolves true or `timeoutMs` passes. */
export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, what: string, logHint?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return; // a probe throws to give up at once (a process died)
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not become ready within ${Math.round(timeoutMs / 1000)} s${logHint ? `; see ${logHint}` : ''}`);
}
