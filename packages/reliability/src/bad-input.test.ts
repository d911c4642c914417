import { ensureAzuriteServer, ensureSwiftServer, makeTempDir, startB2Fake, writeTree, type B2Fake } from '@nimbus/testkit';
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chmod, mkdir, mkdtemp, readdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { problemLines, runNimbus, type CliResult } from './support/cli.js';
import { limiter } from './support/limit.js';
import { swiftS3Target, type ServerTarget } from './support/targets.js';

/** A bad input, what the CLI must answer, and anything else to check. */
interface Case {
  readonly name: string;
  /** 2: usage/configuration (one line, nothing written); 1: per-file failures (the run goes on); 0: handled, nothing to fix. */
  readonly code: 0 | 1 | 2;
  /** The one problem line (exit 2), or a line naming the failed file (exit 1). */
  readonly line?: RegExp;
  /** Sets the case up in `dir`; returns the CLI arguments (without --data-dir). */
  readonly prepare: (dir: string) => Promise<{ args: string[]; wrapper?: string[]; during?: (dir: string) => Promise<void> }>;
  readonly check?: (t: ExecutionContext, result: CliResult, dir: string) => Promise<unknown>;
}

let shared: { swift: Awaited<ReturnType<typeof ensureSwiftServer>>; azurite: Awaited<ReturnType<typeof ensureAzuriteServer>>; b2: B2Fake; s3: ServerTarget; closedPort: number; root: { path: string; cleanup: () => Promise<void> } };
const run = limiter(3);

test.before(async () => {
  const [swift, azurite, b2, s3, root] = await Promise.all([
    ensureSwiftServer(),
    ensureAzuriteServer(),
    startB2Fake({ buckets: ['nimbus-badinput'] }),
    swiftS3Target('badinput'),
    makeTempDir('nimbus-badinput-'),
  ]);
  await chmod(root.path, 0o755);
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  shared = { swift, azurite, b2, s3, closedPort, root };
});

test.after.always(async () => {
  await shared?.b2.close();
  await shared?.s3.cleanup();
  await shared?.root.cleanup();
});

/** A profile file holding `text` (YAML or JSON by extension), backing up `dir`/source. */
async function profileText(dir: string, file: string, text: string): Promise<string[]> {
  await writeTree(join(dir, 'source'), { 'a.txt': 'a', 'sub/b.txt': 'b' });
  await writeFile(join(dir, file), text);
  return ['run', join(dir, file)];
}

/** A JSON profile from parts: the default source and a local destination, overridden by `extra`. */
async function profile(dir: string, extra: Record<string, unknown> = {}, destination?: Record<string, unknown>): Promise<string[]> {
  return profileText(dir, 'profile.json', JSON.stringify({ source: './source', destination: destination ?? { provider: 'local', path: './dest' }, ...extra }));
}

const s3 = (extra: Record<string, unknown>) => ({ ...shared.s3.destination(), ...extra });
const azure = (extra: Record<string, unknown>) => ({
  provider: 'azure', accountName: shared.azurite.accountName, accountKey: shared.azurite.accountKey, serviceUrl: shared.azurite.blobEndpoint, container: 'nimbus-badinput', ...extra,
});
const b2 = (extra: Record<string, unknown>) => ({ provider: 'b2', keyId: shared.b2.keyId, applicationKey: shared.b2.applicationKey, bucket: 'nimbus-badinput', apiUrl: shared.b2.url, ...extra });
const openstack = (extra: Record<string, unknown>) => ({ provider: 'openstack', authUrl: shared.swift.authUrl, user: shared.swift.user, key: shared.swift.key, container: 'nimbus-badinput', ...extra });
const closed = () => `http://127.0.0.1:${shared.closedPort}`;

async function failuresOf(result: CliResult): Promise<{ path: string; error: string }[]> {
  return JSON.parse(result.stdout).failures;
}

