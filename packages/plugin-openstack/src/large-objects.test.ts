import { digestStream, randomBytesStream } from '@nimbus/testkit';
import test from 'ava';
import { SEGMENT_NAME } from './large-objects.js';
import { adminClient, objectNames, swiftTarget } from './testing/swift-target.js';

const MiB = 1024 * 1024;
// Small threshold and segments keep these tests quick; the logic is the same at 10 MB.
const SMALL = { largeFileThreshold: 3 * MiB, segmentSize: 1 * MiB };

async function setup(t: import('ava').ExecutionContext) {
  const target = await swiftTarget(SMALL);
  t.teardown(target.cleanup);
  const admin = adminClient(target.swift);
  const segmentsContainer = `${target.config.container}_segments`;
  return {
    ...target,
    admin,
    /** Segment object names below the test folder. */
    segments: () => objectNames(admin, segmentsContainer, `${target.config.path}/`),
    /** Object names in the user's container below the test folder. */
    objects: () => objectNames(admin, target.config.container, `${target.config.path}/`),
  };
}

test('a file at or above the threshold goes up as parallel segments in <container>_segments; listings show only the file', async (t) => {
  const { provider, config, segments, objects } = await setup(t);
  const size = 3.5 * MiB;
  const expected = await digestStream(randomBytesStream(size, 'slo'));
  const entry = await provider.write('docs/big.bin', randomBytesStream(size, 'slo'), { size, metadata: { 'nimbus-size': String(size) } });
  t.is(entry.size, size);

  const names = await segments();
  t.is(names.length, 4, 'four 1 MiB segments (the last one half full)');
  for (const name of names) {
    t.true(name.startsWith(`${config.path}/docs/`), `segment ${name} lies in its file's folder`);
    t.regex(name, SEGMENT_NAME);
  }
  t.deepEqual(new Set(names.map((n) => n.replace(/\.Part\d+\.DO_NOT_REMOVE$/, ''))).size, 1, 'one GUID per upload');
  t.deepEqual(names.map((n) => n.match(/\.Part(\d+)\./)![1]).sort(), ['1', '2', '3', '4']);
  t.deepEqual(await objects(), [`${config.path}/docs/big.bin`], 'the user container holds the manifest only');

  const stat = await provider.stat('docs/big.bin');
  t.is(stat?.size, size);
  t.is(stat?.hashes?.md5, undefined, 'an SLO ETag is not the MD5 of the content, so none is reported');
  t.is(stat?.metadata?.['nimbus-size'], String(size));
  const listed = [];
  for await (const page of provider.list('docs')) listed.push(...page);
  t.deepEqual(listed.map((e) => [e.path, e.size, e.hashes?.md5]), [['docs/big.bin', size, undefined]]);
  t.deepEqual(await digestStream(await provider.read('docs/big.bin')), expected);
});

test('move keeps the segments where they are; delete removes them', async (t) => {
  const { provider, segments } = await setup(t);
  const size = 3 * MiB;
  const expected = await digestStream(randomBytesStream(size, 'move'));
  await provider.write('a/big.bin', randomBytesStream(size, 'move'), { size });
  const before = await segments();
  await provider.move('a/big.bin', '$SBV$/a/big.bin');
  t.is(await provider.stat('a/big.bin'), undefined);
  t.deepEqual(await segments(), before, 'no segment moved, none deleted');
  t.deepEqual(await digestStream(await provider.read('$SBV$/a/big.bin')), expected);
  await provider.delete('$SBV$/a/big.bin');
  t.deepEqual(await segments(), [], 'deleting the file deletes its segments');
});

test('overwriting a large file removes its old segments; a copy gets segments of its own', async (t) => {
  const { provider, segments } = await setup(t);
  const size = 3 * MiB;
  await provider.write('big.bin', randomBytesStream(size, 'one'), { size });
  const first = await segments();
  await provider.write('big.bin', randomBytesStream(size, 'two'), { size });
  const second = await segments();
  t.is(second.length, 3);
  t.deepEqual(second.filter((n) => first.includes(n)), [], 'the replaced upload\'s segments are gone');

  await provider.copy('big.bin', 'copy.bin');
  t.is((await segments()).length, 6);
  await provider.delete('big.bin');
  t.is((await segments()).length, 3);
  t.deepEqual(await digestStream(await provider.read('copy.bin')), await digestStream(randomBytesStream(size, 'two')), 'the copy survives its source');

  await provider.write('copy.bin', randomBytesStream(100, 'small'), { size: 100 });
  t.deepEqual(await segments(), [], 'a large file replaced by a small one leaves no segments');
});

test('a body that fails midway through a segmented upload leaves no file and no segments', async (t) => {
  const { provider, segments, objects } = await setup(t);
  const { Readable } = await import('node:stream');
  let sent = 0;
  const failing = new Readable({
    read() {
      if (sent >= 4.5 * MiB) return void this.destroy(new Error('disk read failed'));
      sent += 256 * 1024;
      this.push(Buffer.alloc(256 * 1024, 7));
    },
  });
  await t.throwsAsync(provider.write('broken.bin', failing, { size: 8 * MiB }));
  t.deepEqual(await objects(), []);
  t.deepEqual(await segments(), []);
});

test('a body shorter than announced is a conflict and leaves nothing', async (t) => {
  const { provider, segments, objects } = await setup(t);
  const error = await t.throwsAsync(provider.write('short.bin', randomBytesStream(4 * MiB, 's'), { size: 5 * MiB }));
  t.is((error as { kind?: string }).kind, 'conflict');
  t.deepEqual(await objects(), []);
  t.deepEqual(await segments(), []);
});

test('overwriting a file just under the threshold (If-None-Match answered 412, then a second PUT) works', async (t) => {
  const target = await swiftTarget();
  t.teardown(target.cleanup);
  const { provider } = target;
  const objects = () => objectNames(adminClient(target.swift), target.config.container, `${target.config.path}/`);
  const size = 9.5 * MiB; // below the default 10 MB threshold: one PUT of the whole body
  await provider.write('nearly.bin', randomBytesStream(size, 'one'), { size });
  await provider.write('nearly.bin', randomBytesStream(size, 'two'), { size });
  t.deepEqual(await digestStream(await provider.read('nearly.bin')), await digestStream(randomBytesStream(size, 'two')));
  t.is((await objects()).length, 1);
});
