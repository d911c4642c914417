import type { StorageProvider } from '@nimbus/kernel';
import { needsOperations, type ConformanceCase } from '../conformance-case.js';
import { listAll, readText, writeData } from '../io-helpers.js';

// Lower-case ASCII keys and values: what every metadata-capable service keeps verbatim.
const METADATA = { 'nimbus-test': 'value-1', colour: 'blue' };

export const metadataCases: ConformanceCase[] = [
  {
    title: 'custom metadata written with an object is read back',
    skipUnless: (p) => (p.capabilities.metadata ? undefined : 'no custom metadata'),
    async run(t, provider) {
      await writeData(provider, 'tagged.txt', 'content', { metadata: METADATA });
      // Providers may add keys of their own; ours must be there unchanged.
      t.like((await provider.stat('tagged.txt'))?.metadata, METADATA, 'stat returns the metadata');
      const listed = (await listAll(provider, '')).entries.find((e) => e.path === 'tagged.txt');
      if (listed?.metadata) t.like(listed.metadata, METADATA, 'a listing that returns metadata returns ours');
      t.is(await readText(provider, 'tagged.txt'), 'content');
    },
  },
  {
    title: 'setMetadata replaces the custom metadata and keeps the content',
    skipUnless: needsOperations('setMetadata'),
    async run(t, provider) {
      const p = provider as StorageProvider & Required<Pick<StorageProvider, 'setMetadata'>>;
      await writeData(p, 'retagged.txt', 'content', { metadata: { old: 'yes' } });
      await p.setMetadata('retagged.txt', { fresh: 'yes' });
      const metadata = (await p.stat('retagged.txt'))?.metadata ?? {};
      t.is(metadata['fresh'], 'yes');
      t.false('old' in metadata, 'the previous keys are gone');
      t.is(await readText(p, 'retagged.txt'), 'content');
    },
  },
  {
    title: 'without metadata support, a write carrying metadata still succeeds',
    skipUnless: (p) => (p.capabilities.metadata ? 'the provider keeps metadata' : undefined),
    async run(t, provider) {
      // The kernel may pass metadata regardless; a provider without it must simply ignore it.
      const entry = await writeData(provider, 'untagged.txt', 'content', { metadata: METADATA });
      t.like(entry, { path: 'untagged.txt', size: 7 });
      t.is(await readText(provider, 'untagged.txt'), 'content');
    },
  },
];
