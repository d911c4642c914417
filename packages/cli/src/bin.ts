#!/usr/bin/env node
import { main } from './main.js';
import { quietKnownWarnings } from './output/quiet-warnings.js';

quietKnownWarnings();
process.exitCode = await main(process.argv.slice(2));
