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

  program
    .command('buckets')
    .description('list the buckets, containers, drives or libraries an account holds, to choose one for a profile')
    .argument('<profile|provider:>', 'a profile file, or a provider id followed by a colon (e.g. gdrive:)')
    .option('--account <name>', 'with <provider>: the linked account to ask')
    .option('--connection <name>', 'with <provider>: the connection (connections.yaml) to use')
    .option('--json', 'print as JSON')
    .option('--data-dir <dir>', 'Nimbus data folder')
    .action(async (what: string, options) => {
      const { bucketsCommand } = await import('./commands/buckets.js');
      process.exitCode = await bucketsCommand(what, options);
    });

  addAccountCommands(program);

  return program;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port number (1-65535)`);
  return n;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a number of seconds above 0`);
  return n;
}

/** Options of the commands that sign in. */
function signInOptions(command: Command): Command {
  return command
    .option('--device-code', 'sign in with a code typed on another device (where the provider offers it)')
    .option('--no-browser', 'no browser here: run nimbus account authorize on a machine with one and paste its result')
    .option('--timeout <seconds>', 'give up when the sign-in is not completed within this time (default 300)', seconds)
    .option('--port <n>', 'loopback port of the sign-in redirect (default: any free port)', portNumber)
    .option('--data-dir <dir>', 'Nimbus data folder (default: $NIMBUS_DATA_DIR or the XDG data folder)');
}

/** `nimbus account ...`: linked cloud accounts (OAuth 2). */
function addAccountCommands(program: Command): void {
  const account = program
    .command('account')
    .description('linked cloud accounts: sign in once in a browser, then profiles name the account');
  signInOptions(
    account
      .command('add')
      .description('link an account: sign in with your own OAuth client (its secret, if any, in $NIMBUS_CLIENT_SECRET)')
      .argument('<provider>', 'the plugin, e.g. gdrive')
      .option('--name <name>', 'name profiles use for it (default: the provider id)')
      .option('--profile <file>', 'instead, an authorization held by this profile alone (ownAuthorization: true), e.g. for profiles run in parallel against Egnyte')
      .option('--client-id <id>', 'your OAuth client id at the provider (Nimbus ships none)')
      .option('--scope <scope>', 'ask for this scope instead of the plugin\'s default ones (repeatable)', collect, [])
      .option('--endpoint <name=url>', 'replace an OAuth endpoint: authorization, token, device, revocation, userinfo (repeatable)', collect, [])
      .option('--json', 'print the result as JSON'),
  ).action(async (provider: string, options) => {
    const { accountAddCommand } = await import('./commands/account.js');
    process.exitCode = await accountAddCommand(provider, options);
  });
  signInOptions(
    account
      .command('authorize')
      .description('sign in on this machine and print a line to paste into account add --no-browser on another one')
      .argument('<provider>', 'the plugin, e.g. gdrive')
      .option('--client-id <id>', 'the same client id as on the other machine')
      .option('--scope <scope>', 'scope to ask for (repeatable)', collect, [])
      .option('--endpoint <name=url>', 'replace an OAuth endpoint (repeatable)', collect, []),
  ).action(async (provider: string, options) => {
    const { accountAuthorizeCommand } = await import('./commands/account.js');
    process.exitCode = await accountAuthorizeCommand(provider, options);
  });
  signInOptions(
    account
      .command('reconnect')
      .description('sign in again (after the provider disconnected the account, or a password change)')
      .argument('<name>', 'the account'),
  ).action(async (name: string, options) => {
    const { accountReconnectCommand } = await import('./commands/account.js');
    process.exitCode = await accountReconnectCommand(name, options);
  });
  account
    .command('list')
    .description('linked accounts, and which token store keeps their secrets')
    .option('--json', 'print as JSON')
    .option('--data-dir <dir>', 'Nimbus data folder')
    .action(async (options) => {
      const { accountListCommand } = await import('./commands/account.js');
      process.exitCode = await accountListCommand(options);
    });
  account
    .command('test')
    .description('ask the provider who the account is (refreshing its token if needed)')
    .argument('<name>', 'the account')
    .option('--json', 'print as JSON')
    .option('--data-dir <dir>', 'Nimbus data folder')
    .action(async (name: string, options) => {
      const { accountTestCommand } = await import('./commands/account.js');
      process.exitCode = await accountTestCommand(name, options);
    });
  account
    .command('remove')
    .description('revoke the account\'s tokens at the provider and forget them here')
    .argument('<name>', 'the account')
    .option('--data-dir <dir>', 'Nimbus data folder')
    .action(async (name: string, options) => {
      const { accountRemoveCommand } = await import('./commands/account.js');
      process.exitCode = await accountRemoveCommand(name, options);
    });
}
