import { makeTempDir, startB2Fake, treeDigest, writeTree } from '@nimbus/testkit';
import { createHash } from 'node:crypto';
import test from 'ava';
import { join } from 'node:path';
import { randomBytesStream } from '@nimbus/testkit';
import { createWriteStream } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { startByteCountingProxy } from './support/byte-counting-proxy.js';
import { runNimbus } from './support/cli.js';
import { recordedState } from './support/database.js';
import { writeProfile } from './support/profile-file.js';
import { azuriteTarget, swiftNativeTarget, swiftS3Target, type ServerTarget } from './support/targets.js';

const MiB = 1024 * 1024;
const SIZE = 200 * MiB;

interface ResumeCase {
  readonly target: () => Promise<ServerTarget>;
  /** Destination settings: the part size (and the threshold to match). */
  readonly settings: Record<string, unknown>;
  readonly partSize: number;
  /** Whether a request the server answered was one part (S3 UploadPart, a Swift segment PUT). */
  readonly isPart: (method: string, url: string) => boolean;
  /**
   * Parts the server acknowledged that the rerun may still send again: Azure lists no hash
   * for staged blocks, so only those whose MD5 reached the cloud database before the kill
   * (at most the blocks in flight, 4, are missing) can be trusted.
   */
  readonly unverifiable?: number;
}

const isUploadPart = (method: string, url: string) => method === 'PUT' && /[?&]partNumber=/.test(url);

const CASES: Record<string, ResumeCase> = {
  // 16 MiB parts: the S3 plugin's preferred size; 13 parts.
  'swift-s3': { target: () => swiftS3Target('resume'), settings: { multipartThreshold: 16 * MiB }, partSize: 16 * MiB, isPart: isUploadPart },
  // 10 MiB segments; 20 of them.
  'swift-native': {
    target: () => swiftNativeTarget('resume'),
    settings: { largeFileThreshold: 10 * MiB, segmentSize: 10 * MiB },
    partSize: 10 * MiB,
    isPart: (method, url) => method === 'PUT' && /\.Part\d+\.DO_NOT_REMOVE$/.test(url),
  },
  // 8 MiB blocks; 25 of them.
  azurite: {
    target: () => azuriteTarget('resume'),
    settings: { blockSize: 8 * MiB },
    partSize: 8 * MiB,
    unverifiable: 4,
    isPart: (method, url) => method === 'PUT' && /[?&]comp=block(&|$)/.test(url),
  },
};

for (const [name, c] of Object.entries(CASES)) {
  test.serial(`${name}: a run killed -9 during a 200 MiB upload is resumed by the rerun, which sends less than half of the bytes again`, async (t) => {
    const target = await c.target();
    const proxy = await startByteCountingProxy(target.upstream);
    t.teardown(async () => {
      await proxy.close();
      await target.cleanup();
    });
    const dir = await makeTempDir('nimbus-resume-');
    t.teardown(dir.cleanup);
    const source = join(dir.path, 'source');
    const data = join(dir.path, 'data');
    await writeTree(source, { 'big/two-hundred.bin': { size: SIZE, seed: 'resume-200' } });
    const destination = { ...target.destination(proxy.endpoint), ...c.settings };
    const profile = await writeProfile(dir.path, 'resume', { source, destination, transfers: 4 });
    const args = ['run', profile, '--json', '--data-dir', data];

    // Killed once 70% of the parts were acknowledged by the server.
    const parts = Math.ceil(SIZE / c.partSize);
    const killAfterParts = Math.ceil(parts * 0.7);
    const killed = await runNimbus(args, { killWhen: async () => proxy.answered(c.isPart) >= killAfterParts, timeoutMs: 240_000 });
    t.is(killed.signal, 'SIGKILL', `the first run was killed during the upload: ${killed.stderr}`);
    const sentBeforeKill = proxy.bytesSent;
    t.deepEqual(await target.names(), [], 'nothing looks complete after the kill');

    proxy.reset();
    const rerun = await runNimbus(args, { timeoutMs: 240_000 });
    t.is(rerun.code, 0, rerun.stderr);
    const sentByRerun = proxy.bytesSent;
    t.log(`sent before the kill: ${(sentBeforeKill / MiB).toFixed(1)} MiB; sent by the rerun: ${(sentByRerun / MiB).toFixed(1)} MiB`);
    t.true(sentByRerun < SIZE / 2, `the rerun sent ${sentByRerun} bytes, less than half of ${SIZE}`);
    t.true(proxy.answered(c.isPart) <= parts - killAfterParts + (c.unverifiable ?? 0), 'only the parts the server did not hold (verifiably) were sent');

    t.deepEqual(await target.objects(), await treeDigest(source), 'the object equals the source (read back by an independent client)');
    t.deepEqual(await target.leftovers(), [], 'no multipart upload or segment left');
    const db = await recordedState(data);
    t.deepEqual(db.paths, ['big/two-hundred.bin']);
    t.is(db.lastRun, 'completed');
  });
}

