import { MemoryLogger, PluginRegistry, runProfile, validateProfile, type RunReport } from '@nimbus/kernel';
import { ensureSwiftServer, makeTempDir, treeDigest, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import openstackPlugin from './index.js';
import { openstackConfigSchema } from './config.js';
import { removeFolder } from './testing/swift-target.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;

const TREE = {
  'README.txt': 'hello',
  'odd names/café #1 % + ? &.txt': 'odd',
  'odd names/日本語 ファイル.txt': 'unicode',
  "odd names/quote ' and \" ;=,.txt": 'quotes',
  'odd names/emoji 🎉/deep/file.txt': 'emoji',
  '-leading-dash.txt': 'dash',
  'empty.bin': '',
  'odd names/empty too.txt': '',
  'big/fifty.bin': { size: 50 * MiB, seed: 50 },
};

test('a backup through the kernel reads back with the swift client as whole objects; an unchanged rerun transfers nothing', async (t) => {
  const swift = await ensureSwiftServer();
  const dir = await makeTempDir('nimbus-openstack-backup-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await writeTree(source, TREE);

  const destination = { provider: 'openstack', authUrl: swift.authUrl, user: swift.user, key: swift.key, container: 'nimbus-openstack-backup', path: `b-${randomUUID()}` };
  const { provider: _id, ...settings } = destination;
  t.teardown(() => removeFolder(swift, openstackConfigSchema.parse(settings)));
  const registry = new PluginRegistry();
  registry.register(openstackPlugin);
  const backup = async () => {
    const loaded = validateProfile({ name: 'openstack-backup', source, destination }, 'test profile', dir.path, 'test');
    const report = await runProfile({ loaded, registry, logger: new MemoryLogger(), env: { NIMBUS_DATA_DIR: join(dir.path, 'data') } });
    if (report.mode !== 'backup') throw new Error(`expected a backup report, got ${report.mode}`);
    return report as RunReport;
  };

  const started = Date.now();
  const first = await backup();
  t.log(`first run: ${Date.now() - started} ms`);
  t.is(first.exitCode, 0, JSON.stringify(first.failures ?? []));
  t.is(first.counts.uploaded, Object.keys(TREE).length);
  t.is(first.bytes.uploaded, 50 * MiB + 5 + 3 + 7 + 6 + 5 + 4);
  t.false(first.destination.includes(swift.key), 'the description names no secret');

  // Another Swift client sees exactly the files (no segments) and downloads them whole.
  const cli = ['-A', swift.authUrl, '-U', swift.user, '-K', swift.key];
  const { stdout } = await run('/usr/bin/swift', [...cli, 'list', destination.container, '--prefix', `${destination.path}/`]);
  t.deepEqual(stdout.trim().split('\n').sort(), Object.keys(TREE).map((p) => `${destination.path}/${p}`).sort());
  const download = join(dir.path, 'download');
  await run('/usr/bin/swift', [...cli, 'download', destination.container, '--prefix', `${destination.path}/`, '--output-dir', download], { maxBuffer: 16 * MiB });
  t.deepEqual(await treeDigest(join(download, destination.path)), await treeDigest(source), 'every object matches its file byte for byte');
  const { stdout: stat } = await run('/usr/bin/swift', [...cli, 'stat', destination.container, `${destination.path}/big/fifty.bin`]);
  t.regex(stat, /Manifest: |X-Static-Large-Object: True/i);
  t.regex(stat, /Meta Nimbus-Mtime: \d+/);
  t.regex(stat, /Meta Mtime: \d+\.\d{9}\b/, 'and where rclone reads it (X-Object-Meta-Mtime, decimal seconds)');

  const rerunStarted = Date.now();
  const second = await backup();
  t.log(`unchanged rerun: ${Date.now() - rerunStarted} ms`);
  t.is(second.exitCode, 0);
  t.is(second.counts.uploaded + second.counts.updated, 0);
  t.is(second.counts.unchanged, Object.keys(TREE).length);
  t.is(second.bytes.uploaded, 0);
});
