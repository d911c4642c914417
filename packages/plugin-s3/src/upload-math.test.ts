import test from 'ava';
import { Readable } from 'node:stream';
import { archiveStateOf } from './archive-state.js';
import { bodyParts } from '@nimbus/kernel';
import { md5FromEtag } from './entries.js';
import { growingPartSize, partSizeFor, PREFERRED_PART_SIZE, S3_PART_LIMITS } from './part-size.js';
import { parseRestoreHeader } from './restore-header.js';

const MiB = 1024 * 1024;

test('part size: 16 MiB normally; large enough for 5 TiB in 10,000 parts', (t) => {
  t.is(partSizeFor(40 * MiB), 16 * MiB);
  t.is(partSizeFor(200 * 1024 * MiB), 21 * MiB);
  const max = partSizeFor(S3_PART_LIMITS.maxObjectSize);
  t.is(max, 525 * MiB);
  t.true(Math.ceil(S3_PART_LIMITS.maxObjectSize / max) <= 10_000);
});

test('unknown size: part sizes grow so 10,000 parts hold more than 5 TiB', (t) => {
  let total = 0;
  for (let n = 1; n <= 10_000; n++) total += growingPartSize(n);
  t.true(total > S3_PART_LIMITS.maxObjectSize, `${total}`);
  t.is(growingPartSize(1), PREFERRED_PART_SIZE);
  t.is(growingPartSize(1001), 2 * PREFERRED_PART_SIZE);
});

test('bodyParts cuts a stream into parts of the asked sizes, the last one shorter', async (t) => {
  const chunks = Array.from({ length: 10 }, (_, i) => Buffer.alloc(7, i));
  const sizes: number[] = [];
  for await (const part of bodyParts(Readable.from(chunks), (n) => (n === 1 ? 20 : 15))) sizes.push(part.length);
  t.deepEqual(sizes, [20, 15, 15, 15, 5]);
});

test('x-amz-restore and storage class give the archive state', (t) => {
  t.deepEqual(parseRestoreHeader('ongoing-request="true"'), { ongoing: true });
  t.deepEqual(parseRestoreHeader('ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"'), { ongoing: false, expiresAt: Date.UTC(2012, 11, 21) });
  const now = Date.UTC(2012, 11, 1);
  t.deepEqual(archiveStateOf('STANDARD_IA'), { status: 'online', tier: 'STANDARD_IA' });
  t.deepEqual(archiveStateOf('GLACIER', {}, now), { status: 'archived', tier: 'GLACIER' });
  t.deepEqual(archiveStateOf('DEEP_ARCHIVE', { header: 'ongoing-request="true"' }, now), { status: 'restoring', tier: 'DEEP_ARCHIVE' });
  t.deepEqual(archiveStateOf('GLACIER', { header: 'ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"' }, now), { status: 'restored', tier: 'GLACIER', expiresAt: Date.UTC(2012, 11, 21) });
  t.deepEqual(archiveStateOf('GLACIER', { inProgress: false, expiresAt: now - 1 }, now), { status: 'archived', tier: 'GLACIER' }, 'an expired copy is gone');
});

test('only a plain ETag is an MD5', (t) => {
  t.is(md5FromEtag('"9e107d9d372bb6826bd81d3542a419d6"'), '9e107d9d372bb6826bd81d3542a419d6');
  t.is(md5FromEtag('"9e107d9d372bb6826bd81d3542a419d6-3"'), undefined);
});
