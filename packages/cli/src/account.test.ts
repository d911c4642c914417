import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir, secretServiceAvailable, startOAuthFake, startSecretService, type OAuthFake } from '@nimbus/testkit';

const bin = fileURLToPath(new URL('./bin.js', import.meta.url));
const CLIENT = { id: 'nimbus-test-client', secret: 'client-secret-Zq81' };
const PASSPHRASE = 'store-passphrase-Kx93';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  /** Called once with each address the CLI prints (the browser or device step, done by the test). */
  onUrl?: (url: string) => Promise<void> | void;
}

/** Run the CLI; when it prints a sign-in address, do what the browser would with it. */
function nimbus(args: string[], options: RunOptions): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NIMBUS_DEBUG: '', NIMBUS_BROWSER: 'none', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const seen = new Set<string>();
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => {
      stderr += c;
      for (const match of stderr.matchAll(/(https?:\/\/127\.0\.0\.1:\d+\/\S+)\n/g)) {
        if (seen.has(match[1]!)) continue;
        seen.add(match[1]!);
        void options.onUrl?.(match[1]!);
      }
    });
    if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else child.stdin.end();
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The browser: open the authorization address; the fake's scripted consent redirects to the CLI's loopback listener. */
async function browser(url: string): Promise<void> {
  if (!url.includes('/authorize?')) return;
  await fetch(url).then((r) => r.text()).catch(() => undefined);
}

interface Workspace {
  root: string;
  data: string;
  fake: OAuthFake;
  env: NodeJS.ProcessEnv;
  endpointFlags: string[];
}

async function workspace(t: ExecutionContext, fakeOptions: Partial<Parameters<typeof startOAuthFake>[0]> = {}): Promise<Workspace> {
  const dir = await makeTempDir('nimbus-account-');
  const fake = await startOAuthFake({ clients: [CLIENT], ...fakeOptions });
  t.teardown(async () => {
    await fake.close();
    await dir.cleanup();
  });
  // The test plugin, installed the way a user installs a third-party plugin.
  const pluginDir = join(dir.path, 'node_modules', 'nimbus-plugin-fakecloud');
  await mkdir(pluginDir, { recursive: true });
  await writeFile(join(pluginDir, 'package.json'), JSON.stringify({ name: 'nimbus-plugin-fakecloud', version: '1.0.0', type: 'module', nimbus: { plugin: './index.js', id: 'fakecloud' } }));
  await writeFile(join(pluginDir, 'index.js'), `export { default } from ${JSON.stringify(import.meta.resolve('@nimbus/testkit/fakecloud-plugin'))};\n`);
  const data = join(dir.path, 'data');
  return {
    root: dir.path,
    data,
    fake,
    env: { NIMBUS_DATA_DIR: data, NIMBUS_TOKEN_STORE: 'file', NIMBUS_TOKEN_PASSPHRASE: PASSPHRASE, NIMBUS_CLIENT_SECRET: CLIENT.secret },
    endpointFlags: Object.entries(fake.endpoints).flatMap(([name, url]) => ['--endpoint', `${name}=${url}`]),
  };
}

function addArgs(w: Workspace, name = 'work'): string[] {
  return ['account', 'add', 'fakecloud', '--name', name, '--client-id', CLIENT.id, ...w.endpointFlags];
}

async function addAccount(t: ExecutionContext, w: Workspace, name = 'work'): Promise<void> {
  const r = await nimbus(addArgs(w, name), { cwd: w.root, env: w.env, onUrl: browser });
  t.is(r.code, 0, r.stderr);
}

/** A user's mistake: exit 2, one line on stderr, no stack trace, nothing on stdout. */
function assertUsageError(t: ExecutionContext, r: Result, pattern: RegExp): void {
  t.is(r.code, 2, r.stderr);
  const lines = r.stderr.trimEnd().split('\n').filter((l) => !/^(Sign in and allow|https?:\/\/)/.test(l));
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0]!, /^nimbus: /);
  t.regex(lines[0]!, pattern);
  t.notRegex(r.stderr, /\n\s+at /);
  t.is(r.stdout, '');
}

