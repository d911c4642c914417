import { CloudDatabase } from '@nimbus/kernel';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** What the (only) profile's cloud database under `dataDir` records: file paths and the last run's status. */
export async function recordedState(dataDir: string): Promise<{ paths: string[]; lastRun: string | undefined; runs: number }> {
  const profiles = readdirSync(join(dataDir, 'profiles'));
  if (profiles.length !== 1) throw new Error(`expected one profile in ${dataDir}, found ${profiles.join(', ')}`);
  const db = await CloudDatabase.open(join(dataDir, 'profiles', profiles[0]!, 'cloud.sqlite'));
  try {
    const paths: string[] = [];
    for await (const page of db.filesUnder('')) paths.push(...page.map((r) => r.path));
    const runs = await db.lastRuns(1000);
    return { paths: paths.sort(), lastRun: runs[0]?.status, runs: runs.length };
  } finally {
    await db.close();
  }
}