const CASES: Case[] = [
  // Profile syntax
  { name: 'malformed YAML (unclosed quote)', code: 2, line: /not valid YAML at line \d+/, prepare: async (d) => ({ args: await profileText(d, 'p.yaml', 'source: "./source\ndestination:\n  provider: local\n') }) },
  { name: 'malformed YAML (bad indentation)', code: 2, line: /not valid YAML/, prepare: async (d) => ({ args: await profileText(d, 'p.yaml', 'source: ./source\ndestination:\n  provider: local\n path: ./dest\n') }) },
  { name: 'duplicate YAML key', code: 2, line: /not valid YAML.*(unique|duplicate)/i, prepare: async (d) => ({ args: await profileText(d, 'p.yaml', 'source: ./source\nsource: ./other\ndestination: {provider: local, path: ./dest}\n') }) },
  { name: 'malformed JSON (trailing comma)', code: 2, line: /not valid JSON/, prepare: async (d) => ({ args: await profileText(d, 'p.json', '{"source": "./source", "destination": {"provider": "local", "path": "./dest"},}') }) },
  { name: 'a list instead of a mapping', code: 2, line: /must be a mapping/, prepare: async (d) => ({ args: await profileText(d, 'p.yaml', '- source: ./source\n') }) },
  { name: 'an empty profile file', code: 2, line: /profile/, prepare: async (d) => ({ args: await profileText(d, 'p.yaml', '') }) },
  { name: 'profile file missing', code: 2, line: /does not exist/, prepare: async (d) => ({ args: ['run', join(d, 'nope.yaml')] }) },
  { name: 'profile path is a folder', code: 2, line: /is a folder/, prepare: async (d) => ({ args: ['run', d] }) },
  // Fields
  { name: 'misspelt top-level field', code: 2, line: /unknown field "transfer" \(did you mean "transfers"\?\)/, prepare: async (d) => ({ args: await profile(d, { transfer: 4 }) }) },
  { name: 'misspelt nested field', code: 2, line: /unknown field "filters\.exclud"/, prepare: async (d) => ({ args: await profile(d, { filters: { exclud: ['*.tmp'] } }) }) },
  { name: 'misspelt required plugin field (local "pth")', code: 2, line: /unknown field "destination\.pth" \(did you mean "path"\?\)/, prepare: async (d) => ({ args: await profile(d, {}, { provider: 'local', pth: './dest' }) }) },
  { name: 'misspelt plugin field (s3 "bukcet")', code: 2, line: /unknown field "destination\.bukcet"/, prepare: async (d) => ({ args: await profile(d, {}, { ...s3({}), bukcet: 'x' }) }) },
  { name: 'missing source', code: 2, line: /source/, prepare: async (d) => ({ args: await profileText(d, 'p.json', JSON.stringify({ destination: { provider: 'local', path: './dest' } })) }) },
  { name: 'wrong type: transfers "four"', code: 2, line: /field "transfers" is invalid/, prepare: async (d) => ({ args: await profile(d, { transfers: 'four' }) }) },
  { name: 'wrong type: deleteRemoved "yes"', code: 2, line: /field "deleteRemoved" is invalid/, prepare: async (d) => ({ args: await profile(d, { deleteRemoved: 'yes' }) }) },
  { name: 'wrong value: mode mirror', code: 2, line: /field "mode" is invalid/, prepare: async (d) => ({ args: await profile(d, { mode: 'mirror' }) }) },
  { name: 'wrong type: s3 multipartThreshold as text', code: 2, line: /multipartThreshold/, prepare: async (d) => ({ args: await profile(d, {}, s3({ multipartThreshold: '16MB' })) }) },
  { name: 'unknown provider', code: 2, line: /s4/, prepare: async (d) => ({ args: await profile(d, {}, { provider: 's4', bucket: 'x' }) }) },
  { name: 'encryption password too short', code: 2, line: /at least 8 characters/, prepare: async (d) => ({ args: await profile(d, { encryption: { password: 'short' } }) }) },
  { name: 'encryption passwordEnv not set', code: 2, line: /NIMBUS_TEST_UNSET_PASSWORD.*not set/, prepare: async (d) => ({ args: await profile(d, { encryption: { passwordEnv: 'NIMBUS_TEST_UNSET_PASSWORD' } }) }) },
  { name: 'command-line option out of range (--transfers 0)', code: 2, line: /transfers|whole number/, prepare: async (d) => ({ args: ['backup', d, `local:${join(d, 'dest')}`, '--transfers', '0'] }) },
  // Bucket and container names, per provider
  { name: 's3 bucket name with upper case and underscore', code: 2, line: /bucket name "Bad_Bucket".*rule/, prepare: async (d) => ({ args: await profile(d, {}, s3({ bucket: 'Bad_Bucket' })) }) },
  { name: 's3 bucket name too short', code: 2, line: /bucket name "ab"/, prepare: async (d) => ({ args: await profile(d, {}, s3({ bucket: 'ab' })) }) },
  { name: 's3 bucket name shaped like an IP address', code: 2, line: /192\.168\.5\.4.*ip-address/, prepare: async (d) => ({ args: await profile(d, {}, s3({ bucket: '192.168.5.4' })) }) },
  { name: 'azure container with consecutive dashes', code: 2, line: /container name "bad--name"/, prepare: async (d) => ({ args: await profile(d, {}, azure({ container: 'bad--name' })) }) },
  { name: 'azure container with upper case', code: 2, line: /container name "Backups"/, prepare: async (d) => ({ args: await profile(d, {}, azure({ container: 'Backups' })) }) },
  { name: 'b2 bucket with the reserved b2- prefix', code: 2, line: /b2-/, prepare: async (d) => ({ args: await profile(d, {}, b2({ bucket: 'b2-reserved-name' })) }) },
  { name: 'b2 bucket name too short', code: 2, line: /bucket name "short"|"short"/, prepare: async (d) => ({ args: await profile(d, {}, b2({ bucket: 'short' })) }) },
  { name: 'openstack container with a slash', code: 2, line: /container.*"a\/b"|"a\/b".*container/, prepare: async (d) => ({ args: await profile(d, {}, openstack({ container: 'a/b' })) }) },
  { name: 'openstack container of 257 bytes', code: 2, line: /container/, prepare: async (d) => ({ args: await profile(d, {}, openstack({ container: 'c'.repeat(257) })) }) },
  // Unreachable services (a closed loopback port): fail fast, one line
  { name: 'unreachable s3 endpoint', code: 2, line: /127\.0\.0\.1/, prepare: async (d) => ({ args: await profile(d, {}, s3({ endpoint: closed() })) }) },
  { name: 'unreachable openstack auth URL', code: 2, line: /127\.0\.0\.1/, prepare: async (d) => ({ args: await profile(d, {}, openstack({ authUrl: `${closed()}/auth/v1.0` })) }) },
  { name: 'unreachable azure service URL', code: 2, line: /127\.0\.0\.1/, prepare: async (d) => ({ args: await profile(d, {}, azure({ serviceUrl: `${closed()}/devstoreaccount1` })) }) },
  { name: 'unreachable b2 API URL', code: 2, line: /127\.0\.0\.1/, prepare: async (d) => ({ args: await profile(d, {}, b2({ apiUrl: closed() })) }) },
  // Wrong credentials, each server
  { name: 'wrong s3 secret (Swift S3)', code: 2, line: /refused the credentials/, prepare: async (d) => ({ args: await profile(d, {}, s3({ secretAccessKey: 'wrong-secret-WRONG' })) }) },
  { name: 'wrong swift key (Swift native)', code: 2, line: /refused the credentials|credentials|key/, prepare: async (d) => ({ args: await profile(d, {}, openstack({ key: 'wrong-key-WRONG' })) }) },
  { name: 'wrong azure account key (Azurite)', code: 2, line: /refused the credentials|credentials|key/, prepare: async (d) => ({ args: await profile(d, {}, azure({ accountKey: Buffer.from('wrong key, right shape, 64 bytes long.........................').toString('base64') })) }) },
  { name: 'wrong b2 application key (B2 fake)', code: 2, line: /refused the credentials|credentials|key/, prepare: async (d) => ({ args: await profile(d, {}, b2({ applicationKey: 'K000wrongWRONGwrong' })) }) },
  // Sources
  { name: 'source folder missing', code: 2, line: /does not exist/, prepare: async (d) => ({ args: await profile(d, { source: './missing' }) }) },
  { name: 'source is a file', code: 2, line: /is not a folder/, prepare: async (d) => ({ args: await profile(d, { source: './source/a.txt' }) }) },
  {
    name: 'source folder unreadable (run as nobody)', code: 2, line: /cannot be read.*permission/i,
    prepare: async (d) => {
      const args = await profile(d);
      await chmod(join(d, 'source'), 0o000);
      return { args, wrapper: ['runuser', '-u', 'nobody', '--'] };
    },
  },
  {
    name: 'one unreadable file in the source (run as nobody)', code: 1, line: /secret\.txt/,
    prepare: async (d) => {
      const args = await profile(d);
      await writeFile(join(d, 'source', 'secret.txt'), 'x');
      await chmod(join(d, 'source', 'secret.txt'), 0o000);
      return { args, wrapper: ['runuser', '-u', 'nobody', '--'] };
    },
    check: async (t, r) => t.deepEqual((await failuresOf(r)).map((f) => f.path), ['secret.txt']),
  },
  {
    name: 'a file that changes while it is read', code: 1, line: /growing\.bin/,
    prepare: async (d) => {
      const args = await profile(d);
      await writeTree(join(d, 'source'), { 'growing.bin': { size: 150_000_000, seed: 'grow' } });
      return { args, during: (dir) => whenPartialAppears(join(dir, 'dest'), () => appendFile(join(dir, 'source', 'growing.bin'), 'more')) };
    },
    check: async (t, r) => t.deepEqual((await failuresOf(r)).map((f) => f.path), ['growing.bin']),
  },
  {
    name: 'a file that vanishes while it is read', code: 1, line: /vanishing\.bin/,
    prepare: async (d) => {
      const args = await profile(d);
      await writeTree(join(d, 'source'), { 'vanishing.bin': { size: 150_000_000, seed: 'vanish' } });
      return { args, during: (dir) => whenPartialAppears(join(dir, 'dest'), () => unlink(join(dir, 'source', 'vanishing.bin'))) };
    },
    check: async (t, r, d) => {
      t.deepEqual((await failuresOf(r)).map((f) => f.path), ['vanishing.bin']);
      // What was sent of a file that is gone is neither recorded nor, after the next run, kept.
      const rerun = await runNimbus(['run', join(d, 'profile.json'), '--json', '--data-dir', join(d, 'data')]);
      t.is(rerun.code, 0, rerun.stderr);
      t.false(existsSync(join(d, 'dest', 'vanishing.bin')), 'the vanished file is not left at the destination');
    },
  },
  {
    name: 'symlink loops (a↔b, and a folder link to its parent)', code: 0,
    prepare: async (d) => {
      const args = await profile(d);
      await symlink('b', join(d, 'source', 'a'));
      await symlink('a', join(d, 'source', 'b'));
      await symlink('..', join(d, 'source', 'sub', 'up'));
      return { args };
    },
    check: async (t, r, d) => {
      const report = JSON.parse(r.stdout);
      t.is(report.counts.symlinksSkipped, 3, 'symlinks are not followed, and counted');
      t.deepEqual((await readdir(join(d, 'dest'))).sort(), ['a.txt', 'sub']);
    },
  },
  {
    name: 'a 255-byte file name (the longest ext4 allows)', code: 0,
    prepare: async (d) => {
      const args = await profile(d);
      await writeFile(join(d, 'source', `${'n'.repeat(251)}.txt`), 'long name');
      return { args };
    },
    check: async (t, _r, d) => t.true(existsSync(join(d, 'dest', `${'n'.repeat(251)}.txt`))),
  },
  {
    name: 'a 4,000-byte path to s3 (keys are limited to 1,024 bytes)', code: 1, line: /1024|too long|long/i,
    prepare: async (d) => {
      const deep = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}${'p'.repeat(197)}`).join('/');
      await mkdir(join(d, 'source', deep), { recursive: true });
      await writeFile(join(d, 'source', deep, 'leaf.txt'), 'deep');
      return { args: await profile(d, {}, s3({ prefix: `badinput-${Date.now()}` })) };
    },
    check: async (t, r) => {
      const failures = await failuresOf(r);
      t.is(failures.length, 1);
      t.true(failures[0]!.path.endsWith('/leaf.txt') && failures[0]!.path.length > 4000);
    },
  },
  {
    name: 'file names that are not valid UTF-8', code: 1, line: /UTF-8|encoding/i,
    prepare: async (d) => {
      const args = await profile(d);
      const name = Buffer.concat([Buffer.from(join(d, 'source') + '/'), Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x74, 0x78, 0x74])]);
      await writeFile(name, 'latin-1 name');
      return { args };
    },
    check: async (t, r, d) => {
      t.is((await failuresOf(r)).length, 1, 'the file is reported, not silently renamed');
      t.deepEqual((await readdir(join(d, 'dest'))).sort(), ['a.txt', 'sub'], 'the other files are backed up');
    },
  },
  // Destinations the user may not write
  {
    name: 'destination under an immutable folder (chattr +i)', code: 2, line: /dest|permission|not permitted|cannot/i,
    prepare: async (d) => {
      const args = await profile(d, {}, { provider: 'local', path: './locked/dest' });
      await mkdir(join(d, 'locked'));
      execFileSync('chattr', ['+i', join(d, 'locked')]);
      return { args };
    },
    check: async (_t, _r, d) => void execFileSync('chattr', ['-i', join(d, 'locked')]),
  },
  {
    name: 'destination on a read-only file system (tmpfs mounted ro)', code: 2, line: /read-only|EROFS/i,
    prepare: async (d) => {
      const args = await profile(d, {}, { provider: 'local', path: './ro/dest' });
      await mkdir(join(d, 'ro'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', join(d, 'ro')]);
      return { args };
    },
    check: async (_t, _r, d) => void execFileSync('umount', [join(d, 'ro')]),
  },
];

/** Run `action` as soon as the local provider's temporary file for an upload appears below `dest`. */
async function whenPartialAppears(dest: string, action: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const names = await readdir(dest).catch(() => [] as string[]);
    if (names.some((n) => n.startsWith('.nimbus-partial-'))) return action();
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error('the upload never started');
}

/** The data folder and the local destination: untouched after a usage error. */
async function untouched(t: ExecutionContext, dir: string, data: string): Promise<void> {
  const databases = existsSync(join(data, 'profiles')) ? await readdir(join(data, 'profiles')) : [];
  t.deepEqual(databases, [], 'no cloud database was created');
  t.false(existsSync(join(dir, 'dest')), 'the destination was not created');
}

for (const [i, c] of CASES.entries()) {
  test(`bad input ${i + 1}: ${c.name} → exit ${c.code}`, async (t) => {
    const dir = await mkdtemp(join(shared.root.path, `case-${i + 1}-`));
    await chmod(dir, 0o777);
    const data = join(dir, 'data');
    await mkdir(data, { mode: 0o777 });
    await chmod(data, 0o777);
    const { args, wrapper, during } = await c.prepare(dir);
    const result = await run(async () => {
      const child = runNimbus([...args, '--json', '--data-dir', data], { timeoutMs: 60_000, ...(wrapper ? { wrapper } : {}) });
      if (during) await during(dir);
      return child;
    });
    try {
      t.false(result.timedOut, 'no hang');
      t.is(result.code, c.code, `stderr: ${result.stderr}`);
      t.false(/^\s+at .+:\d+:\d+\)?$/m.test(result.stderr), 'no stack trace');
      t.false(/unexpected error/.test(result.stderr), 'not an unexpected error');
      const lines = problemLines(result.stderr);
      if (c.code === 2) {
        t.is(lines.length, 1, `exactly one line: ${result.stderr}`);
        t.regex(lines[0] ?? '', /^nimbus: /);
        if (c.line) t.regex(lines[0] ?? '', c.line);
        t.is(result.stdout, '', 'no report');
        await untouched(t, dir, data);
      } else if (c.code === 1) {
        const failures = await failuresOf(result);
        t.true(failures.length > 0);
        for (const f of failures) t.true(lines.some((l) => l.includes(f.path.slice(-40))), `stderr names ${f.path.slice(-60)}`);
        if (c.line) t.true(lines.some((l) => c.line!.test(l)), `a line matches ${c.line}: ${lines.join(' | ')}`);
      } else t.deepEqual(lines, [], 'nothing to complain about');
      await c.check?.(t, result, dir);
      t.log(lines[0] ?? '(no problem line)');
    } finally {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  });
}
