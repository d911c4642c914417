import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeTempDir, treeDigest, writeTree } from '@nimbus/testkit';

const bin = fileURLToPath(new URL('./bin.js', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function nimbus(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, NIMBUS_DEBUG: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function workspace(t: { teardown(fn: () => Promise<void>): void }) {
  const dir = await makeTempDir('nimbus-cli-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await writeTree(source, { 'a.txt': 'alpha', 'docs/b.txt': 'beta', 'docs/empty/': null });
  return { root: dir.path, source, destination: join(dir.path, 'backup'), data: join(dir.path, 'data') };
}

/** A user's mistake: exit 2, exactly one line on stderr, no stack trace, nothing on stdout. */
function assertUsageError(t: import('ava').ExecutionContext, r: Result, pattern: RegExp) {
  t.is(r.code, 2, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0]!, /^nimbus: /);
  t.regex(lines[0]!, pattern);
  t.notRegex(r.stderr, /\n\s+at /);
  t.is(r.stdout, '');
}

test('--help lists the commands and exits 0; every command has --help', async (t) => {
  const r = await nimbus(['--help']);
  t.is(r.code, 0);
  for (const c of ['backup', 'run', 'plugins']) t.regex(r.stdout, new RegExp(`\\b${c}\\b`));
  for (const c of ['backup', 'run', 'plugins']) {
    const sub = await nimbus([c, '--help']);
    t.is(sub.code, 0);
    t.regex(sub.stdout, /Usage: nimbus/);
  }
  const run = await nimbus(['run', '--help']);
  t.regex(run.stdout, /--dry-run/);
  t.regex(run.stdout, /--json/);
});

test('the README\'s command list names every command the CLI has', async (t) => {
  const help = (await nimbus(['--help'])).stdout;
  const commands = [...help.split(/^Commands:$/m)[1]!.matchAll(/^  ([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
  t.true(commands.length >= 6, help);
  const readme = await readFile(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
  const block = readme.split('## Using it')[1]!.split('```')[1]!;
  for (const c of commands) t.regex(block, new RegExp(`^nimbus ${c}\\b`, 'm'), `README lists nimbus ${c}`);
});

test('backup twice: the second run transfers nothing; a change transfers one', async (t) => {
  const w = await workspace(t);
  const args = ['backup', w.source, `local:${w.destination}`, '--data-dir', w.data];
  const first = await nimbus(args);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /2 files transferred \(2 new, 0 changed/);
  t.regex(first.stdout, /1 folder created/);
  t.deepEqual(await treeDigest(w.destination), await treeDigest(w.source));
  const second = await nimbus(args);
  t.regex(second.stdout, /0 files transferred .* 2 unchanged/);
  await writeFile(join(w.source, 'a.txt'), 'alpha 2');
  const third = await nimbus([...args, '--json']);
  const report = JSON.parse(third.stdout);
  t.is(report.counts.updated, 1);
  t.is(report.counts.unchanged, 1);
  t.is(report.exitCode, 0);
  t.is(third.stderr, '');
});

test('--dry-run prints the plan and writes nothing', async (t) => {
  const w = await workspace(t);
  const r = await nimbus(['backup', w.source, `local:${w.destination}`, '--data-dir', w.data, '--dry-run']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /Dry run \(nothing written\)/);
  t.regex(r.stdout, /would upload a\.txt/);
  t.regex(r.stdout, /would make-folder docs\/empty/);
  t.false(existsSync(w.destination));
  t.false(existsSync(w.data));
});

test('run <profile> with a YAML profile, relative paths from the profile\'s folder', async (t) => {
  const w = await workspace(t);
  const profile = join(w.root, 'nightly.yaml');
  await writeFile(profile, 'source: ./source\ndestination:\n  provider: local\n  path: ./backup\nfilters:\n  exclude: ["docs/**"]\n');
  const r = await nimbus(['run', profile, '--data-dir', w.data, '--json']);
  t.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  t.is(report.profile, 'nightly');
  t.is(report.counts.uploaded, 1);
  t.is(await readFile(join(w.destination, 'a.txt'), 'utf8'), 'alpha');
  t.true(existsSync(join(w.data, 'profiles', 'nightly', 'cloud.sqlite')));
});

test('bad input: one clear line, exit 2, nothing written', async (t) => {
  const w = await workspace(t);
  const badProfile = join(w.root, 'bad.yaml');
  await writeFile(badProfile, 'source: ./source\ndestination: {provider: local, path: ./backup}\ntransfer: 3\n');
  const wrongType = join(w.root, 'wrong.json');
  await writeFile(wrongType, JSON.stringify({ source: './source', destination: { provider: 'local', path: 7 } }));
  const cases: [string[], RegExp][] = [
    [['backup', join(w.root, 'missing'), `local:${w.destination}`], /source folder .*missing does not exist/],
    [['backup', w.source, 'nowhere:/x'], /unknown provider "nowhere"/],
    [['backup', w.source, w.destination], /names no provider: write it as <provider>:<target>/],
    [['backup', w.source, `local:${join(w.source, 'a.txt', 'sub')}`], /cannot|not a folder|exists/i],
    [['run', badProfile], /unknown field "transfer" \(did you mean "transfers"\?\)/],
    [['run', wrongType], /field "destination\.path" is invalid/],
    [['run', join(w.root, 'nope.yaml')], /profile .*nope\.yaml does not exist/],
    [['backup', w.source, `local:${w.destination}`, '--transfers', 'lots'], /"lots" is not a whole number/],
    [['backup', w.source, `local:${w.destination}`, '--frobnicate'], /unknown option '--frobnicate'/],
    [['backup', w.source], /missing required argument 'destination'/],
    [['nonsense'], /unknown command 'nonsense'/],
  ];
  for (const [args, pattern] of cases) {
    const withData = args[0] === 'nonsense' ? args : [...args, '--data-dir', w.data];
    const r = await nimbus(withData);
    assertUsageError(t, r, pattern);
  }
  t.false(existsSync(w.destination), 'no destination written');
  t.false(existsSync(w.data), 'no database written');
});

test('plugins prints the capability matrix; --json gives the same as data', async (t) => {
  const r = await nimbus(['plugins']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^plugin\s+metadata\s+mtime/m);
  t.regex(r.stdout, /^local\s+db\s+any-time \(1 ms\)\s+-\s+real/m);
  const json = JSON.parse((await nimbus(['plugins', '--json'])).stdout);
  const local = json.find((p: { id: string }) => p.id === 'local');
  t.is(local.capabilities.folders, 'real');
  t.is(local.kernelApi, '^1.0.0');
});

/** Install a third-party plugin package (a re-labelled plugin-local) into `root`/node_modules. */
async function installThirdParty(root: string, name: string, id: string, kernelApi: string) {
  const dir = join(root, 'node_modules', name);
  await mkdir(dir, { recursive: true });
  const require = createRequire(import.meta.url);
  const localEntry = pathToFileURL(require.resolve('@nimbus/plugin-local')).href;
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', nimbus: { plugin: './index.js' } }));
  await writeFile(
    join(dir, 'index.js'),
    `import local from ${JSON.stringify(localEntry)};\nexport default { ...local, id: ${JSON.stringify(id)}, displayName: 'Mirror (third party)', kernelApi: ${JSON.stringify(kernelApi)} };\n`,
  );
}

test('an npm-installed third-party plugin is discovered and usable with no configuration', async (t) => {
  const w = await workspace(t);
  await installThirdParty(w.root, 'nimbus-plugin-mirror', 'mirror', '^1.0.0');
  const list = await nimbus(['plugins'], { cwd: w.root });
  t.regex(list.stdout, /^mirror\s/m);
  const r = await nimbus(['backup', 'source', 'mirror:backup', '--data-dir', w.data], { cwd: w.root });
  t.is(r.code, 0, r.stderr);
  t.deepEqual(await treeDigest(w.destination), await treeDigest(w.source));
});

test('a third-party plugin built for another kernel API is refused with a clear message', async (t) => {
  const w = await workspace(t);
  await installThirdParty(w.root, 'nimbus-plugin-future', 'future', '^9.0.0');
  const r = await nimbus(['backup', 'source', 'future:backup', '--data-dir', w.data], { cwd: w.root });
  assertUsageError(t, r, /plugin "future" \(package nimbus-plugin-future\) was built for Nimbus kernel API \^9\.0\.0/);
  t.false(existsSync(w.destination));
});

test('run --verify-remote lists the destination: a file deleted there behind Nimbus\'s back is sent again ("1 file")', async (t) => {
  const w = await workspace(t);
  const profile = join(w.root, 'p.yaml');
  await writeFile(profile, `source: ./source\ndestination:\n  provider: local\n  path: ./backup\n`);
  t.is((await nimbus(['run', profile, '--data-dir', w.data])).code, 0);
  const { rm } = await import('node:fs/promises');
  await rm(join(w.destination, 'a.txt'));
  const trusting = await nimbus(['run', profile, '--data-dir', w.data]);
  t.regex(trusting.stdout, /0 files transferred/, 'without the flag the database is trusted');
  const verified = await nimbus(['run', profile, '--data-dir', w.data, '--verify-remote']);
  t.is(verified.code, 0, verified.stderr);
  t.regex(verified.stdout, /^1 file transferred \(1 new, 0 changed/m);
  t.deepEqual(await treeDigest(w.destination), await treeDigest(w.source));
});

test('plugins --json lists a refused plugin package with its error', async (t) => {
  const w = await workspace(t);
  await installThirdParty(w.root, 'nimbus-plugin-future', 'future', '^9.0.0');
  const r = await nimbus(['plugins', '--json'], { cwd: w.root });
  t.is(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { id: string | null; status: string; package?: string; error?: string }[];
  t.is(json.find((p) => p.id === 'local')?.status, 'loaded');
  const refused = json.find((p) => p.package === 'nimbus-plugin-future');
  t.is(refused?.status, 'refused');
  t.regex(refused?.error ?? '', /built for Nimbus kernel API \^9\.0\.0/);
});

test('a run with failed files exits 1 and lists each failure', async (t) => {
  const w = await workspace(t);
  const args = ['backup', w.source, `local:${w.destination}`, '--data-dir', w.data];
  t.is((await nimbus(args)).code, 0);
  // Behind Nimbus's back, a non-empty folder takes the place of a.txt at the destination:
  // the changed a.txt cannot be written there.
  const { rm } = await import('node:fs/promises');
  await rm(join(w.destination, 'a.txt'));
  await mkdir(join(w.destination, 'a.txt', 'blocker'), { recursive: true });
  await writeFile(join(w.destination, 'a.txt', 'blocker', 'keep.txt'), 'mine');
  await writeFile(join(w.source, 'a.txt'), 'alpha, changed');
  await writeFile(join(w.source, 'docs', 'b.txt'), 'beta, changed');
  const r = await nimbus(args);
  t.is(r.code, 1, r.stdout + r.stderr);
  t.regex(r.stdout, /failed: upload a\.txt: /);
  t.regex(r.stdout, /1 failed/);
  t.is(await readFile(join(w.destination, 'docs', 'b.txt'), 'utf8'), 'beta, changed', 'the rest was backed up');
});

test('restore <profile> <folder> brings the backup back; a file as target is a usage error', async (t) => {
  const w = await workspace(t);
  const profile = join(w.root, 'p.yaml');
  await writeFile(profile, 'source: ./source\ndestination:\n  provider: local\n  path: ./backup\n');
  t.is((await nimbus(['run', profile, '--data-dir', w.data])).code, 0);
  const target = join(w.root, 'restored');
  const r = await nimbus(['restore', profile, target, '--data-dir', w.data]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /2 files restored/);
  t.deepEqual(await treeDigest(target), await treeDigest(w.source));
  t.true(existsSync(join(target, 'docs', 'empty')));
  assertUsageError(t, await nimbus(['restore', profile, join(w.source, 'a.txt'), '--data-dir', w.data]), /is a file: give a folder/);
});

test('versions lists the copies kept in $SBV$', async (t) => {
  const w = await workspace(t);
  const profile = join(w.root, 'p.yaml');
  await writeFile(profile, 'source: ./source\ndestination:\n  provider: local\n  path: ./backup\n');
  await nimbus(['run', profile, '--data-dir', w.data]);
  await writeFile(join(w.source, 'a.txt'), 'alpha, second version');
  await nimbus(['run', profile, '--data-dir', w.data]);
  const r = await nimbus(['versions', profile, 'a.txt', '--data-dir', w.data]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^a\.txt\s+\d{8}T\d{9}Z\s+\S+\s+5 B$/m);
  const json = JSON.parse((await nimbus(['versions', profile, '--json', '--data-dir', w.data])).stdout);
  t.is(json.strategy, 'folder');
  t.is(json.versions.length, 1);
});

test('run a sync profile: both sides meet; the summary counts both directions', async (t) => {
  const w = await workspace(t);
  await writeTree(w.destination, { 'from-remote.txt': 'remote' });
  const profile = join(w.root, 'sync.yaml');
  await writeFile(profile, 'mode: sync\nsource: ./source\ndestination:\n  provider: local\n  path: ./backup\nconflicts: keep-both\n');
  const r = await nimbus(['run', profile, '--data-dir', w.data]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^Sync of /m);
  t.regex(r.stdout, /2 up .* 1 down/);
  t.is(await readFile(join(w.source, 'from-remote.txt'), 'utf8'), 'remote');
});

test('db delete says what it means, needs --yes without a terminal; db rebuild reports what it found', async (t) => {
  const w = await workspace(t);
  const profile = join(w.root, 'p.yaml');
  await writeFile(profile, 'source: ./source\ndestination:\n  provider: local\n  path: ./backup\n');
  await nimbus(['run', profile, '--data-dir', w.data]);
  const refused = await nimbus(['db', 'delete', profile, '--data-dir', w.data]);
  t.is(refused.code, 2);
  t.regex(refused.stderr, /may copy or delete files because the facts it used are gone/);
  t.regex(refused.stderr, /run again with --yes/);
  t.true(existsSync(join(w.data, 'profiles', 'p', 'cloud.sqlite')));
  const rebuilt = await nimbus(['db', 'rebuild', profile, '--data-dir', w.data]);
  t.is(rebuilt.code, 0, rebuilt.stderr);
  t.regex(rebuilt.stdout, /rebuilt the cloud database of profile p: 2 files/);
  const deleted = await nimbus(['db', 'delete', profile, '--yes', '--data-dir', w.data]);
  t.is(deleted.code, 0, deleted.stderr);
  t.regex(deleted.stdout, /deleted local cloud database of profile p/);
  t.false(existsSync(join(w.data, 'profiles', 'p', 'cloud.sqlite')));
});
