/**
 * Names on a case-insensitive destination (capability `caseSensitive: false`, e.g. OneDrive,
 * Dropbox, Box): names that differ only by case are one object there, while the source's
 * file system may hold both.
 */
export function foldCase(name: string): string {
  return name.toLowerCase();
}

/** Names that differ only by case are one object at the destination: keep one, report the others. */
export interface CaseTwin<T> {
  /** The name that takes part in the run. */
  readonly kept: T;
  /** The names left out (each a per-file failure). */
  readonly left: readonly T[];
}

/**
 * Split `items` into those whose folded names are unique and groups of case twins. In each
 * group the one `preferred` says (e.g. the name the destination already holds), else the
 * first by name, is kept.
 */
export function caseTwins<T>(items: readonly T[], nameOf: (item: T) => string, preferred: (item: T) => boolean): CaseTwin<T>[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = foldCase(nameOf(item));
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const twins: CaseTwin<T>[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const sorted = [...group].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1));
    const kept = sorted.find(preferred) ?? sorted[0]!;
    twins.push({ kept, left: sorted.filter((i) => i !== kept) });
  }
  return twins;
}

/** The failure message for a name left out because of its case twin. */
export function caseTwinMessage(left: string, kept: string): string {
  return `"${left}" and "${kept}" differ only by case, which the destination does not tell apart: only "${kept}" is kept there; rename one of them`;
}
