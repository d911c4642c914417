import { ProviderError } from '@nimbus/kernel/plugin';
import { join, relative, sep } from 'node:path';

/**
 * Remote paths ('/'-separated, relative, '' for the root) mapped into one folder.
 * Anything that could leave the folder is refused before it reaches the file system.
 */
export class RootPaths {
  constructor(readonly root: string) {}

  /** The native path of a remote path; throws ProviderError('invalid') for non-canonical or escaping paths. */
  toNative(path: string): string {
    if (path === '') return this.root;
    const segments = path.split('/');
    if (path.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..')) {
      throw new ProviderError('invalid', `"${path}" is not a canonical remote path inside the destination (no "..", "." or empty segments)`);
    }
    const native = join(this.root, ...segments);
    if (!native.startsWith(this.root + sep)) throw new ProviderError('invalid', `"${path}" escapes the destination folder`);
    return native;
  }

  /** The remote path of a native path under the root. */
  toRemote(native: string): string {
    const rel = relative(this.root, native);
    return sep === '/' ? rel : rel.split(sep).join('/');
  }
}
