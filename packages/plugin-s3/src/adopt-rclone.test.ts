import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { formatToolMtime, MemoryLogger, PluginRegistry, runBackup, validateProfile } from '@nimbus/kernel';
import { makeTempDir, writeTree, type TreeSpec } from '@nimbus/testkit';
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import s3Plugin from './index.js';
import { createTestBucket, ensureSwiftServer, rawClient, swiftSettings } from './test-support/swift-s3.js';

/**
 * Moving from rclone: a destination rclone filled with the source's files is taken over by
 * Nimbus's first run without sending anything again, on a real S3 API (Swift's s3api).
 * The real rclone fills it when installed (CI installs it with the test servers); without it
 * the objects are written with the SDK exactly as rclone writes them (bytes as they are,
 * `x-amz-meta-mtime` in decimal seconds).
 */
const server = await ensureSwiftServer();
const admin = rawClient(server);
const bucket = await createTestBucket(admin, 'adopt');
const rclone = ['/usr/bin/rclone', '/usr/local/bin/rclone'].find((p) => existsSync(p));

const T0 = new Date('2022-02-02T02:02:02.250Z').getTime();
const SMALL = 300;
const tree: TreeSpec = {
  ...Object.fromEntries(Array.from({ length: SMALL }, (_, i) => [`photos/${i % 10}/img-${i}.txt`, { content: `picture ${i} `.repeat(150), mtime: T0 + i * 1001 }])),
  // Above rclone's upload cutoff below: a multipart object, whose ETag is no MD5, so only its mtime metadata can tell.
  'video/clip.bin': { size: 6 * 1024 * 1024, seed: 'clip', mtime: T0 },
};

function rcloneEnv(): NodeJS.ProcessEnv {
  const { AWS_CA_BUNDLE: _unset, ...env } = process.env; // rclone's S3 backend fails to start with it set
  return {
    ...env,
    RCLONE_CONFIG: '/dev/null',
    RCLONE_CONFIG_SWIFTS3_TYPE: 's3',
    RCLONE_CONFIG_SWIFTS3_PROVIDER: 'Other',
    RCLONE_CONFIG_SWIFTS3_ENDPOINT: server.s3Endpoint,
    RCLONE_CONFIG_SWIFTS3_ACCESS_KEY_ID: server.s3AccessKeyId,
    RCLONE_CONFIG_SWIFTS3_SECRET_ACCESS_KEY: server.s3SecretAccessKey,
    RCLONE_CONFIG_SWIFTS3_REGION: server.region,
    RCLONE_CONFIG_SWIFTS3_FORCE_PATH_STYLE: 'true',
  };
}

const runRclone = (args: string[]) => promisify(execFile)(rclone!, args, { env: rcloneEnv(), maxBuffer: 16 * 1024 * 1024 });

/** Fill `prefix` with the source as rclone does: with rclone itself when installed. */
async function fillAsRclone(source: string, prefix: string): Promise<string> {
  if (rclone) {
    await runRclone(['copy', source, `swifts3:${bucket}/${prefix}`, '--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M', '--transfers', '8']);
    return 'rclone';
  }
  for (const [path, spec] of Object.entries(tree)) {
    const file = join(source, path);
    await admin.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${prefix}/${path}`,
        Body: await readFile(file),
        Metadata: { mtime: formatToolMtime((spec as { mtime: number }).mtime, 'epoch-seconds') },
      }),
    );
  }
  return 'the SDK, as rclone writes';
}

async function keysBelow(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

test('Swift S3: a prefix rclone filled with the same files is taken over by the first run (no upload, no version kept); Nimbus writes times rclone reads', async (t) => {
  const dir = await makeTempDir('nimbus-s3-adopt-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await writeTree(source, tree);
  const prefix = 'moved-from-rclone';
  const filledBy = await fillAsRclone(source, prefix);
  t.log(`destination filled by ${filledBy}`);

  const registry = new PluginRegistry();
  registry.register(s3Plugin);
  const run = () => {
    const loaded = validateProfile({ name: 'adopt', source, destination: { provider: 's3', ...swiftSettings(server, bucket, { prefix }) } }, 'test profile', dir.path, 'adopt');
    return runBackup({ loaded, registry, logger: new MemoryLogger(), env: { NIMBUS_DATA_DIR: join(dir.path, 'data') }, retry: { retries: 2, minDelayMs: 10, maxDelayMs: 100 } });
  };

  if (rclone) {
    const clip = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}/video/clip.bin` }));
    t.regex(clip.ETag ?? '', /-\d+"?$/, 'rclone stored the clip in parts: its ETag is no MD5');
  }
  const first = await run();
  t.log(`first run over ${SMALL + 1} files already there: ${first.durationMs} ms`);
  t.deepEqual(first.failures, []);
  t.is(first.counts.uploaded + first.counts.updated, 0, 'nothing sent again');
  t.is(first.counts.adopted, SMALL + 1, 'every file taken over: by MD5, and the multipart one by its mtime metadata');
  t.deepEqual(await keysBelow(`${prefix}/$SBV$/`), [], 'no copy kept as a version');

  // A file Nimbus uploads carries its time where rclone reads it.
  const mtime = new Date('2021-05-06T07:08:09.345Z').getTime();
  await writeTree(source, { 'new/by-nimbus.txt': { content: 'written by nimbus', mtime } });
  const second = await run();
  t.is(second.counts.uploaded, 1);
  const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}/new/by-nimbus.txt` }));
  t.is(head.Metadata?.mtime, '1620284889.345000000');
  if (rclone) {
    const { stdout } = await runRclone(['lsjson', `swifts3:${bucket}/${prefix}/new/by-nimbus.txt`]);
    const [listed] = JSON.parse(stdout) as Array<{ ModTime: string }>;
    t.is(new Date(listed!.ModTime).getTime(), mtime, 'rclone shows the original modification time');
    t.is(new Date(listed!.ModTime).getTime(), Math.round((await stat(join(source, 'new/by-nimbus.txt'))).mtimeMs));
  }
});
