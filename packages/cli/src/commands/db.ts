import { createInterface } from 'node:readline/promises';
import { databaseDeletionWarning, deleteProfileDatabase, loadProfileFile, rebuildProfileDatabase, UserError } from '@nimbus/kernel';
import { consoleLogger } from '../output/console-logger.js';
import { createRegistry } from '../plugin-registry.js';

function envFor(dataDir?: string): NodeJS.ProcessEnv {
  return dataDir ? { ...process.env, NIMBUS_DATA_DIR: dataDir } : process.env;
}

/** Yes only when the person at the terminal types the profile's name. */
async function confirmed(profile: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(`Type the profile name (${profile}) to delete its cloud database: `)).trim() === profile;
  } finally {
    rl.close();
  }
}

/** `nimbus db delete <profile> [--remote]`. */
export async function dbDeleteCommand(profileFile: string, flags: { remote?: boolean; yes?: boolean; dataDir?: string }): Promise<number> {
  const loaded = loadProfileFile(profileFile);
  const name = loaded.profile.name;
  process.stderr.write(`${databaseDeletionWarning(name)}\n`);
  if (!flags.yes) {
    if (!process.stdin.isTTY) throw new UserError(`no terminal to confirm on: run again with --yes to delete the cloud database of profile ${name}`);
    if (!(await confirmed(name))) {
      process.stderr.write('nothing deleted\n');
      return 1;
    }
  }
  const result = await deleteProfileDatabase({ loaded, registry: createRegistry(), remote: Boolean(flags.remote), env: envFor(flags.dataDir) });
  process.stdout.write(
    `${result.local ? 'deleted' : 'there was no'} local cloud database of profile ${name}` +
      (flags.remote ? `; ${result.remote ? 'deleted' : 'there was no'} copy at the destination` : '') +
      '\n',
  );
  return 0;
}

/** `nimbus db rebuild <profile>`. */
export async function dbRebuildCommand(profileFile: string, flags: { json?: boolean; dataDir?: string }): Promise<number> {
  const loaded = loadProfileFile(profileFile);
  const report = await rebuildProfileDatabase({
    loaded,
    registry: createRegistry(),
    env: envFor(flags.dataDir),
    logger: consoleLogger({ quiet: Boolean(flags.json), verbose: false }),
  });
  if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const unknown = report.files - report.withKnownMtime;
    process.stdout.write(
      `rebuilt the cloud database of profile ${report.profile}: ${report.files} files` +
        (unknown ? `; ${unknown} without a known original mtime will be compared by content or sent again on the next run` : '') +
        '\n',
    );
  }
  return 0;
}
