import { MemoryLogger, PluginRegistry, runBackup, validateProfile } from '@nimbus/kernel';
import { ensureSwiftServer, makeTempDir, writeTree, type TreeSpec } from '@nimbus/testkit';
import test from 'ava';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openstackConfigSchema } from './config.js';
import openstackPlugin from './index.js';
import { adminClient, objectNames, removeFolder } from './testing/swift-target.js';

/**
 * Moving from rclone on Swift's native API: a folder the real rclone filled (bytes as they
 * are, X-Object-Meta-Mtime) is taken over by Nimbus's first run. Runs where rclone is
 * installed (CI installs it with the test servers).
 */
const rclone = ['/usr/bin/rclone', '/usr/local/bin/rclone'].find((p) => existsSync(p));
const T0 = new Date('2022-02-02T02:02:02.250Z').getTime();
const FILES = 40;
const tree: TreeSpec = Object.fromEntries(Array.from({ length: FILES }, (_, i) => [`notes/${i % 4}/n-${i}.txt`, { content: `note ${i} `.repeat(100), mtime: T0 + i * 999 }]));

(rclone ? test : test.skip)('Swift native: a folder rclone filled with the same files is taken over (no upload, no version); Nimbus writes times rclone reads', async (t) => {
  const swift = await ensureSwiftServer();
  const dir = await makeTempDir('nimbus-openstack-adopt-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await writeTree(source, tree);
  const destination = { provider: 'openstack', authUrl: swift.authUrl, user: swift.user, key: swift.key, container: 'nimbus-openstack-adopt', path: `a-${randomUUID()}` };
  const { provider: _id, ...settings } = destination;
  t.teardown(() => removeFolder(swift, openstackConfigSchema.parse(settings)));
  const env = {
    ...process.env,
    RCLONE_CONFIG: '/dev/null',
    RCLONE_CONFIG_SWIFT_TYPE: 'swift',
    RCLONE_CONFIG_SWIFT_AUTH: swift.authUrl,
    RCLONE_CONFIG_SWIFT_USER: swift.user,
    RCLONE_CONFIG_SWIFT_KEY: swift.key,
  };
  const remote = `swift:${destination.container}/${destination.path}`;
  await promisify(execFile)(rclone!, ['copy', source, remote], { env });

  const registry = new PluginRegistry();
  registry.register(openstackPlugin);
  const run = () => {
    const loaded = validateProfile({ name: 'adopt', source, destination }, 'test profile', dir.path, 'adopt');
    return runBackup({ loaded, registry, logger: new MemoryLogger(), env: { NIMBUS_DATA_DIR: join(dir.path, 'data') } });
  };
  const first = await run();
  t.deepEqual(first.failures, []);
  t.is(first.counts.uploaded + first.counts.updated, 0);
  t.is(first.counts.adopted, FILES);
  t.deepEqual(await objectNames(adminClient(swift), destination.container, `${destination.path}/$SBV$/`), []);

  const mtime = new Date('2021-05-06T07:08:09.345Z').getTime();
  await writeTree(source, { 'by-nimbus.txt': { content: 'written by nimbus', mtime } });
  t.is((await run()).counts.uploaded, 1);
  const { stdout } = await promisify(execFile)(rclone!, ['lsjson', `${remote}/by-nimbus.txt`], { env });
  t.is(new Date((JSON.parse(stdout) as Array<{ ModTime: string }>)[0]!.ModTime).getTime(), mtime, 'rclone shows the original time');
});
