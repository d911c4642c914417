import { Command, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError(`"${value}" is not a whole number from 1 to 256`);
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Options every run-like command takes. */
function runOptions(command: Command): Command {
  return command
    .option('-n, --dry-run', 'print what would be done; write nothing')
    .option('--json', 'print the report as JSON on stdout')
    .option('-q, --quiet', 'no progress bar, no summary (errors still go to stderr)')
    .option('--data-dir <dir>', 'where cloud databases live (default: $NIMBUS_DATA_DIR or the XDG data folder)');
}

/**
 * The command tree. Actions import their modules (and so the kernel, SDKs and plugins)
 * only when they run, so `nimbus --help` stays fast.
 */
export function buildProgram(): Command {
  const program = new Command('nimbus')
    .description('Back up and synchronise folders with cloud storage.')
    .version(version, '-V, --version')
    .exitOverride()
    // Usage mistakes: one line, with where to look.
    .configureOutput({ outputError: (text, write) => write(`nimbus: ${text.trim().replace(/^error: /, '')} (see --help)\n`) });

  runOptions(
    program
      .command('backup')
      .description('one-off backup of a folder to a destination, e.g. nimbus backup ~/Photos local:/mnt/backup/photos')
      .argument('<source>', 'folder to back up')
      .argument('<destination>', '<provider>:<target>, e.g. local:/path/to/folder')
      .option('--include <glob>', 'only back up paths matching this glob (repeatable)', collect, [])
      .option('--exclude <glob>', 'skip paths matching this glob (repeatable)', collect, [])
      .addOption(new Option('--compare <method>', 'how unchanged files are recognised').choices(['size-mtime', 'hash']))
      .option('--transfers <n>', 'files transferred at once (default 4)', positiveInt)
      .option('--keep-deleted', 'keep destination files whose source file was deleted')
      .option('--verify-remote', 'list the destination instead of trusting the cloud database'),
  ).action(async (source: string, destination: string, options) => {
    const { backupCommand } = await import('./commands/backup.js');
    process.exitCode = await backupCommand(source, destination, options);
  });

  runOptions(
    program
      .command('run')
      .description('run a profile (a YAML or JSON file saying what to keep safe where)')
      .argument('<profile>', 'path of the profile file')
      .option('--force-deletes', 'sync: delete even when more than the profile\'s maxDeletePercent of the files would go')
      .option('--verify-remote', 'backup: list the destination instead of trusting the cloud database (as verifyRemote: true)'),
  ).action(async (profile: string, options) => {
    const { runCommand } = await import('./commands/run.js');
    process.exitCode = await runCommand(profile, options);
  });

  program
    .command('restore')
    .description('bring a profile\'s files back from its destination into a folder')
    .argument('<profile>', 'path of the profile file, or <provider>:<target> as given to nimbus backup')
    .argument('<target-folder>', 'folder to restore into (created when missing)')
    .option('--path <glob>', 'only restore paths matching this glob (repeatable)', collect, [])
    .option('--at <time>', 'restore files as they were at this time (e.g. 2026-11-20T18:00, from the versions kept)')
    .option('--force', 'overwrite local files even when they are newer')
    .option('-n, --dry-run', 'print what would be restored; write nothing')
    .option('--json', 'print the report as JSON on stdout')
    .option('-q, --quiet', 'no progress bar, no summary')
    .option('--data-dir <dir>', 'where cloud databases live')
    .action(async (profile: string, target: string, options) => {
      const { restoreCommand } = await import('./commands/restore.js');
      process.exitCode = await restoreCommand(profile, target, options);
    });

  program
    .command('versions')
    .description('list the previous copies kept for a file, or for every file below a folder')
    .argument('<profile>', 'path of the profile file')
    .argument('[path]', 'file or folder at the destination (default: everything)')
    .option('--json', 'print as JSON')
    .option('--data-dir <dir>', 'where cloud databases live')
    .action(async (profile: string, path: string | undefined, options) => {
      const { versionsCommand } = await import('./commands/versions.js');
      process.exitCode = await versionsCommand(profile, path, options);
    });

  const db = program.command('db').description("manage a profile's cloud database");
  db.command('delete')
    .description('delete the cloud database (and with --remote its copy at the destination); says what that means first')
    .argument('<profile>', 'path of the profile file')
    .option('--remote', 'also delete the copy kept at the destination')
    .option('-y, --yes', 'do not ask for confirmation (needed when no terminal is attached)')
    .option('--data-dir <dir>', 'where cloud databases live')
    .action(async (profile: string, options) => {
      const { dbDeleteCommand } = await import('./commands/db.js');
      process.exitCode = await dbDeleteCommand(profile, options);
    });
  db.command('rebuild')
    .description('rebuild the cloud database from a full listing of the destination')
    .argument('<profile>', 'path of the profile file')
    .option('--json', 'print the result as JSON')
    .option('--data-dir <dir>', 'where cloud databases live')
    .action(async (profile: string, options) => {
      const { dbRebuildCommand } = await import('./commands/db.js');
      process.exitCode = await dbRebuildCommand(profile, options);
    });

  program
    .command('plugins')
    .description('list installed provider plugins and their capabilities')
    .option('--json', 'print as JSON')
    .option('--markdown', 'print the matrix as a Markdown table')
    .option('--profile <file>', 'also load the plugins a profile names')
    .action(async (options) => {
      const { pluginsCommand } = await import('./commands/plugins.js');
      process.exitCode = await pluginsCommand(options);
    });

  return program;
}
