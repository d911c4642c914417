#!/usr/bin/env node
// Rewrites the capability matrix in README.md from `nimbus plugins --markdown`.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const table = execFileSync(process.execPath, ['packages/cli/dist/bin.js', 'plugins', '--markdown'], { cwd: root, encoding: 'utf8' });
const readme = readFileSync(`${root}/README.md`, 'utf8');
const updated = readme.replace(
  /(<!-- capability-matrix:start -->\n)[\s\S]*?(<!-- capability-matrix:end -->)/,
  `$1${table.trimEnd()}\n$2`,
);
writeFileSync(`${root}/README.md`, updated);
