import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir, treeDigest, writeTree } from '@nimbus/testkit';

const bin = fileURLToPath(new URL('./bin.js', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function nimbus(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NIMBUS_DEBUG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function workspace(t: ExecutionContext, connections: string) {
  const dir = await makeTempDir('nimbus-connections-');
  t.teardown(dir.cleanup);
  await writeTree(join(dir.path, 'source'), { 'a.txt': 'alpha', 'docs/b.txt': 'beta' });
  const data = join(dir.path, 'data');
  const file = join(dir.path, 'connections.yaml');
  await writeFile(file, connections);
  return { root: dir.path, data, env: { NIMBUS_DATA_DIR: data, NIMBUS_CONNECTIONS: file } };
}

function assertUsageError(t: ExecutionContext, r: Result, pattern: RegExp): void {
  t.is(r.code, 2, r.stderr);
  t.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  t.regex(r.stderr, pattern);
  t.is(r.stdout, '');
}

test('profiles name a connection from connections.yaml; their own settings complete it', async (t) => {
  const w = await workspace(t, 'usb:\n  provider: local\n  path: /nowhere-overridden\n');
  for (const name of ['one', 'two']) {
    await writeFile(join(w.root, `${name}.yaml`), `source: ./source\ndestination:\n  connection: usb\n  path: ./backup-${name}\n`);
    const r = await nimbus(['run', join(w.root, `${name}.yaml`)], w.root, w.env);
    t.is(r.code, 0, r.stderr);
    t.deepEqual(await treeDigest(join(w.root, `backup-${name}`)), await treeDigest(join(w.root, 'source')));
  }
});

test('a connection setting taken from the environment with { env: NAME }', async (t) => {
  const w = await workspace(t, 'usb:\n  provider: local\n  path: { env: USB_BACKUP_PATH }\n');
  await writeFile(join(w.root, 'p.yaml'), 'source: ./source\ndestination:\n  connection: usb\n');
  const missing = await nimbus(['run', join(w.root, 'p.yaml')], w.root, w.env);
  assertUsageError(t, missing, /connection usb takes path from \$USB_BACKUP_PATH, which is not set/);
  const r = await nimbus(['run', join(w.root, 'p.yaml')], w.root, { ...w.env, USB_BACKUP_PATH: join(w.root, 'from-env') });
  t.is(r.code, 0, r.stderr);
  t.true(existsSync(join(w.root, 'from-env', 'a.txt')));
});

test('a setting with prompt: true and no terminal fails at once: one line, exit 2, nothing written', async (t) => {
  const w = await workspace(t, 'usb:\n  provider: local\n  path: { prompt: true }\n');
  await writeFile(join(w.root, 'p.yaml'), 'source: ./source\ndestination:\n  connection: usb\n');
  assertUsageError(t, await nimbus(['run', join(w.root, 'p.yaml')], w.root, w.env), /connection usb asks for path on a terminal, but none is attached: run it interactively, or use path: \{ env: NAME \}/);
  t.false(existsSync(w.data));
});

test('an unknown connection, or one of another provider than the profile says: one line, exit 2', async (t) => {
  const w = await workspace(t, 'usb:\n  provider: local\n  path: ./x\n');
  await writeFile(join(w.root, 'p.yaml'), 'source: ./source\ndestination:\n  connection: nas\n');
  assertUsageError(t, await nimbus(['run', join(w.root, 'p.yaml')], w.root, w.env), /there is no connection "nas" in .*connections\.yaml \(it has usb\)/);
  await writeFile(join(w.root, 'q.yaml'), 'source: ./source\ndestination:\n  provider: s3\n  connection: usb\n');
  assertUsageError(t, await nimbus(['run', join(w.root, 'q.yaml')], w.root, w.env), /names provider "s3" but its connection "usb" is local/);
});