/** No token, client secret or passphrase in any output or any file of the data folder except sealed ones. */
async function assertNoSecrets(t: ExecutionContext, w: Workspace, outputs: readonly Result[]): Promise<void> {
  const secrets = [...w.fake.issuedSecrets(), CLIENT.secret, PASSPHRASE];
  t.true(secrets.length > 2);
  const texts = outputs.flatMap((r) => [r.stdout, r.stderr]);
  const files = existsSync(w.data) ? await readdir(w.data, { recursive: true, withFileTypes: true }) : [];
  for (const f of files) if (f.isFile()) texts.push(await readFile(join(f.parentPath, f.name), 'latin1'));
  for (const secret of secrets) for (const text of texts) t.false(text.includes(secret), 'a secret leaked');
}

test('account add / list / test / remove work end to end against the OAuth fake (browser step driven by the test)', async (t) => {
  const w = await workspace(t);
  const add = await nimbus(addArgs(w), { cwd: w.root, env: w.env, onUrl: browser });
  t.is(add.code, 0, add.stderr);
  t.regex(add.stdout, /linked account "work" \(fakecloud, alice@example\.com\); tokens kept in the encrypted file/);
  const sealed = join(w.data, 'accounts', 'tokens', 'work.sealed');
  t.is(statSync(sealed).mode & 0o777, 0o600);

  const list = await nimbus(['account', 'list'], { cwd: w.root, env: w.env });
  t.is(list.code, 0, list.stderr);
  t.regex(list.stdout, /^token store: encrypted file \(AES-256-GCM\)/m);
  t.regex(list.stdout, /^work\s+fakecloud\s+alice@example\.com\s+file/m);
  const json = JSON.parse((await nimbus(['account', 'list', '--json'], { cwd: w.root, env: w.env })).stdout) as { store: { kind: string }; accounts: { name: string }[] };
  t.is(json.store.kind, 'file');
  t.deepEqual(json.accounts.map((a) => a.name), ['work']);

  const check = await nimbus(['account', 'test', 'work'], { cwd: w.root, env: w.env });
  t.is(check.code, 0, check.stderr);
  t.regex(check.stdout, /account "work" works: fakecloud says it is alice@example\.com/);

  const remove = await nimbus(['account', 'remove', 'work'], { cwd: w.root, env: w.env });
  t.is(remove.code, 0, remove.stderr);
  t.regex(remove.stdout, /removed account "work"; its tokens were revoked at the provider/);
  t.is(w.fake.stats.revocations, 1);
  t.false(existsSync(sealed));
  assertUsageError(t, await nimbus(['account', 'test', 'work'], { cwd: w.root, env: w.env }), /there is no account "work"/);
  await assertNoSecrets(t, w, [add, list, check, remove]);
});

test('consent denied in the browser: one line, exit 2, nothing written', async (t) => {
  const w = await workspace(t);
  w.fake.consent = 'deny';
  const r = await nimbus(addArgs(w), { cwd: w.root, env: w.env, onUrl: browser });
  assertUsageError(t, r, /consent was denied in the browser: nothing was linked/);
  t.false(existsSync(join(w.data, 'accounts', 'accounts.json')));
  t.false(existsSync(join(w.data, 'accounts', 'tokens', 'work.sealed')));
});

test('nobody completes the browser step: the sign-in times out with one line, exit 2, nothing written', async (t) => {
  const w = await workspace(t);
  const r = await nimbus([...addArgs(w), '--timeout', '1'], { cwd: w.root, env: w.env });
  assertUsageError(t, r, /nobody completed the sign-in in the browser within 1 s/);
  t.false(existsSync(join(w.data, 'accounts', 'accounts.json')));
});

