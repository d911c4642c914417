import { digestStream, randomBytesStream } from '@nimbus/testkit';
import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { adminClient, objectNames, swiftTarget } from './testing/swift-target.js';

const MiB = 1024 * 1024;

test('segments of a killed upload: no file is visible, and cleanupIncomplete removes exactly them', async (t) => {
  const { provider, config, swift, cleanup } = await swiftTarget({ largeFileThreshold: 2 * MiB, segmentSize: MiB });
  t.teardown(cleanup);
  const admin = adminClient(swift);
  const segments = () => objectNames(admin, `${config.container}_segments`, `${config.path}/`);

  // A complete large file whose segments must survive the clean-up.
  await provider.write('killed/complete.bin', randomBytesStream(3 * MiB, 'kept'), { size: 3 * MiB });
  const kept = await segments();
  t.is(kept.length, 3);

  const child = spawn(process.execPath, [fileURLToPath(new URL('./testing/killed-upload.child.js', import.meta.url)), JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => void child.kill('SIGKILL'));
  const deadline = Date.now() + 30_000;
  while ((await segments()).length < kept.length + 3) {
    if (Date.now() > deadline || child.exitCode !== null) t.fail('the child never uploaded segments');
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));

  // A segment whose body was fully sent before the kill may still land: wait until the listing is stable.
  let left = await segments();
  for (let previous: string[] = []; left.join() !== previous.join(); ) {
    previous = left;
    await new Promise((r) => setTimeout(r, 500));
    left = await segments();
  }
  const orphans = left.filter((n) => !kept.includes(n));
  t.true(orphans.length >= 3, `the killed upload left ${orphans.length} segments`);
  t.is(await provider.stat('killed/never-finished.bin'), undefined, 'no file appears at the path');
  const listed = [];
  for await (const page of provider.list('', { recursive: true })) listed.push(...page.map((e) => e.path));
  t.deepEqual(listed, ['killed/complete.bin']);

  t.is(await provider.cleanupIncomplete(), orphans.length);
  t.deepEqual(await segments(), kept, 'only the orphans went');
  t.deepEqual(await digestStream(await provider.read('killed/complete.bin')), await digestStream(randomBytesStream(3 * MiB, 'kept')));
  t.is(await provider.cleanupIncomplete(), 0, 'a second clean-up finds nothing');
});

test('with a grace period, young orphans are kept', async (t) => {
  const { provider, config, swift, cleanup } = await swiftTarget({ orphanSegmentGraceMinutes: 60 });
  t.teardown(cleanup);
  const admin = adminClient(swift);
  const name = `${config.path}/AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE.Part1.DO_NOT_REMOVE`;
  await admin.call({ method: 'PUT', container: `${config.container}_segments`, what: 'test' });
  await admin.call({ method: 'PUT', container: `${config.container}_segments`, object: name, body: Buffer.from('x'), what: 'test' });
  t.is(await provider.cleanupIncomplete(), 0);
  t.deepEqual(await objectNames(admin, `${config.container}_segments`, `${config.path}/`), [name]);
});
