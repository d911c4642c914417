import { existsSync } from 'node:fs';
import { bucketListingProfile, formatTable, listDestinationBuckets, loadProfileFile, UserError } from '@nimbus/kernel';
import { promptPassword } from '../output/password-prompt.js';
import { createRegistry } from '../plugin-registry.js';

export interface BucketsFlags {
  account?: string;
  connection?: string;
  json?: boolean;
  dataDir?: string;
}

/** `nimbus buckets <profile | provider:>`: what the account holds, to choose a bucket, drive or library. */
export async function bucketsCommand(what: string, flags: BucketsFlags): Promise<number> {
  const env = flags.dataDir ? { ...process.env, NIMBUS_DATA_DIR: flags.dataDir } : process.env;
  const provider = /^([a-z][a-z0-9-]*):(.*)$/s.exec(what);
  let loaded;
  if (provider && !existsSync(what)) {
    const [, id, target] = provider as unknown as [string, string, string];
    if (target.trim()) throw new UserError(`give only the provider, with a colon: nimbus buckets ${id}: (its settings come from --account or --connection)`);
    loaded = bucketListingProfile({
      provider: id,
      ...(flags.account ? { account: flags.account } : {}),
      ...(flags.connection ? { connection: flags.connection } : {}),
    });
  } else {
    if (flags.account || flags.connection) throw new UserError('--account and --connection go with <provider>:, not with a profile (the profile says them)');
    loaded = loadProfileFile(what);
  }
  const { label, buckets } = await listDestinationBuckets({ loaded, registry: createRegistry(), env, prompt: promptPassword });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(buckets, null, 2)}\n`);
    return 0;
  }
  if (buckets.length === 0) {
    process.stdout.write(`${label}: the account holds none\n`);
    return 0;
  }
  const rows = buckets.map((b) => [b.name, b.location ?? '-', b.createdAt ? new Date(b.createdAt).toISOString().slice(0, 10) : '-']);
  process.stdout.write(`${formatTable(['name', 'location', 'created'], rows)}\n`);
  return 0;
}
