// The deterministic datasets: (a) many 4 KiB files, (b) one big file, (c) very many 1 KiB
// files, and the "1% changed" mutation of (a) used by (d). Generated once under the work
// folder and reused while their description matches.
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { deterministicBytes, keystream } from './keystream.js';
import { forEachLimited } from './pool.js';

const ORIGINAL_MTIME_S = Date.UTC(2026, 0, 1) / 1000;
const CHANGED_MTIME_S = Date.UTC(2026, 5, 1) / 1000;
const FORMAT = 2; // bump when the layout or content rule changes

/** File i lives two folder levels deep: 256 folders, the files spread evenly over them. */
export function relativePathOf(index) {
  const top = (index % 16).toString(16);
  const sub = (Math.floor(index / 16) % 16).toString(16);
  return join(`dir-${top}`, `sub-${sub}`, `file-${String(index).padStart(6, '0')}.bin`);
}

function fileSeed(name, index, variant) {
  return `nimbus-bench/${name}/${index}/${variant}`;
}

async function writeManyFile(root, name, index, size, variant) {
  const path = join(root, relativePathOf(index));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, deterministicBytes(fileSeed(name, index, variant), size));
  const mtime = variant === 0 ? ORIGINAL_MTIME_S + index : CHANGED_MTIME_S + variant * 1_000_000 + index;
  await utimes(path, mtime, mtime);
}

async function upToDate(markerPath, description) {
  if (!existsSync(markerPath)) return false;
  return (await readFile(markerPath, 'utf8')) === JSON.stringify(description);
}

/** A folder of `files` files of `fileSize` bytes each; returns { root, files, bytes }. */
export async function manyFilesDataset(datasetsDir, name, { files, fileSize }) {
  const root = join(datasetsDir, `${name}-${files}x${fileSize}`);
  const marker = `${root}.json`;
  const description = { format: FORMAT, name, files, fileSize };
  if (!(await upToDate(marker, description))) {
    await rm(marker, { force: true });
    await rm(root, { recursive: true, force: true });
    const indexes = Array.from({ length: files }, (_, i) => i);
    await forEachLimited(indexes, 32, (i) => writeManyFile(root, name, i, fileSize, 0));
    await writeFile(marker, JSON.stringify(description));
  }
  return { root, files, bytes: files * fileSize };
}

/** A folder holding one file of `fileSize` bytes. */
export async function bigFileDataset(datasetsDir, name, { fileSize }) {
  const root = join(datasetsDir, `${name}-1x${fileSize}`);
  const file = join(root, 'big.bin');
  const marker = `${root}.json`;
  const description = { format: FORMAT, name, fileSize };
  if (!(await upToDate(marker, description))) {
    await rm(marker, { force: true });
    await rm(root, { recursive: true, force: true });
    await mkdir(root, { recursive: true });
    const chunk = Buffer.alloc(8 * 1024 * 1024);
    const stream = keystream(fileSeed(name, 0, 0));
    async function* chunks() {
      for (let left = fileSize; left > 0; left -= chunk.length) yield stream.update(chunk.subarray(0, Math.min(left, chunk.length)));
    }
    await pipeline(chunks, createWriteStream(file));
    await utimes(file, ORIGINAL_MTIME_S, ORIGINAL_MTIME_S);
    await writeFile(marker, JSON.stringify(description));
  }
  return { root, file, files: 1, bytes: fileSize };
}

/**
 * Changes `share` of a many-files dataset in place, same sizes, new content and mtime: round
 * `round` (1-based) picks a different, deterministic set of files each time. The dataset's
 * marker is removed first, so the next bench run regenerates the original.
 */
export async function changeShare(dataset, name, { fileSize }, share, round) {
  await rm(`${dataset.root}.json`, { force: true });
  const count = Math.max(1, Math.round(dataset.files * share));
  const stride = Math.floor(dataset.files / count);
  const indexes = Array.from({ length: count }, (_, k) => (k * stride + round - 1) % dataset.files);
  await forEachLimited(indexes, 32, (i) => writeManyFile(dataset.root, name, i, fileSize, round));
  return { files: count, bytes: count * fileSize };
}
