import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';

/** `~/x` → home folder; relative → against baseDir. */
export function resolveUserPath(path: string, baseDir: string): string {
  if (path === '~' || path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
