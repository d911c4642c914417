#!/usr/bin/env node
// The README's main job: back up examples/sample to the embedded local provider.
// Run twice: the second run transfers nothing.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const result = spawnSync(
  process.execPath,
  ['packages/cli/dist/bin.js', 'backup', 'examples/sample', 'local:.nimbus-demo/backup', '--data-dir', '.nimbus-demo/data'],
  { cwd: root, stdio: 'inherit' },
);
process.exitCode = result.status ?? 1;
