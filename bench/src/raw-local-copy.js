#!/usr/bin/env node
// The local folder's own limit for one big file: a plain streamed copy with Node, no tool.
// Run as a child process (measured like the tools): node raw-local-copy.js <json settings>
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

async function copy({ file, folder }) {
  await mkdir(folder, { recursive: true });
  await pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), createWriteStream(join(folder, basename(file))));
  return { objects: 1, bytes: (await stat(file)).size };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await copy(JSON.parse(process.argv[2]));
  process.stdout.write(JSON.stringify(result));
}
