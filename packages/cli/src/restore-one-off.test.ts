import test from 'ava';
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeTempDir, treeDigest, writeTree } from '@nimbus/testkit';

const bin = fileURLToPath(new URL('./bin.js', import.meta.url));
const nimbus = (args: string[], cwd: string) => promisify(execFile)(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NIMBUS_DEBUG: '' } });

test('restore <provider>:<target> <folder> brings back what `nimbus backup <source> <provider>:<target>` wrote, with no profile file', async (t) => {
  const dir = await makeTempDir('nimbus-cli-restore-');
  t.teardown(dir.cleanup);
  const mtime = new Date('2020-02-02T02:02:02.500Z').getTime();
  await writeTree(join(dir.path, 'source'), { 'a.txt': { content: 'alpha', mtime }, 'docs/b.txt': 'beta' });
  await nimbus(['backup', './source', 'local:./backup', '--data-dir', 'data-old'], dir.path);
  // Another machine: another data folder, another working folder.
  const { stdout } = await nimbus(['restore', `local:${join(dir.path, 'backup')}`, join(dir.path, 'restored'), '--json', '--data-dir', join(dir.path, 'data-new')], '/');
  const report = JSON.parse(stdout) as { counts: { restored: number; timesUnknown: number; hashesUnknown: number } };
  t.is(report.counts.restored, 2);
  t.is(report.counts.timesUnknown, 0, 'plugin-local keeps the times itself');
  t.true(Number.isInteger(report.counts.hashesUnknown), 'the JSON says how many files had no hash to check');
  t.deepEqual(await treeDigest(join(dir.path, 'restored')), await treeDigest(join(dir.path, 'source')));
  t.is(Math.round((await stat(join(dir.path, 'restored', 'a.txt'))).mtimeMs), mtime);
});
