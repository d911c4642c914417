import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';

/**
 * A cross-process lock (a directory created atomically with mkdir), so parallel AVA worker
 * processes never start two copies of one test server. A lock whose holder died, or that is
 * older than `staleMs`, is taken over.
 */
export async function withServerLock<T>(lockDir: string, work: () => Promise<T>, staleMs = 180_000): Promise<T> {
  const deadline = Date.now() + staleMs + 30_000;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(`${lockDir}/pid`, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await isStale(lockDir, staleMs)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`test server lock ${lockDir} is held too long; remove it if no test is running`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function isStale(lockDir: string, staleMs: number): Promise<boolean> {
  try {
    const info = await stat(lockDir);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const pid = Number(await readFile(`${lockDir}/pid`, 'utf8').catch(() => ''));
    // No pid yet: the holder is between mkdir and writeFile; give it time.
    if (!pid) return Date.now() - info.mtimeMs > 5_000;
    return !isAlive(pid);
  } catch {
    return false; // gone already: the next mkdir decides
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