test('unknown provider, a provider without OAuth, a missing client id: one line each, exit 2', async (t) => {
  const w = await workspace(t);
  assertUsageError(t, await nimbus(['account', 'add', 'nosuch', '--client-id', 'x'], { cwd: w.root, env: w.env }), /nosuch/);
  assertUsageError(t, await nimbus(['account', 'add', 'local', '--client-id', 'x'], { cwd: w.root, env: w.env }), /provider "local" does not sign in with a linked account/);
  assertUsageError(t, await nimbus(['account', 'add', 'fakecloud', ...w.endpointFlags], { cwd: w.root, env: w.env }), /give your own OAuth client's id with --client-id \(Nimbus ships none\)/);
  t.false(existsSync(join(w.data, 'accounts', 'accounts.json')));
});

test('no keychain and no passphrase: one line, exit 2, before any sign-in, nothing written', async (t) => {
  const w = await workspace(t);
  const env = { ...w.env, NIMBUS_TOKEN_PASSPHRASE: '' };
  let browserOpened = false;
  const r = await nimbus(addArgs(w), { cwd: w.root, env, onUrl: () => void (browserOpened = true) });
  assertUsageError(t, r, /no keychain is available here and the token store has no passphrase: set NIMBUS_TOKEN_PASSPHRASE/);
  t.false(browserOpened);
  t.false(existsSync(join(w.data, 'accounts', 'accounts.json')));
});

test('a refresh token revoked by the provider: one line naming the fix; reconnect makes the account work again', async (t) => {
  const w = await workspace(t, { accessTokenSeconds: 2 });
  await addAccount(t, w);
  w.fake.revokeUser('u-alice');
  const r = await nimbus(['account', 'test', 'work'], { cwd: w.root, env: w.env });
  assertUsageError(t, r, /^nimbus: account "work" was disconnected by the provider: run nimbus account reconnect work$/);
  const again = await nimbus(['account', 'reconnect', 'work'], { cwd: w.root, env: w.env, onUrl: browser });
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /reconnected account "work" \(alice@example\.com\)/);
  const check = await nimbus(['account', 'test', 'work'], { cwd: w.root, env: w.env });
  t.is(check.code, 0, check.stderr);
});

test('--no-browser: account authorize on a machine with a browser, its line pasted into account add', async (t) => {
  const w = await workspace(t);
  const authorize = await nimbus(['account', 'authorize', 'fakecloud', '--client-id', CLIENT.id, ...w.endpointFlags], { cwd: w.root, env: w.env, onUrl: browser });
  t.is(authorize.code, 0, authorize.stderr);
  const line = authorize.stdout.trim();
  t.regex(line, /^[A-Za-z0-9_-]+$/);
  const add = await nimbus([...addArgs(w), '--no-browser'], { cwd: w.root, env: w.env, stdin: `${line}\n` });
  t.is(add.code, 0, add.stderr);
  t.regex(add.stderr, /nimbus account authorize fakecloud --client-id nimbus-test-client/);
  t.notRegex(add.stderr, new RegExp(CLIENT.secret));
  t.is((await nimbus(['account', 'test', 'work'], { cwd: w.root, env: w.env })).code, 0);
  const garbage = await nimbus([...addArgs(w, 'other'), '--no-browser'], { cwd: w.root, env: w.env, stdin: 'garbage\n' });
  t.is(garbage.code, 2);
  t.regex(garbage.stderr.trimEnd().split('\n').at(-1)!, /^nimbus: what was pasted is not the line nimbus account authorize printed/);
  t.false(existsSync(join(w.data, 'accounts', 'tokens', 'other.sealed')));
});

test('device code: the code is shown, approved on the fake, and the account works', async (t) => {
  const w = await workspace(t);
  const r = await nimbus([...addArgs(w), '--device-code'], {
    cwd: w.root,
    env: w.env,
    onUrl: (url) => {
      const code = new URL(url).searchParams.get('user_code');
      if (code) w.fake.decideDevice(code, 'approve');
    },
  });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /enter the code [0-9A-F]{8}/);
  t.is((await nimbus(['account', 'test', 'work'], { cwd: w.root, env: w.env })).code, 0);
});

async function profile(w: Workspace, name: string, account: string, partSize: number): Promise<string> {
  const file = join(w.root, `${name}.yaml`);
  await writeFile(file, `name: ${name}\nsource: ./${name}-source\ndestination:\n  provider: fakecloud\n  account: ${account}\n  api: ${w.fake.apiUrl}\n  partSize: ${partSize}\n`);
  return file;
}

