import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Write a JSON profile (JSON is also YAML) into `dir` and return its path. */
export async function writeProfile(dir: string, name: string, profile: Record<string, unknown>): Promise<string> {
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(profile, null, 2));
  return file;
}
