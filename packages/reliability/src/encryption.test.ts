import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ensureSwiftServer, makeTempDir, treeDigest, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { problemLines, runNimbus } from './support/cli.js';
import { writeProfile } from './support/profile-file.js';
import { swiftS3Target } from './support/targets.js';

const PASSWORD = 'correct horse battery staple 42';
const VICTIM = 'docs/victim.bin';

async function allFiles(root: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true }).catch(() => [])) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await allFiles(root, path)));
    else out.push(path);
  }
  return out.sort();
}

const flip = (data: Buffer) => {
  const copy = Buffer.from(data);
  copy[Math.floor(copy.length / 2)]! ^= 0x01;
  return copy;
};

/** Back up an encrypted, compressed tree, tamper with one stored byte, restore through the CLI. */
async function tamperCase(t: import('ava').ExecutionContext, destination: Record<string, unknown>, tamper: () => Promise<void>) {
  const dir = await makeTempDir('nimbus-tamper-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await writeTree(source, { [VICTIM]: { size: 300_000, seed: 'victim' }, 'docs/fine.txt': 'fine', 'other.bin': { size: 70_000, seed: 2 } });
  const data = join(dir.path, 'data');
  const profile = await writeProfile(dir.path, 'tamper', { source, destination, compression: true, encryption: { password: PASSWORD } });
  const backup = await runNimbus(['run', profile, '--json', '--data-dir', data]);
  t.is(backup.code, 0, backup.stderr);
  await tamper();

  const target = join(dir.path, 'restored');
  const restore = await runNimbus(['restore', profile, target, '--json', '--data-dir', data]);
  t.is(restore.code, 1, restore.stderr);
  const report = JSON.parse(restore.stdout);
  t.deepEqual(report.failures.map((f: { path: string }) => f.path), [VICTIM], 'the tampered file, and only it, fails');
  t.regex(report.failures[0].error, /tamper|authentic|integrity|corrupt|damaged|modified/i, `a clear reason: ${report.failures[0].error}`);
  const victimLines = restore.stderr.split('\n').filter((l) => l.includes(VICTIM));
  t.is(victimLines.length, 1, `one line on stderr names it: ${restore.stderr}`);
  t.false(/\n\s+at /.test(restore.stderr), 'no stack trace');
  t.deepEqual(await allFiles(target), ['docs/fine.txt', 'other.bin'], 'no partial or temporary file left where the victim would be');
  const expected = await treeDigest(source);
  expected.delete(VICTIM);
  t.deepEqual(await treeDigest(target), expected, 'the untouched files are restored exactly');

  // A wrong password: a clear one-line error before anything moves.
  const wrong = await writeProfile(dir.path, 'tamper', { source, destination, compression: true, encryption: { password: 'not the right password' } });
  const refused = await runNimbus(['restore', wrong, join(dir.path, 'restored-2'), '--data-dir', data]);
  t.is(refused.code, 2, refused.stderr);
  t.is(problemLines(refused.stderr).length, 1, refused.stderr);
  t.regex(problemLines(refused.stderr)[0]!, /^nimbus: .*password/i, 'one line naming the password');
  t.deepEqual(await allFiles(join(dir.path, 'restored-2')), [], 'nothing restored with a wrong password');
  const again = await runNimbus(['run', wrong, '--data-dir', data]);
  t.is(again.code, 2, 'a backup with the wrong password is refused too');
  t.deepEqual(problemLines(again.stderr), problemLines(refused.stderr));
}

test('local: one flipped byte in a stored encrypted object is detected on restore (exit 1, nothing half-restored); a wrong password is exit 2', async (t) => {
  const dir = await makeTempDir('nimbus-tamper-dest-');
  t.teardown(dir.cleanup);
  const dest = join(dir.path, 'backup');
  await tamperCase(t, { provider: 'local', path: dest }, async () => {
    const file = join(dest, VICTIM);
    await writeFile(file, flip(await readFile(file)));
  });
});

test('swift-s3: one flipped byte in a stored encrypted object (rewritten with the S3 SDK) is detected on restore', async (t) => {
  const target = await swiftS3Target('tamper');
  t.teardown(() => target.cleanup());
  const server = await ensureSwiftServer();
  const settings = target.destination();
  const client = new S3Client({
    endpoint: server.s3Endpoint, region: server.region, forcePathStyle: true,
    credentials: { accessKeyId: server.s3AccessKeyId, secretAccessKey: server.s3SecretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
  t.teardown(() => client.destroy());
  await tamperCase(t, settings, async () => {
    const key = `${settings.prefix}/${VICTIM}`;
    const object = await client.send(new GetObjectCommand({ Bucket: String(settings.bucket), Key: key }));
    const body = Buffer.from(await object.Body!.transformToByteArray());
    await client.send(new PutObjectCommand({ Bucket: String(settings.bucket), Key: key, Body: flip(body), Metadata: object.Metadata ?? {} }));
  });
});
