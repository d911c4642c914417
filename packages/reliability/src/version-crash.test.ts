import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { digestStream, ensureSwiftServer, makeTempDir, treeDigest, writeTree } from '@nimbus/testkit';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import test, { type ExecutionContext } from 'ava';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runNimbus } from './support/cli.js';
import { writeProfile } from './support/profile-file.js';
import { swiftS3Client, TARGETS } from './support/targets.js';

const MB = 1000 * 1000;
const VERSIONS_OF_BIG = '$SBV$/big.bin/';

/** Where the test looks: the profile's destination block, the stored objects, and a cheap listing to poll. */
interface Place {
  destination: Record<string, unknown>;
  objects(): Promise<Map<string, string>>;
  names(): Promise<string[]>;
}

async function localPlace(t: ExecutionContext): Promise<Place> {
  const dir = await makeTempDir('nimbus-version-crash-local-');
  t.teardown(dir.cleanup);
  return {
    destination: { provider: 'local', path: dir.path },
    objects: () => treeDigest(dir.path),
    names: async () => (await readdir(dir.path, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.path.length + 1)),
  };
}

const places: Record<string, (t: ExecutionContext) => Promise<Place>> = {
  local: localPlace,
  ...Object.fromEntries(
    Object.entries(TARGETS).map(([name, make]) => [
      name,
      async (t: ExecutionContext) => {
        const target = await make('vcrash');
        t.teardown(() => target.cleanup());
        return { destination: target.destination(), objects: () => target.objects(), names: () => target.names() };
      },
    ]),
  ),
};

// Every provider here keeps versions the kernel's way ($SBV$ copies): the copy is made before the
// new content goes up, so a kill during that upload leaves the copy made and the record unchanged.
for (const [name, place] of Object.entries(places)) {
  test.serial(`${name}: kills during the upload of a changed file (right after the copy, then twice later) leave its previous content kept once`, async (t) => {
    const where = await place(t);
    const dir = await makeTempDir(`nimbus-version-crash-${name}-`);
    t.teardown(dir.cleanup);
    const source = join(dir.path, 'source');
    const data = join(dir.path, 'data');
    await writeTree(source, { 'big.bin': { size: 8 * MB, seed: 'before' }, 'small.txt': 'small' });
    const profile = await writeProfile(dir.path, `vcrash-${name}`, { source, destination: where.destination, transfers: 2 });
    const args = ['run', profile, '--json', '--data-dir', data];
    t.is((await runNimbus(args)).code, 0);
    const before = (await treeDigest(source)).get('big.bin')!;
    await writeTree(source, { 'big.bin': { size: 30 * MB, seed: 'after' } });

    const copies = async () => (await where.names()).filter((n) => n.startsWith(VERSIONS_OF_BIG)).length;
    // Kill 1: as soon as the previous content's copy exists (the new content is going up).
    const first = await runNimbus(args, { killWhen: async () => (await copies()) > 0 });
    t.is(first.signal, 'SIGKILL', `the run was killed during its upload: ${first.stderr}`);
    t.is(await copies(), 1);
    // Kills 2 and 3: reruns killed a little and a while after the point the first one reached its copy.
    for (const extra of [150, 600]) {
      const rerun = await runNimbus(args, { killAfterMs: first.ms + extra });
      t.log(`${name}: rerun killed ${first.ms + extra} ms in: ${rerun.signal ?? `exit ${rerun.code}`}`);
    }
    for (const rerun of [await runNimbus(args), await runNimbus(args)]) t.is(rerun.code, 0, rerun.stderr);

    const stored = await where.objects();
    const kept = [...stored].filter(([k]) => k.startsWith(VERSIONS_OF_BIG));
    t.is(kept.length, 1, `the previous content is kept once: ${kept.map(([k]) => k).join(', ')}`);
    t.is(kept[0]?.[1], before, 'and it is the previous content');
    t.deepEqual(new Map([...stored].filter(([k]) => !k.startsWith('$SBV$/'))), await treeDigest(source), 'the destination equals the source');
  });
}

