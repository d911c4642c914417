import { ProviderError } from '@nimbus/kernel/plugin';

/** Percent-encode a file name for a URL path or the X-Bz-File-Name header, keeping the slashes. */
export function encodeFileNameForUrl(fileName: string): string {
  return fileName.split('/').map(encodeURIComponent).join('/');
}

/** Decode an X-Bz-File-Name / X-Bz-Info-* header value (B2 encodes them as URL parameters). */
export function decodeHeaderValue(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/**
 * Maps the provider's relative paths to B2 file names below the configured prefix and
 * back, enforcing B2's name rules before any request: at most 1024 UTF-8 bytes, at most
 * 250 bytes per segment, no control characters or DEL.
 */
export class FileNames {
  /** '' or 'prefix/' */
  readonly root: string;

  constructor(prefix: string) {
    this.root = prefix === '' ? '' : `${prefix}/`;
  }

  nameOf(path: string): string {
    if (path === '' || !isCanonical(path)) throw new ProviderError('invalid', `"${path}" is not a valid file path`);
    const name = this.root + path;
    if (Buffer.byteLength(name, 'utf8') > 1024) throw new ProviderError('invalid', `"${path}": B2 file names are at most 1024 bytes of UTF-8 (prefix included)`);
    if (path.split('/').some((s) => Buffer.byteLength(s, 'utf8') > 250)) throw new ProviderError('invalid', `"${path}": B2 allows at most 250 bytes of UTF-8 between slashes`);
    if (/[\u0000-\u001f\u007f]/.test(path)) throw new ProviderError('invalid', `"${path}": B2 file names cannot contain control characters`);
    return name;
  }

  /** Name prefix listing the contents of folder `dir` ('' = the root). */
  folderPrefix(dir: string): string {
    if (dir === '') return this.root;
    if (!isCanonical(dir)) throw new ProviderError('invalid', `"${dir}" is not a valid folder path`);
    return `${this.root}${dir}/`;
  }

  /** The relative path of a listed name, or undefined for names outside the root. */
  pathOf(name: string): string | undefined {
    if (!name.startsWith(this.root)) return undefined;
    const path = name.slice(this.root.length);
    return path !== '' && isCanonical(path) ? path : undefined;
  }
}

function isCanonical(path: string): boolean {
  return !path.startsWith('/') && !path.endsWith('/') && !path.split('/').some((s) => s === '' || s === '.' || s === '..');
}
