import type { TreeSpec } from '@nimbus/testkit';
import { seededRandom } from './random.js';

const MiB = 1024 * 1024;

/**
 * A source tree of `files` small files in nested folders (a few hundred bytes to 16 KiB),
 * plus `large` files of `largeSizes` bytes that go up in parts/segments/blocks, with names
 * that need escaping on every protocol.
 */
export function sourceSpec(options: { files: number; large: number; seed: number; largeSize?: (i: number) => number }): TreeSpec {
  const rand = seededRandom(options.seed);
  const spec: Record<string, TreeSpec[string]> = {};
  const odd = ['a b', 'ü-ñ', 'x+y=z', 'p%20q', 'semi;colon', "it's", 'hash#tag'];
  for (let i = 0; i < options.files; i++) {
    const folder = `d${i % 12}/${odd[i % odd.length]}/s${i % 5}`;
    spec[`${folder}/f${i}.txt`] = { size: 200 + Math.floor(rand() * 16_000), seed: `${options.seed}-${i}` };
  }
  for (let i = 0; i < options.large; i++) {
    // The first is above S3's 16 MiB part size (several parts); the others one part, several segments/blocks.
    const size = options.largeSize ? options.largeSize(i) : i === 0 ? 17 * MiB + 12_345 : 5 * MiB + 300_000 + Math.floor(rand() * 5 * MiB);
    spec[`large/big ${i}.bin`] = { size, seed: `${options.seed}-large-${i}` };
  }
  return spec;
}

export const MB = 1000 * 1000;
export { MiB };
