/**
 * Remote paths: relative, `/`-separated, no leading/trailing slash, '' for the root.
 * Names are kept byte-exact (no Unicode normalisation), so NFC and NFD names stay distinct.
 */

export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/** True when `path` is `dir` itself or lies below it. */
export function isWithin(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(dir + '/');
}

/** Turn a user-supplied path (leading/trailing/duplicate slashes, backslashes) into canonical form. */
export function normalizeRemotePath(input: string): string {
  const segments = input.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new Error(`remote path "${input}" must not contain ".."`);
  return segments.join('/');
}
