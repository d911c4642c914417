/**
 * Swift's container-name rules (swift.common.constraints): 1–256 bytes of UTF-8, no `/`.
 * Returns the rule broken, or undefined when the name is valid.
 */
export function validateContainerName(name: string): string | undefined {
  if (name.length === 0) return 'a container name must not be empty';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > 256) return `a container name is at most 256 bytes of UTF-8 (this one has ${bytes})`;
  if (name.includes('/')) return 'a container name must not contain "/" (put folders in path instead)';
  if (name === '.' || name === '..') return 'a container name cannot be "." or ".."';
  if (/[\u0000-\u001f]/.test(name)) return 'a container name must not contain control characters';
  return undefined;
}