test('a profile naming an account that does not exist, naming none, or naming one for a provider without accounts: one line, exit 2', async (t) => {
  const w = await workspace(t);
  const file = await profile(w, 'p', 'nobody', 1024);
  await mkdir(join(w.root, 'p-source'));
  await writeFile(join(w.root, 'p-source', 'a.txt'), 'alpha');
  assertUsageError(t, await nimbus(['run', file], { cwd: w.root, env: w.env }), /there is no account "nobody": add it with nimbus account add fakecloud --name nobody/);
  await writeFile(join(w.root, 'none.yaml'), `source: ./p-source\ndestination:\n  provider: fakecloud\n  api: ${w.fake.apiUrl}\n`);
  assertUsageError(t, await nimbus(['run', join(w.root, 'none.yaml')], { cwd: w.root, env: w.env }), /provider "fakecloud" signs in with a linked account: run nimbus account add fakecloud --name <name> and add account: <name> to the destination/);
  await writeFile(join(w.root, 'local.yaml'), 'source: ./p-source\ndestination:\n  provider: local\n  path: ./out\n  account: work\n');
  assertUsageError(t, await nimbus(['run', join(w.root, 'local.yaml')], { cwd: w.root, env: w.env }), /provider "local" does not sign in with a linked account: remove account from the destination/);
  t.is(w.fake.objects.size, 0);
  t.false(existsSync(join(w.root, 'out')));
});

test('a 30 s upload completes with tokens that expire every 2 s (a token asked for each part)', async (t) => {
  const w = await workspace(t, { accessTokenSeconds: 2 });
  await addAccount(t, w);
  const partSize = 16 * 1024;
  const content = Buffer.alloc(30 * partSize, 7);
  for (let i = 0; i < content.length; i++) content[i] = (i * 31) % 251;
  await mkdir(join(w.root, 'slow-source'));
  await writeFile(join(w.root, 'slow-source', 'big.bin'), content);
  w.fake.partDelayMs = 1000;
  const file = await profile(w, 'slow', 'work', partSize);
  const refreshesBefore = w.fake.stats.refreshes;
  const r = await nimbus(['run', file], { cwd: w.root, env: w.env });
  t.is(r.code, 0, r.stdout + r.stderr);
  t.true(w.fake.objects.get('big.bin')?.data.equals(content));
  t.is(w.fake.stats.partsAccepted, 30);
  // Thirty one-second parts outlive about fifteen 2 s tokens: each was replaced by a refresh.
  t.true(w.fake.stats.refreshes - refreshesBefore >= 10, `${w.fake.stats.refreshes - refreshesBefore} refreshes`);
  t.is(w.fake.stats.refusedRefreshes, 0);
  t.log(`30 parts of 1 s each, 2 s tokens: ${w.fake.stats.refreshes - refreshesBefore} refreshes, ${w.fake.stats.unauthorized} requests refused with 401`);
});

test('two processes refreshing one rotating token at once both keep working', async (t) => {
  const w = await workspace(t, { accessTokenSeconds: 2, rotateRefreshTokens: true });
  await addAccount(t, w);
  const partSize = 8 * 1024;
  for (const name of ['one', 'two']) {
    await mkdir(join(w.root, `${name}-source`));
    await writeFile(join(w.root, `${name}-source`, `${name}.bin`), Buffer.alloc(12 * partSize, name.length));
  }
  w.fake.partDelayMs = 700;
  const [one, two] = await Promise.all([
    nimbus(['run', await profile(w, 'one', 'work', partSize)], { cwd: w.root, env: w.env }),
    nimbus(['run', await profile(w, 'two', 'work', partSize)], { cwd: w.root, env: w.env }),
  ]);
  t.is(one.code, 0, one.stdout + one.stderr);
  t.is(two.code, 0, two.stdout + two.stderr);
  t.is(w.fake.objects.get('one.bin')?.data.length, 12 * partSize);
  t.is(w.fake.objects.get('two.bin')?.data.length, 12 * partSize);
  t.is(w.fake.objects.get('one.bin')?.grant, w.fake.objects.get('two.bin')?.grant, 'one linked account: one authorization shared');
  t.true(w.fake.stats.refreshes >= 4);
  // With rotation, a refresh token used twice is refused: neither process ever did that.
  t.is(w.fake.stats.refusedRefreshes, 0);
  t.log(`two processes, 2 s rotating tokens: ${w.fake.stats.refreshes} refreshes in all, none refused`);
  await assertNoSecrets(t, w, [one, two]);
});

