import type { StorageProvider } from '@nimbus/kernel';

/**
 * How a case-insensitive service compares names. "Dropbox and the Dropbox API are
 * case-insensitive" (Dropbox staff, Dropbox Community thread 247874); OneDrive and Box behave
 * the same way, and all three keep the case a name was first created with.
 */
export function foldCase(name: string): string {
  return name.toLowerCase();
}

const joined = (dir: string, name: string) => (dir === '' ? name : `${dir}/${name}`);

async function childNames(provider: StorageProvider, dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const page of provider.list(dir, { recursive: false })) for (const e of page) names.push(e.path.slice(dir === '' ? 0 : dir.length + 1));
  } catch {
    return []; // a folder that does not exist has no children
  }
  return names;
}

/**
 * The spelling under which `path` already exists on a case-sensitive `provider` seen as
 * case-insensitive: each segment takes the existing name that differs only by case (an exact
 * match first); segments with no such name stay as given (a new object is created so).
 */
export async function existingSpelling(provider: StorageProvider, path: string): Promise<string> {
  const segments = path.split('/');
  let resolved = '';
  for (let i = 0; i < segments.length; i++) {
    const wanted = segments[i]!;
    const names = await childNames(provider, resolved);
    const match = names.includes(wanted) ? wanted : names.find((n) => foldCase(n) === foldCase(wanted));
    if (match === undefined) return joined(resolved, segments.slice(i).join('/'));
    resolved = joined(resolved, match);
  }
  return resolved;
}
