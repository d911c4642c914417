import { ProviderError } from '@nimbus/kernel/plugin';

/**
 * Maps the provider's relative paths to S3 keys below the configured prefix and back.
 * Keys are byte-exact: no normalisation, no encoding (the SDK encodes the URL).
 */
export class ObjectKeys {
  /** '' or 'prefix/' */
  readonly root: string;

  constructor(prefix: string) {
    this.root = prefix === '' ? '' : `${prefix}/`;
  }

  /** Key of the object at `path`; refuses paths that are not canonical relative paths. */
  keyOf(path: string): string {
    if (path === '' || !isCanonical(path)) throw new ProviderError('invalid', `"${path}" is not a valid object path`);
    return this.root + path;
  }

  /** Key prefix listing the contents of folder `dir` ('' = the root). */
  folderPrefix(dir: string): string {
    if (dir === '') return this.root;
    if (!isCanonical(dir)) throw new ProviderError('invalid', `"${dir}" is not a valid folder path`);
    return `${this.root}${dir}/`;
  }

  /**
   * The relative path of a listed key, or undefined for keys Nimbus cannot represent:
   * outside the root, "folder marker" objects ending in '/', empty path segments.
   */
  pathOf(key: string): string | undefined {
    if (!key.startsWith(this.root)) return undefined;
    const path = key.slice(this.root.length);
    return path !== '' && isCanonical(path) ? path : undefined;
  }
}

function isCanonical(path: string): boolean {
  return !path.startsWith('/') && !path.endsWith('/') && !path.split('/').some((s) => s === '' || s === '.' || s === '..');
}
