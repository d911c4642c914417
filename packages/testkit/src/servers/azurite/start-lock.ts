import { open, readFile, rm, stat } from 'node:fs/promises';

/** A lock older than this is a leftover of a process killed while starting a server. */
const STALE_AFTER_MS = 60_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(lockPath: string): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    const pid = Number(text.trim());
    return Date.now() - info.mtimeMs > STALE_AFTER_MS || (Number.isSafeInteger(pid) && pid > 0 && !isAlive(pid));
  } catch {
    return false; // released meanwhile: not stale, just gone
  }
}

/**
 * Try once to take a cross-process lock (a file created exclusively, holding our pid).
 * Returns its release function, or undefined when another live process holds it.
 * Parallel AVA worker processes use it so only one of them starts a server.
 */
export async function tryLock(lockPath: string): Promise<(() => Promise<void>) | undefined> {
  try {
    const handle = await open(lockPath, 'wx');
    await handle.writeFile(String(process.pid));
    await handle.close();
    return () => rm(lockPath, { force: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (await isStale(lockPath)) await rm(lockPath, { force: true });
    return undefined;
  }
}
