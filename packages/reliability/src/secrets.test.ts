import { ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { ensureAzuriteServer, ensureSwiftServer, makeTempDir, startB2Fake, startOAuthFake, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NIMBUS_BIN, problemLines, runNimbus, type CliResult } from './support/cli.js';
import { writeProfile } from './support/profile-file.js';
import { azuriteTarget, swiftNativeTarget, swiftS3Target } from './support/targets.js';

const PASSWORD = 'Pw-7d41c9e0-encryption-password';

/** Every file below `root`, with its bytes (cloud databases, their WAL and journal, anything else). */
async function filesBelow(root: string): Promise<{ path: string; data: Buffer }[]> {
  const out: { path: string; data: Buffer }[] = [];
  for (const entry of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) out.push(...(await filesBelow(path)));
    else if (entry.isFile()) out.push({ path, data: await readFile(path) });
  }
  return out;
}

test('no key, password, token or SAS signature appears in any output, report, error or cloud database (successful and failing runs)', async (t) => {
  const dir = await makeTempDir('nimbus-secrets-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await writeTree(source, { 'a.txt': 'a', 'sub/b.bin': { size: 70_000, seed: 1 } });
  const swift = await ensureSwiftServer();
  const azurite = await ensureAzuriteServer();
  const b2 = await startB2Fake({ buckets: ['nimbus-secrets'], keyId: '000secretsKeyId0000000001', applicationKey: 'K000b2-application-key-5f3e1a' });
  t.teardown(() => b2.close());
  const [s3, native, azure] = await Promise.all([swiftS3Target('secrets'), swiftNativeTarget('secrets'), azuriteTarget('secrets')]);
  t.teardown(() => Promise.all([s3.cleanup(), native.cleanup(), azure.cleanup()]).then(() => undefined));

  const azureDestination = azure.destination();
  const credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
  const sas = generateBlobSASQueryParameters(
    { containerName: String(azureDestination.container), permissions: ContainerSASPermissions.parse('racwdl'), expiresOn: new Date(Date.now() + 3600_000) },
    credential,
  );
  const sasUrl = `${azurite.blobEndpoint}/${azureDestination.container}?${sas.toString()}`;
  const wrong = {
    s3: 'wrong-S3-secret-1b9f7c',
    swift: 'wrong-swift-key-93ad2e',
    azure: Buffer.from('wrong-azure-account-key-0c5e8b-padding-to-look-like-a-key').toString('base64'),
    b2: 'K000wrong-b2-key-44d1aa',
    password: 'wrong-password-e2b7f9',
  };
  const b2Destination = { provider: 'b2', keyId: b2.keyId, applicationKey: b2.applicationKey, bucket: 'nimbus-secrets', apiUrl: b2.url, prefix: 'root' };
  const local = { provider: 'local', path: join(dir.path, 'local-dest') };

  // name → [destination, expected exit code, encryption]
  const runs: [string, Record<string, unknown>, number, Record<string, unknown>?][] = [
    ['s3', s3.destination(), 0],
    ['s3-wrong', { ...s3.destination(), secretAccessKey: wrong.s3 }, 2],
    ['swift', native.destination(), 0],
    ['swift-wrong', { ...native.destination(), key: wrong.swift }, 2],
    ['azure-key', azureDestination, 0],
    ['azure-wrong', { ...azureDestination, accountKey: wrong.azure }, 2],
    ['azure-sas', { provider: 'azure', serviceUrl: sasUrl, prefix: 'sas' }, 0],
    ['b2', b2Destination, 0],
    ['b2-wrong', { ...b2Destination, applicationKey: wrong.b2 }, 2],
    ['encrypted', local, 0, { password: PASSWORD }],
    ['encrypted-s3', { ...s3.destination(), prefix: 'enc' }, 0, { password: PASSWORD }],
  ];
  const outputs: { label: string; result: CliResult }[] = [];
  const data = join(dir.path, 'data');
  for (const [name, destination, code, encryption] of runs) {
    const profile = await writeProfile(dir.path, name, { source, destination, ...(encryption ? { encryption } : {}) });
    // The human summary too where it differs (a success); failures print the same either way.
    for (const extra of code === 0 && (name === 's3' || name === 'encrypted') ? [['--json'], []] : [['--json']]) {
      const result = await runNimbus(['run', profile, '--data-dir', data, ...extra], { env: { NIMBUS_DEBUG: '' } });
      t.is(result.code, code, `${name}: ${result.stderr}`);
      outputs.push({ label: `${name} run ${extra.join(' ')}`, result });
    }
    if (code === 0) {
      const restore = await runNimbus(['restore', profile, join(dir.path, `restored-${name}`), '--json', '--data-dir', data]);
      t.is(restore.code, 0, `${name} restore: ${restore.stderr}`);
      outputs.push({ label: `${name} restore`, result: restore });
    }
  }
  // A wrong encryption password, and a debug run that fails (NIMBUS_DEBUG prints more).
  const wrongPassword = await writeProfile(dir.path, 'encrypted', { source, destination: local, encryption: { password: wrong.password } });
  outputs.push({ label: 'wrong password', result: await runNimbus(['restore', wrongPassword, join(dir.path, 'r-wrong'), '--data-dir', data]) });
  const debugWrong = await writeProfile(dir.path, 'debug-wrong', { source, destination: { ...s3.destination(), secretAccessKey: wrong.s3 } });
  outputs.push({ label: 'debug wrong s3', result: await runNimbus(['run', debugWrong, '--data-dir', data], { env: { NIMBUS_DEBUG: '1' } }) });
  // Tokens the servers issued for these accounts (tempauth hands out the same one while it is valid).
  const auth = await fetch(swift.authUrl, { headers: { 'x-auth-user': swift.user, 'x-auth-key': swift.key } });
  const swiftToken = auth.headers.get('x-auth-token')!;
  const secrets: Record<string, string> = {
    's3 secret / swift key': swift.s3SecretAccessKey,
    'azure account key': azurite.accountKey,
    'azure SAS signature': sas.signature,
    'b2 application key': b2.applicationKey,
    'encryption password': PASSWORD,
    'swift token': swiftToken,
    ...Object.fromEntries(Object.entries(wrong).map(([k, v]) => [`wrong ${k}`, v])),
  };
  const places = [
    ...outputs.flatMap(({ label, result }) => [
      { where: `${label}: stdout`, text: result.stdout },
      { where: `${label}: stderr`, text: result.stderr },
    ]),
    ...(await filesBelow(data)).map((f) => ({ where: f.path, text: f.data.toString('latin1') })),
    ...(await filesBelow(join(dir.path, 'local-dest'))).map((f) => ({ where: f.path, text: f.data.toString('latin1') })),
  ];
  const hits: string[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')];
    for (const place of places) if (forms.some((f) => place.text.includes(f))) hits.push(`${name} in ${place.where}`);
  }
  t.deepEqual(hits, [], 'no secret anywhere');
  const databases = places.filter((p) => /cloud\.sqlite/.test(p.where)).map((p) => p.where.split('/').pop());
  t.true(databases.length > 0);
  t.log(`${Object.keys(secrets).length} secrets (3 encodings each) searched in ${places.length} places: ${outputs.length} CLI runs' stdout and stderr, ${places.length - outputs.length * 2} files (${[...new Set(databases)].join(', ')}, destination files)`);
  t.true(outputs.some((o) => /wrong password|password/.test(o.result.stderr)), 'the failing runs did say what was wrong');
  t.log(problemLines(outputs.find((o) => o.label === 'debug wrong s3')!.result.stderr).join(' | '));
});

const PROMPT_PROFILE = async (dir: string) => {
  await writeTree(join(dir, 'source'), { 'a.txt': 'prompted' });
  return writeProfile(dir, 'prompted', { source: './source', destination: { provider: 'local', path: './dest' }, encryption: { prompt: true } });
};

test('password prompt without a terminal: fails at once with one clear line (no hang)', async (t) => {
  const dir = await makeTempDir('nimbus-prompt-');
  t.teardown(dir.cleanup);
  const result = await runNimbus(['run', await PROMPT_PROFILE(dir.path), '--data-dir', join(dir.path, 'data')], { timeoutMs: 20_000 });
  t.false(result.timedOut, 'it did not wait for input');
  t.is(result.code, 2);
  t.deepEqual(problemLines(result.stderr).length, 1, result.stderr);
  t.regex(result.stderr, /no terminal is attached.*passwordEnv/);
  t.true(result.ms < 15_000, `answered in ${result.ms} ms`);
});

test('password prompt on a terminal (pseudo-terminal via script(1)): asks, never echoes, and the run succeeds', async (t) => {
  const dir = await makeTempDir('nimbus-prompt-tty-');
  t.teardown(dir.cleanup);
  const profile = await PROMPT_PROFILE(dir.path);
  const command = `${process.execPath} ${NIMBUS_BIN} run ${profile} --data-dir ${join(dir.path, 'data')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'dumb' } });
  let screen = '';
  let typed = false;
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  child.stdout.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
    if (!typed && screen.includes('Password for profile')) {
      typed = true;
      child.stdin.write(`${PASSWORD}\r`);
    }
  });
  child.stderr.resume();
  const code = await done;
  clearTimeout(timer);
  t.true(typed, `the prompt was shown: ${screen}`);
  t.is(code, 0, screen);
  t.false(screen.includes(PASSWORD), 'the password never reached the screen');
  t.false(/\*{4,}/.test(screen), 'not even as asterisks');
  t.regex(screen, /1 files? transferred|transferred/);
});

const CLIENT = { id: 'reliability-client', secret: 'Cs-5e0b2d-oauth-client-secret' };
const STORE_PASSPHRASE = 'Pp-a81f3c-token-store-passphrase';

/** Run the CLI; a sign-in address it prints is opened as a browser would (the fake's consent redirects back). */
function runSigningIn(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [NIMBUS_BIN, ...args], { cwd, env: { ...process.env, NIMBUS_DEBUG: '', NIMBUS_BROWSER: 'none', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => {
      stderr += c;
      const url = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)\n/.exec(stderr)?.[1];
      if (url && !stderr.includes('\u0000opened')) {
        stderr += '\u0000opened';
        void fetch(url).then((r) => r.text()).catch(() => undefined);
      }
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr: stderr.replace('\u0000opened', ''), ms: Date.now() - started, timedOut: false }));
  });
}

test('no access token, refresh token, OAuth client secret or token-store passphrase appears in any output, file or cloud database', async (t) => {
  const dir = await makeTempDir('nimbus-secrets-oauth-');
  t.teardown(dir.cleanup);
  const fake = await startOAuthFake({ clients: [CLIENT], accessTokenSeconds: 2 });
  t.teardown(() => fake.close());
  const pluginDir = join(dir.path, 'node_modules', 'nimbus-plugin-fakecloud');
  await mkdir(pluginDir, { recursive: true });
  await writeFile(join(pluginDir, 'package.json'), JSON.stringify({ name: 'nimbus-plugin-fakecloud', version: '1.0.0', type: 'module', nimbus: { plugin: './index.js', id: 'fakecloud' } }));
  await writeFile(join(pluginDir, 'index.js'), `export { default } from ${JSON.stringify(import.meta.resolve('@nimbus/testkit/fakecloud-plugin'))};\n`);
  await writeTree(join(dir.path, 'source'), { 'a.txt': 'a', 'sub/b.bin': { size: 40_000, seed: 2 } });
  const data = join(dir.path, 'data');
  const env = { NIMBUS_DATA_DIR: data, NIMBUS_TOKEN_STORE: 'file', NIMBUS_TOKEN_PASSPHRASE: STORE_PASSPHRASE, NIMBUS_CLIENT_SECRET: CLIENT.secret };
  const endpoints = Object.entries(fake.endpoints).flatMap(([name, url]) => ['--endpoint', `${name}=${url}`]);
  const profile = await writeProfile(dir.path, 'linked', { source: './source', destination: { provider: 'fakecloud', account: 'work', api: fake.apiUrl, partSize: 8192 } });
  fake.partDelayMs = 300;
  const outputs: { label: string; result: CliResult }[] = [];
  const step = async (label: string, args: string[], code: number, extraEnv: NodeJS.ProcessEnv = {}) => {
    const result = await runSigningIn(args, dir.path, { ...env, ...extraEnv });
    t.is(result.code, code, `${label}: ${result.stderr}`);
    outputs.push({ label, result });
  };
  await step('add', ['account', 'add', 'fakecloud', '--name', 'work', '--client-id', CLIENT.id, ...endpoints], 0);
  await step('add --json', ['account', 'add', 'fakecloud', '--name', 'other', '--client-id', CLIENT.id, '--json', ...endpoints], 0);
  await step('list', ['account', 'list'], 0);
  await step('list --json', ['account', 'list', '--json'], 0);
  await step('test', ['account', 'test', 'work', '--json'], 0);
  await step('run', ['run', profile], 0);
  await step('run --json', ['run', profile, '--json', '--verify-remote'], 0);
  await step('wrong passphrase', ['account', 'test', 'work'], 2, { NIMBUS_TOKEN_PASSPHRASE: 'Pp-wrong-passphrase-77' });
  fake.revokeUser('u-alice');
  await step('run after revocation', ['run', profile], 2);
  await step('debug run after revocation', ['run', profile], 2, { NIMBUS_DEBUG: '1' });
  await step('test after revocation', ['account', 'test', 'work'], 2);
  await step('reconnect', ['account', 'reconnect', 'work'], 0);
  await step('remove', ['account', 'remove', 'other'], 0);
  const issued = fake.issuedSecrets();
  t.true(issued.length >= 8, `${issued.length} tokens issued`);
  const secrets: Record<string, string> = {
    'client secret': CLIENT.secret,
    'token-store passphrase': STORE_PASSPHRASE,
    'wrong passphrase': 'Pp-wrong-passphrase-77',
    ...Object.fromEntries(issued.map((token, i) => [`${token.startsWith('rt_') ? 'refresh' : 'access'} token ${i}`, token])),
  };
  const places = [
    ...outputs.flatMap(({ label, result }) => [
      { where: `${label}: stdout`, text: result.stdout },
      { where: `${label}: stderr`, text: result.stderr },
    ]),
    ...(await filesBelow(data)).map((f) => ({ where: f.path, text: f.data.toString('latin1') })),
  ];
  const hits: string[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')];
    for (const place of places) if (forms.some((f) => place.text.includes(f))) hits.push(`${name} in ${place.where}`);
  }
  t.deepEqual(hits, [], 'no secret anywhere');
  t.true(places.some((p) => p.where.endsWith('work.sealed')) && places.some((p) => p.where.endsWith('cloud.sqlite')));
  t.regex(outputs.find((o) => o.label === 'run after revocation')!.result.stderr, /account "work" was disconnected by the provider: run nimbus account reconnect work/);
  t.log(`${Object.keys(secrets).length} secrets (3 encodings each) searched in ${places.length} places`);
});