/** Every version of every key below `prefix/` of a versioned bucket, oldest first per key. */
async function allVersions(client: S3Client, bucket: string, prefix: string) {
  const out: { key: string; versionId: string; isLatest: boolean; deleteMarker: boolean }[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page = await client.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: `${prefix}/`, ...(keyMarker ? { KeyMarker: keyMarker } : {}), ...(versionIdMarker ? { VersionIdMarker: versionIdMarker } : {}) }),
    );
    for (const v of page.Versions ?? []) out.push({ key: v.Key!, versionId: v.VersionId!, isLatest: Boolean(v.IsLatest), deleteMarker: false });
    for (const d of page.DeleteMarkers ?? []) out.push({ key: d.Key!, versionId: d.VersionId!, isLatest: Boolean(d.IsLatest), deleteMarker: true });
    if (!page.IsTruncated) return out;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
}

// A bucket with versioning on keeps versions itself (no $SBV$): a killed upload must not become
// a version, and the rerun must not upload the same content twice (two versions of it).
test.serial('swift-s3, versioned bucket: kills during the multipart upload of a changed file leave exactly its two contents as versions', async (t) => {
  const server = await ensureSwiftServer();
  const client = await swiftS3Client();
  const bucket = `nimbus-vcrash-${randomBytes(4).toString('hex')}`;
  const prefix = 'root';
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  t.teardown(async () => {
    for (const u of (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key!, UploadId: u.UploadId! }));
    }
    for (const v of await allVersions(client, bucket, prefix)) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: v.key, VersionId: v.versionId }));
    await client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined); // Swift's counts may lag
    client.destroy();
  });
  const dir = await makeTempDir('nimbus-version-crash-versioned-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  const destination = {
    provider: 's3', bucket, prefix, endpoint: server.s3Endpoint, useHttps: false, s3Compatible: true, region: server.region,
    accessKeyId: server.s3AccessKeyId, secretAccessKey: server.s3SecretAccessKey, multipartThreshold: 5 * 1024 * 1024,
  };
  await writeTree(source, { 'big.bin': { size: 8 * MB, seed: 'before' }, 'small.txt': 'small' });
  const profile = await writeProfile(dir.path, 'vcrash-versioned', { source, destination, transfers: 2 });
  const args = ['run', profile, '--json', '--data-dir', join(dir.path, 'data')];
  t.is((await runNimbus(args)).code, 0);
  const digests = new Map([['before', (await treeDigest(source)).get('big.bin')!]]);
  await writeTree(source, { 'big.bin': { size: 30 * MB, seed: 'after' } });
  digests.set('after', (await treeDigest(source)).get('big.bin')!);

  const uploading = async () => ((await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).length > 0;
  const first = await runNimbus(args, { killWhen: uploading });
  t.is(first.signal, 'SIGKILL', `the run was killed during its multipart upload: ${first.stderr}`);
  for (const extra of [150, 600]) await runNimbus(args, { killAfterMs: first.ms + extra });
  for (const rerun of [await runNimbus(args), await runNimbus(args)]) t.is(rerun.code, 0, rerun.stderr);

  const versions = (await allVersions(client, bucket, prefix)).filter((v) => v.key === `${prefix}/big.bin`);
  t.false(versions.some((v) => v.deleteMarker));
  const contents = await Promise.all(
    versions.map(async (v) => (await digestStream((await client.send(new GetObjectCommand({ Bucket: bucket, Key: v.key, VersionId: v.versionId }))).Body as Readable)).sha256),
  );
  t.deepEqual([...contents].sort(), [digests.get('before'), digests.get('after')].sort(), 'the previous content once, the new one once');
  t.is(contents[versions.findIndex((v) => v.isLatest)], digests.get('after')!);
});
