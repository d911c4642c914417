import { createHash } from 'node:crypto';
import type { Capabilities, HashAlgorithm, StorageProvider } from '@nimbus/kernel';
import type { ConformanceCase } from '../conformance-case.js';
import { listAll, writeData } from '../io-helpers.js';

const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['md5', 'sha1', 'sha256', 'crc32c', 'quickxor', 'dropbox'];
const DROPBOX_BLOCK = 4 * 1024 * 1024;

/** Hex digests the suite can recompute; other algorithms have no encoding fixed by the kernel. */
const HEX_DIGESTS: Partial<Record<HashAlgorithm, (data: Buffer) => string>> = {
  md5: (d) => createHash('md5').update(d).digest('hex'),
  sha1: (d) => createHash('sha1').update(d).digest('hex'),
  sha256: (d) => createHash('sha256').update(d).digest('hex'),
  // Dropbox content hash: SHA-256 of the concatenated SHA-256 of each 4 MiB block.
  dropbox: (d) => {
    const outer = createHash('sha256');
    for (let i = 0; i < d.length; i += DROPBOX_BLOCK) outer.update(createHash('sha256').update(d.subarray(i, i + DROPBOX_BLOCK)).digest());
    return outer.digest('hex');
  },
};

/** Capability → operation it promises, for declarations that the plugin must back with code. */
const PROMISED_OPERATIONS: [string, (c: Capabilities) => boolean, (keyof StorageProvider)[]][] = [
  ['serverSideCopy', (c) => c.serverSideCopy, ['copy']],
  ['serverSideMove', (c) => c.serverSideMove, ['move']],
  ["mtime.support 'any-time'", (c) => c.mtime.support === 'any-time', ['setMtime']],
  ["folders 'real'", (c) => c.folders === 'real', ['makeFolder', 'removeFolder']],
  ['versioning', (c) => c.versioning !== 'none', ['listVersions', 'readVersion', 'deleteVersion']],
  ['archive.restore', (c) => c.archive.restore !== 'none', ['requestRestore']],
];

export const capabilityCases: ConformanceCase[] = [
  {
    title: 'capabilities are well-formed',
    async run(t, provider) {
      const c = provider.capabilities;
      t.true(Number.isFinite(c.mtime.precisionMs) && c.mtime.precisionMs > 0, 'mtime.precisionMs is a positive number');
      t.true(['any-time', 'on-upload', 'none'].includes(c.mtime.support), `mtime.support ${c.mtime.support}`);
      t.true(['real', 'virtual'].includes(c.folders), `folders ${c.folders}`);
      t.true(['none', 'optional', 'forced'].includes(c.versioning), `versioning ${c.versioning}`);
      t.true(c.hashes.every((h) => HASH_ALGORITHMS.includes(h)), `hashes ${c.hashes.join(', ')} are known algorithms`);
      t.is(new Set(c.hashes).size, c.hashes.length, 'hashes are listed once each');
      for (const flag of ['metadata', 'serverSideCopy', 'serverSideMove', 'immutable', 'caseSensitive'] as const) {
        t.is(typeof c[flag], 'boolean', `${flag} is a boolean`);
      }
      t.true(c.maxObjectSize === null || (Number.isSafeInteger(c.maxObjectSize) && c.maxObjectSize > 0), 'maxObjectSize');
      if (c.chunkedUpload) {
        const u = c.chunkedUpload;
        t.true(u.minPartSize > 0 && u.minPartSize <= u.maxPartSize && u.maxParts > 0 && u.threshold > 0, 'chunkedUpload limits are consistent');
      }
      t.true(c.archive.archiveTiers.every((tier) => c.archive.tiers.includes(tier)), 'archive tiers are among the tiers');
      t.true(['none', 'temporary-copy', 'rehydrate'].includes(c.archive.restore), `archive.restore ${c.archive.restore}`);
      if (c.archive.archiveTiers.length) t.not(c.archive.restore, 'none', 'archived objects need a restore model');
    },
  },
  {
    title: 'declared capabilities come with their operations',
    async run(t, provider) {
      const missing = PROMISED_OPERATIONS.flatMap(([capability, declared, operations]) =>
        declared(provider.capabilities)
          ? operations.filter((op) => typeof provider[op] !== 'function').map((op) => `${capability} is declared but ${op}() is missing`)
          : [],
      );
      t.deepEqual(missing, []);
    },
  },
  {
    title: 'declared free hashes come with stat and match the content',
    skipUnless: (p: StorageProvider) => (p.capabilities.hashes.length ? undefined : 'no free hashes declared'),
    async run(t, provider) {
      const content = Buffer.from('The quick brown fox jumps over the lazy dog\n'.repeat(100));
      await writeData(provider, 'hashed.txt', content);
      const stat = await provider.stat('hashed.txt');
      const listed = (await listAll(provider, '')).entries.find((e) => e.path === 'hashed.txt');
      for (const algorithm of provider.capabilities.hashes) {
        const reported = stat?.hashes?.[algorithm];
        t.true(typeof reported === 'string' && reported.length > 0, `stat reports ${algorithm}`);
        const compute = HEX_DIGESTS[algorithm];
        if (compute) t.is(reported?.toLowerCase(), compute(content), `${algorithm} matches the content`);
        else t.log(`${algorithm}: present; the kernel fixes no encoding, so its value is not checked`);
        const fromList = listed?.hashes?.[algorithm];
        if (fromList !== undefined) t.is<string | undefined, string | undefined>(fromList, reported, `list and stat agree on ${algorithm}`);
      }
    },
  },
];