// Runs where GNOME Keyring and D-Bus are installed (CI installs them: testkit/servers/install-debian-packages.sh).
const withSecretService = secretServiceAvailable() ? test : test.skip;

withSecretService('with a real Secret Service the tokens live in the system keychain: add, list, test, reconnect, remove', async (t) => {
  const w = await workspace(t, { accessTokenSeconds: 2 });
  const service = await startSecretService();
  t.teardown(service.close);
  // No store forced, no passphrase: the keychain is found and used.
  const env = { ...w.env, NIMBUS_TOKEN_STORE: '', NIMBUS_TOKEN_PASSPHRASE: '', ...service.env };
  const add = await nimbus(addArgs(w), { cwd: w.root, env, onUrl: browser });
  t.is(add.code, 0, add.stderr);
  t.regex(add.stdout, /tokens kept in the system keychain \(Secret Service\)/);
  t.false(existsSync(join(w.data, 'accounts', 'tokens')), 'nothing sealed in a file');
  const list = await nimbus(['account', 'list'], { cwd: w.root, env });
  t.regex(list.stdout, /^token store: system keychain \(Secret Service\)/m);
  t.regex(list.stdout, /^work\s+fakecloud\s+alice@example\.com\s+keychain/m);
  const check = await nimbus(['account', 'test', 'work'], { cwd: w.root, env });
  t.is(check.code, 0, check.stderr);
  w.fake.revokeUser('u-alice');
  assertUsageError(t, await nimbus(['account', 'test', 'work'], { cwd: w.root, env }), /account "work" was disconnected by the provider: run nimbus account reconnect work/);
  const again = await nimbus(['account', 'reconnect', 'work'], { cwd: w.root, env, onUrl: browser });
  t.is(again.code, 0, again.stderr);
  t.is((await nimbus(['account', 'test', 'work'], { cwd: w.root, env })).code, 0);
  const remove = await nimbus(['account', 'remove', 'work'], { cwd: w.root, env });
  t.regex(remove.stdout, /its tokens were revoked at the provider/);
  await assertNoSecrets(t, w, [add, list, check, again, remove]);
});

