import type { ConformanceCase } from '../conformance-case.js';
import { basicIoCases } from './basic-io.js';
import { capabilityCases } from './capabilities.js';
import { failedWriteCases } from './failed-writes.js';
import { folderCases } from './folders.js';
import { largeFileCases } from './large-files.js';
import { listingCases } from './listing.js';
import { maintenanceCases } from './maintenance.js';
import { metadataCases } from './metadata.js';
import { mtimeCases } from './mtime.js';
import { nameCases } from './names.js';
import { serverSideCases } from './server-side-ops.js';
import { versionCases } from './versions.js';

/** Every case of the provider contract, in reporting order. */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = [
  ...capabilityCases,
  ...basicIoCases,
  ...listingCases,
  ...folderCases,
  ...nameCases,
  ...largeFileCases,
  ...failedWriteCases,
  ...metadataCases,
  ...mtimeCases,
  ...serverSideCases,
  ...versionCases,
  ...maintenanceCases,
];
