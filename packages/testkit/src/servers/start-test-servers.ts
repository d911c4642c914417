#!/usr/bin/env node
// Starts every test server the testkit knows (each `ensure*Server()` export) on 127.0.0.1,
// waits until each is healthy and leaves them running for the test suites. CI runs this
// once before `npm test`; tests also call the same helpers, which reuse a running server.
import * as testkit from '../index.js';

const starters = Object.entries(testkit).filter(
  (entry): entry is [string, () => Promise<unknown>] => /^ensure\w+Server$/.test(entry[0]) && typeof entry[1] === 'function',
);

let failed = false;
for (const [name, start] of starters) {
  const began = Date.now();
  try {
    await start();
    process.stdout.write(`${name}: ready in ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    failed = true;
    process.stdout.write(`${name}: FAILED: ${(error as Error).message}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
