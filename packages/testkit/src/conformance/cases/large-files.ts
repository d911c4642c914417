import type { StorageProvider } from '@nimbus/kernel';
import { digestStream } from '../../fixtures/digest-stream.js';
import { randomBytesStream } from '../../fixtures/random-bytes-stream.js';
import type { ConformanceCase } from '../conformance-case.js';

const MiB = 1024 * 1024;

const fits = (size: number) => (p: StorageProvider) => {
  const max = p.capabilities.maxObjectSize;
  return max === null || max >= size ? undefined : `objects are limited to ${max} bytes`;
};

export const largeFileCases: ConformanceCase[] = [
  {
    title: 'a 12 MiB streamed file round-trips (sha256) with progress reported',
    skipUnless: fits(12 * MiB),
    async run(t, provider) {
      const size = 12 * MiB;
      const expected = await digestStream(randomBytesStream(size, 'conformance-large'));
      const progress: number[] = [];
      const entry = await provider.write('large.bin', randomBytesStream(size, 'conformance-large'), {
        size,
        onProgress: (sent) => progress.push(sent),
      });
      t.like(entry, { path: 'large.bin', kind: 'file', size });
      t.is((await provider.stat('large.bin'))?.size, size);
      t.deepEqual(await digestStream(await provider.read('large.bin')), expected);
      t.true(progress.length > 0, 'onProgress is called during a 12 MiB upload');
      t.true(progress.every((n, i) => n >= 0 && n <= size && (i === 0 || n >= progress[i - 1]!)), 'progress never goes back nor past the size');
      t.is(progress.at(-1), size, 'progress ends at the full size');
    },
  },
  {
    title: 'a write of unknown size (no options.size) stores every byte',
    skipUnless: fits(3 * MiB + 1),
    async run(t, provider) {
      const size = 3 * MiB + 1;
      const expected = await digestStream(randomBytesStream(size, 'conformance-unsized'));
      const entry = await provider.write('unsized.bin', randomBytesStream(size, 'conformance-unsized'));
      t.is(entry.size, size);
      t.is((await provider.stat('unsized.bin'))?.size, size);
      t.deepEqual(await digestStream(await provider.read('unsized.bin')), expected);
    },
  },
];
