import type { Capabilities } from './capabilities.js';

/** Column titles of the capability matrix, in order. */
export const MATRIX_COLUMNS = [
  'metadata', 'mtime', 'hashes', 'folders', 'versioning', 'archive', 'copy', 'move', 'immutable', 'max size', 'case',
] as const;

function size(bytes: number | null): string {
  if (bytes === null) return 'none';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) {
    bytes /= 1024;
    i++;
  }
  return `${Number.isInteger(bytes) ? bytes : bytes.toFixed(1)} ${units[i]}`;
}

/** One plugin's capabilities as short cells of the matrix (`nimbus plugins`, the README). */
export function capabilityCells(c: Capabilities): Record<(typeof MATRIX_COLUMNS)[number], string> {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const mtime = c.mtime.support === 'none' ? 'db' : `${c.mtime.support} (${c.mtime.precisionMs} ms)`;
  return {
    metadata: c.metadata ? 'yes' : 'db',
    mtime,
    hashes: c.hashes.length ? c.hashes.join(',') : '-',
    folders: c.folders,
    versioning: c.versioning,
    archive: c.archive.restore === 'none' ? '-' : `${c.archive.archiveTiers.join(',')} (${c.archive.restore})`,
    copy: yes(c.serverSideCopy),
    move: yes(c.serverSideMove),
    immutable: yes(c.immutable),
    'max size': size(c.maxObjectSize),
    case: c.caseSensitive ? 'sensitive' : 'insensitive',
  };
}

/** A plain-text table: header, rule, one row per entry; columns padded to fit. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], markdown = false): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    markdown
      ? `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
      : cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const rule = markdown ? `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |` : widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}
