import { OPTIONAL_OPERATIONS, supports } from '@nimbus/kernel';
import test from 'ava';
import { Readable } from 'node:stream';
import { MEMORY_CAPABILITIES, MemoryProvider } from '../fakes/memory-provider.js';
import { reduceCapabilities } from './capability-mask.js';
import { maskCapabilities } from './masked-provider.js';
import { MASKS } from './masks.js';

const body = (text: string) => Readable.from([Buffer.from(text)], { objectMode: false });

test('a mask only takes capabilities away', (t) => {
  const inner = new MemoryProvider().capabilities; // mtime 'on-upload', virtual folders, no move
  const reduced = reduceCapabilities(inner, { mtime: 'none', metadata: false, hashes: ['sha256', 'crc32c'] });
  t.is(reduced.mtime.support, 'none');
  t.is(reduced.metadata, false);
  t.deepEqual(reduced.hashes, ['sha256'], 'hashes the provider lacks are not added');
  t.is(reduceCapabilities(inner, {}).mtime, inner.mtime);
  t.is(reduceCapabilities(inner, { folders: 'virtual' }).folders, 'virtual');
  t.is(reduceCapabilities({ ...inner, mtime: { support: 'none', precisionMs: 1 } }, { mtime: 'on-upload' }).mtime.support, 'none');
});

test('masked operations are absent, so supports() is false', (t) => {
  const inner = new MemoryProvider();
  t.true(supports(inner, 'copy') && supports(inner, 'listVersions') && supports(inner, 'setMetadata'));
  const masked = maskCapabilities(inner, MASKS.allFallbacks);
  for (const op of ['copy', 'move', 'setMtime', 'setMetadata', 'makeFolder', 'listVersions', 'readVersion', 'deleteVersion'] as const) {
    t.false(supports(masked, op), op);
    t.is(typeof masked[op], 'undefined', `${op} is removed, not just gated`);
  }
  t.true(supports(maskCapabilities(inner, MASKS.noMetadata), 'copy'), 'unmasked operations stay');
});

/** A provider whose objects keep metadata but can never be changed after upload. */
class ImmutableMemoryProvider extends MemoryProvider {
  override readonly capabilities = Object.freeze({ ...MEMORY_CAPABILITIES, immutable: true });
}

test('under every mask an operation is present exactly when supports() allows it (one table: setMetadata on immutable objects, removeFolder, cleanupIncomplete)', (t) => {
  for (const inner of [new MemoryProvider(), new ImmutableMemoryProvider()]) {
    for (const [name, mask] of Object.entries({ none: {}, ...MASKS })) {
      const masked = maskCapabilities(inner, mask);
      for (const op of OPTIONAL_OPERATIONS) {
        t.is(typeof masked[op] === 'function', supports(masked, op), `${inner.capabilities.immutable ? 'immutable' : 'mutable'} provider, mask ${name}: ${op}`);
      }
    }
  }
  t.false(supports(new ImmutableMemoryProvider(), 'setMetadata'), 'immutable objects take no new metadata');
});

test('noMetadata drops metadata on write and from entries', async (t) => {
  const inner = new MemoryProvider();
  const masked = maskCapabilities(inner, MASKS.noMetadata);
  const entry = await masked.write('a.txt', body('x'), { metadata: { k: 'v' } });
  t.is(entry.metadata, undefined);
  t.is((await inner.stat('a.txt'))?.metadata, undefined, 'the metadata never reached the inner provider');
  await inner.write('b.txt', body('y'), { metadata: { k: 'v' } });
  t.is((await masked.stat('b.txt'))?.metadata, undefined, 'metadata stored behind the mask is hidden');
});

test('noMtime drops the given mtime so objects carry their upload time', async (t) => {
  const inner = new MemoryProvider();
  const masked = maskCapabilities(inner, MASKS.noMtime);
  const before = Date.now();
  const entry = await masked.write('a.txt', body('x'), { mtime: Date.UTC(2001, 0, 1) });
  t.true(entry.mtime! >= before);
  t.is(masked.capabilities.mtime.support, 'none');
});

test('allFallbacks hides versionId and hashes from entries', async (t) => {
  const masked = maskCapabilities(new MemoryProvider(), MASKS.allFallbacks);
  const entry = await masked.write('a.txt', body('x'));
  t.is(entry.versionId, undefined);
  t.is(entry.hashes, undefined);
  t.deepEqual(masked.capabilities.hashes, []);
});

// "Dropbox and the Dropbox API are case-insensitive" (Dropbox staff, Dropbox Community thread
// 247874); OneDrive and Box too, keeping the case a name was created with.
test('caseInsensitive: names that differ only by case reach one object, which keeps its first spelling', async (t) => {
  const inner = new MemoryProvider();
  const masked = maskCapabilities(inner, MASKS.caseInsensitive);
  t.false(masked.capabilities.caseSensitive);
  await masked.write('Dir/a.txt', body('first'));
  await masked.write('dir/A.TXT', body('second'));
  const names = async () => {
    const out: string[] = [];
    for await (const page of inner.list('', { recursive: true })) out.push(...page.filter((e) => e.kind === 'file').map((e) => e.path));
    return out;
  };
  t.deepEqual(await names(), ['Dir/a.txt'], 'the second write replaced the first object');
  t.is((await masked.stat('DIR/A.txt'))?.size, 'second'.length);
  await masked.delete('dir/a.TXT');
  t.deepEqual(await names(), [], 'a delete under another case deletes it');
});
