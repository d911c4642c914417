/** The special container whose blobs are addressed at the account's top level. */
export const ROOT_CONTAINER = '$root';

/**
 * Azure's container naming rules: the rule a name breaks, or undefined when it is valid.
 * `$root` is accepted as the account's root container.
 */
export function validateContainerName(name: string): string | undefined {
  if (name === ROOT_CONTAINER) return undefined;
  if (name.length < 3 || name.length > 63) return `must be 3 to 63 characters long (it has ${name.length})`;
  const bad = /[^a-z0-9-]/.exec(name);
  if (bad) {
    const hint = /[A-Z]/.test(bad[0]) ? ` (use "${name.toLowerCase()}")` : '';
    return `may only hold lowercase letters, digits and dashes, not "${bad[0]}"${hint}`;
  }
  if (name.startsWith('-')) return 'must start with a letter or a digit, not a dash';
  if (name.includes('--')) return 'must not contain consecutive dashes ("--")';
  if (name.endsWith('-')) return 'must not end with a dash';
  return undefined;
}
