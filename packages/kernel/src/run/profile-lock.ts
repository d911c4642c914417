import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors/nimbus-error.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One run per profile at a time: two runs of one profile would race on its destination
 * and database. The lock is a file holding the owner's pid; a lock left by a killed
 * process (pid gone) is taken over.
 */
export function acquireProfileLock(dir: string, profileName: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'run.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new UserError(`profile ${profileName} is already running (process ${owner}): wait for it to finish`);
      }
      rmSync(file, { force: true });
    }
  }
  throw new UserError(`profile ${profileName} could not be locked (${file}): remove the file if no run is going on`);
}
