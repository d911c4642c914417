import { capabilityCells, formatTable, loadProfileFile, MATRIX_COLUMNS, resolveNamedPlugin } from '@nimbus/kernel';
import { createRegistry } from '../plugin-registry.js';

/** `nimbus plugins`: the installed plugins and their capability matrix. */
export async function pluginsCommand(flags: { json?: boolean; markdown?: boolean; profile?: string }): Promise<number> {
  const registry = createRegistry();
  if (flags.profile) {
    const loaded = loadProfileFile(flags.profile);
    for (const spec of loaded.profile.plugins) registry.addSource(resolveNamedPlugin(spec, loaded.baseDir));
  }
  const manifests = await registry.all();
  for (const problem of registry.loadErrors) process.stderr.write(`warning: ${problem}\n`);
  if (flags.json) {
    const out = [
      ...manifests.map((m) => {
        const { validateBucketName, ...capabilities } = m.capabilities;
        return {
          id: m.id,
          status: 'loaded',
          displayName: m.displayName,
          kernelApi: m.kernelApi,
          capabilities: { ...capabilities, bucketNameRules: validateBucketName !== undefined },
        };
      }),
      // Found but unusable (another kernel API, a missing entry file...): listed so a script sees why.
      ...registry.refused.map((r) => ({ id: r.id ?? null, status: 'refused', package: r.packageName, error: r.error })),
    ];
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const header = ['plugin', ...MATRIX_COLUMNS];
  const rows = manifests.map((m) => {
    const cells = capabilityCells(m.capabilities);
    return [m.id, ...MATRIX_COLUMNS.map((c) => cells[c])];
  });
  process.stdout.write(`${formatTable(header, rows, flags.markdown)}\n`);
  if (!flags.markdown) process.stdout.write('metadata/mtime "db": kept in the cloud database because the provider cannot store it.\n');
  return 0;
}
