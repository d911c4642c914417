#!/usr/bin/env node
// Runs every workspace package's ava suite (on compiled output) one package at a time,
// streams its TAP output, and ends with the totals over all packages on a line of their
// own: "N passed, N failed, N skipped" (the line CI reads).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const order = ['kernel', 'testkit', 'plugin-local', 'cli'];
const packages = readdirSync(join(root, 'packages'))
  .filter((name) => existsSync(join(root, 'packages', name, 'package.json')))
  .filter((name) => JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')).scripts?.test)
  .filter((name) => only.length === 0 || only.includes(name))
  .sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));

const avaBin = join(root, 'node_modules', 'ava', 'entrypoints', 'cli.mjs');

// The tests use real storage servers on 127.0.0.1 (OpenStack Swift with its S3 API, Keystone,
// Azurite): install the Debian packages behind them when missing, then start them once.
if (!process.env.NIMBUS_SKIP_SERVER_SETUP) {
  const steps = [
    ['bash', [join(root, 'packages/testkit/servers/install-debian-packages.sh')]],
    [process.execPath, [join(root, 'packages/testkit/dist/servers/start-test-servers.js')]],
  ];
  for (const [command, args] of steps) {
    const result = spawnSync(command, args, { stdio: 'inherit' });
    if (result.status !== 0) process.stdout.write(`warning: ${args[0]} failed (${result.status}); tests needing those servers will fail\n`);
  }
}
const totals = { passed: 0, failed: 0, skipped: 0 };
const rows = [];
const failures = [];

/** Each failing test's line and the start of its diagnostics, so the end of the log says what failed. */
function failuresIn(tap, name) {
  const lines = tap.split('\n');
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('not ok')) continue;
    const block = [`${name}: ${lines[i]}`];
    for (let j = i + 1; j < lines.length && j < i + 40 && !/^(ok|not ok) /.test(lines[j]); j++) {
      if (lines[j].trim() === '...') break;
      if (lines[j].trim() !== '---') block.push(lines[j].slice(0, 300));
    }
    found.push(block.slice(0, 14).join('\n'));
  }
  return found;
}

for (const name of packages) {
  const cwd = join(root, 'packages', name);
  process.stdout.write(`\n=== ${name} ===\n`);
  const started = Date.now();
  const result = await new Promise((resolve) => {
    const child = spawn(process.execPath, [avaBin, '--tap'], { cwd, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.on('close', (code) => resolve({ code, out }));
  });
  const count = (label) => Number((result.out.match(new RegExp(`^# ${label} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  let passed = count('pass');
  let failed = count('fail');
  const skipped = count('skip') + count('todo');
  if (result.code !== 0 && failed === 0) failed = 1; // crashed, or failed outside any test
  if (passed + failed + skipped === 0) failed = 1; // a package whose tests did not run is a failure
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
  failures.push(...failuresIn(result.out, name));
  rows.push(`${name}: ${passed} passed, ${failed} failed, ${skipped} skipped (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

if (failures.length) process.stdout.write(`\nFailed tests:\n${failures.join('\n')}\n`);
process.stdout.write(`\n${rows.join('\n')}\n`);
process.stdout.write(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exitCode = totals.failed ? 1 : 0;
