// Nimbus as the user runs it: the built CLI with a profile (JSON) per destination and its
// own cloud database folder, so a rerun of the same destination id finds its database.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './measure.js';

export const NIMBUS_BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

export function createNimbusTool({ workDir, transfers }) {
  return {
    name: 'nimbus',
    flags: `nimbus run <profile> (profile: transfers: ${transfers}; defaults otherwise: compare size-mtime, versioning keep 32)`,
    /** Backs `source` up to `destination.nimbusDestination(id)`. */
    async run(source, destination, id) {
      const key = `${destination.kind}-${id}`;
      const profilePath = join(workDir, 'profiles', `${key}.json`);
      const dataDir = join(workDir, 'nimbus-data', key);
      await mkdir(join(workDir, 'profiles'), { recursive: true });
      const profile = { name: 'bench', source, transfers, destination: destination.nimbusDestination(id) };
      await writeFile(profilePath, JSON.stringify(profile, null, 2));
      const result = await measure(process.execPath, [NIMBUS_BIN, 'run', profilePath, '--json', '--quiet', '--data-dir', dataDir]);
      let report;
      try {
        report = JSON.parse(result.stdout);
      } catch {
        report = undefined;
      }
      const ok = result.exitCode === 0 && report !== undefined;
      return {
        ...result,
        ok,
        objects: report ? report.counts.uploaded + report.counts.updated : NaN,
        bytes: report ? report.bytes.uploaded : NaN,
        error: ok ? undefined : `exit ${result.exitCode}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      };
    },
  };
}