test('NIMBUS_TOKEN_STORE=keychain where no keychain answers: one line, exit 2, nothing written', async (t) => {
  const w = await workspace(t);
  const env = { ...w.env, NIMBUS_TOKEN_STORE: 'keychain', DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(w.root, 'no-bus')}` };
  const r = await nimbus(addArgs(w), { cwd: w.root, env, onUrl: browser });
  assertUsageError(t, r, /no system keychain answers here .*: unlock one, or set NIMBUS_TOKEN_STORE=file/);
  t.false(existsSync(join(w.data, 'accounts', 'accounts.json')));
});

test('a connection in connections.yaml holds the account and endpoint; profiles name only the connection', async (t) => {
  const w = await workspace(t);
  await addAccount(t, w);
  const connections = join(w.root, 'connections.yaml');
  await writeFile(connections, `team:\n  provider: fakecloud\n  account: work\n  api: ${w.fake.apiUrl}\n`);
  await mkdir(join(w.root, 'c-source'));
  await writeFile(join(w.root, 'c-source', 'c.txt'), 'shared settings');
  await writeFile(join(w.root, 'c.yaml'), 'source: ./c-source\ndestination:\n  connection: team\n  partSize: 4\n');
  const r = await nimbus(['run', join(w.root, 'c.yaml')], { cwd: w.root, env: { ...w.env, NIMBUS_CONNECTIONS: connections } });
  t.is(r.code, 0, r.stderr);
  t.is(w.fake.objects.get('c.txt')?.data.toString(), 'shared settings');
});

test('nimbus buckets lists the drives an account holds (by profile or provider:), and says to type the name where it may not', async (t) => {
  const w = await workspace(t);
  await addAccount(t, w);
  w.fake.drives = ['Team Drive', 'My Drive'];
  const file = await profile(w, 'b', 'work', 1024);
  const byProfile = await nimbus(['buckets', file], { cwd: w.root, env: w.env });
  t.is(byProfile.code, 0, byProfile.stderr);
  t.regex(byProfile.stdout, /^name\s+location\s+created\n.*\nMy Drive\s.*\nTeam Drive\s/m);
  const connections = join(w.root, 'connections.yaml');
  await writeFile(connections, `team:\n  provider: fakecloud\n  account: work\n  api: ${w.fake.apiUrl}\n`);
  const byProvider = await nimbus(['buckets', 'fakecloud:', '--connection', 'team', '--json'], { cwd: w.root, env: { ...w.env, NIMBUS_CONNECTIONS: connections } });
  t.is(byProvider.code, 0, byProvider.stderr);
  t.deepEqual((JSON.parse(byProvider.stdout) as { name: string }[]).map((b) => b.name), ['My Drive', 'Team Drive']);
  w.fake.drives = null;
  assertUsageError(t, await nimbus(['buckets', file], { cwd: w.root, env: w.env }), /the account may not list its buckets, drives or libraries at fakecloud:.*: type the name in the profile's destination/);
  await writeFile(join(w.root, 'local.yaml'), 'source: .\ndestination:\n  provider: local\n  path: ./backup\n');
  assertUsageError(t, await nimbus(['buckets', join(w.root, 'local.yaml')], { cwd: w.root, env: w.env }), /cannot list what the account holds: type the bucket, drive or library name in the profile's destination/);
});

test('profiles run in parallel each holding their own authorization (ownAuthorization: true) use their own tokens', async (t) => {
  const w = await workspace(t, { accessTokenSeconds: 2 });
  const files: string[] = [];
  for (const name of ['egnyte-a', 'egnyte-b']) {
    await mkdir(join(w.root, `${name}-source`));
    await writeFile(join(w.root, `${name}-source`, `${name}.bin`), Buffer.alloc(6 * 4096, name.length));
    const file = join(w.root, `${name}.yaml`);
    await writeFile(file, `name: ${name}\nsource: ./${name}-source\ndestination:\n  provider: fakecloud\n  ownAuthorization: true\n  api: ${w.fake.apiUrl}\n  partSize: 4096\n`);
    files.push(file);
  }
  assertUsageError(t, await nimbus(['run', files[0]!], { cwd: w.root, env: w.env }), /profile egnyte-a holds its own authorization but has none yet: run nimbus account add fakecloud --profile <its profile file>/);
  for (const file of files) {
    const add = await nimbus(['account', 'add', 'fakecloud', '--profile', file, '--client-id', CLIENT.id, ...w.endpointFlags], { cwd: w.root, env: w.env, onUrl: browser });
    t.is(add.code, 0, add.stderr);
    t.regex(add.stdout, /profile egnyte-[ab] uses it with ownAuthorization: true/);
  }
  t.regex((await nimbus(['account', 'list'], { cwd: w.root, env: w.env })).stdout, /^@egnyte-a\s+fakecloud/m);
  w.fake.partDelayMs = 500;
  const [a, b] = await Promise.all(files.map((file) => nimbus(['run', file], { cwd: w.root, env: w.env })));
  t.is(a!.code, 0, a!.stderr);
  t.is(b!.code, 0, b!.stderr);
  const grantA = w.fake.objects.get('egnyte-a.bin')?.grant;
  const grantB = w.fake.objects.get('egnyte-b.bin')?.grant;
  t.truthy(grantA);
  t.truthy(grantB);
  t.not(grantA, grantB, 'each profile used the tokens of its own sign-in');
});