test.serial('swift-s3: a file changed after the kill is not resumed: its old upload is aborted and the new content sent whole', async (t) => {
  const target = await swiftS3Target('resume');
  const proxy = await startByteCountingProxy(target.upstream);
  t.teardown(async () => {
    await proxy.close();
    await target.cleanup();
  });
  const dir = await makeTempDir('nimbus-resume-changed-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  const data = join(dir.path, 'data');
  const file = join(source, 'big/changing.bin');
  await writeTree(source, { 'big/changing.bin': { size: SIZE, seed: 'before' } });
  const destination = { ...target.destination(proxy.endpoint), ...CASES['swift-s3']!.settings };
  const profile = await writeProfile(dir.path, 'resume-changed', { source, destination, transfers: 4 });
  const args = ['run', profile, '--json', '--data-dir', data];

  const killed = await runNimbus(args, { killWhen: async () => proxy.answered(isUploadPart) >= 4, timeoutMs: 240_000 });
  t.is(killed.signal, 'SIGKILL', killed.stderr);
  // Same size, other bytes, another mtime: another source.
  await pipeline(randomBytesStream(SIZE, 'after'), createWriteStream(file));
  await utimes(file, new Date(), new Date(Date.now() + 5000));

  proxy.reset();
  const rerun = await runNimbus(args, { timeoutMs: 240_000 });
  t.is(rerun.code, 0, rerun.stderr);
  t.true(proxy.bytesSent >= SIZE, `the changed file was sent whole (${proxy.bytesSent} bytes)`);
  t.deepEqual(await target.objects(), await treeDigest(source), 'the object holds the new content');
  t.deepEqual(await target.leftovers(), [], 'the old upload was aborted');
});

test.serial('b2 (fake): a run killed -9 during a 200 MiB large file is resumed by the rerun (b2_list_parts), which sends less than half of the bytes again (counted at the server)', async (t) => {
  const partSize = 10 * MiB;
  const fake = await startB2Fake({ buckets: ['nimbus-b2-resume'], recommendedPartSize: partSize });
  t.teardown(() => fake.close());
  const dir = await makeTempDir('nimbus-resume-b2-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  const data = join(dir.path, 'data');
  await writeTree(source, { 'big/two-hundred.bin': { size: SIZE, seed: 'resume-b2' } });
  const destination = { provider: 'b2', keyId: fake.keyId, applicationKey: fake.applicationKey, bucket: 'nimbus-b2-resume', apiUrl: fake.url, prefix: 'root' };
  const profile = await writeProfile(dir.path, 'resume-b2', { source, destination, transfers: 4 });
  const args = ['run', profile, '--json', '--data-dir', data];
  // Bytes of parts the fake stored: what the client really sent, measured at the server.
  const storedPartBytes = () => [...fake.store.largeFiles.values()].reduce((sum, l) => sum + [...l.parts.values()].reduce((s, p) => s + p.data.length, 0), 0);
  const parts = Math.ceil(SIZE / partSize);

  const killed = await runNimbus(args, { killWhen: async () => fake.callCount('b2_upload_part') >= Math.ceil(parts * 0.7), timeoutMs: 240_000 });
  t.is(killed.signal, 'SIGKILL', killed.stderr);
  t.is(fake.store.largeFiles.size, 1, 'the unfinished large file waits for the rerun');
  const heldAtKill = storedPartBytes();

  const partsBefore = fake.callCount('b2_upload_part');
  const rerun = await runNimbus(args, { timeoutMs: 240_000 });
  t.is(rerun.code, 0, rerun.stderr);
  const partsSent = fake.callCount('b2_upload_part') - partsBefore;
  t.log(`held at the kill: ${(heldAtKill / MiB).toFixed(1)} MiB; parts sent by the rerun: ${partsSent} of ${parts}`);
  t.true(partsSent * partSize < SIZE / 2, `the rerun sent ${partsSent} parts of ${partSize} bytes, less than half of ${SIZE}`);
  t.is(fake.store.largeFiles.size, 0, 'no unfinished large file left');
  const stored = fake.store.versions.get(fake.store.bucketByName('nimbus-b2-resume')!.bucketId)!;
  t.deepEqual(
    new Map(stored.map((v) => [v.fileName.slice('root/'.length), createHash('sha256').update(v.data).digest('hex')])),
    await treeDigest(source),
    'one version, byte for byte',
  );
  const db = await recordedState(data);
  t.deepEqual(db.paths, ['big/two-hundred.bin']);
});
