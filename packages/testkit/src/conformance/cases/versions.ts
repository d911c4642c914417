import type { StorageProvider } from '@nimbus/kernel';
import { needsOperations, type ConformanceCase } from '../conformance-case.js';
import { readBuffer, readText, writeData } from '../io-helpers.js';

type Versioned = StorageProvider & Required<Pick<StorageProvider, 'listVersions' | 'readVersion' | 'deleteVersion'>>;

const needsVersions = needsOperations('listVersions', 'readVersion');

/** Write two versions of one object, for the cases below. */
async function twoVersions(p: StorageProvider): Promise<void> {
  await writeData(p, 'doc.txt', 'first');
  await writeData(p, 'doc.txt', 'second!');
}

export const versionCases: ConformanceCase[] = [
  {
    title: 'overwriting keeps the previous version, listed newest first and readable by id',
    skipUnless: needsVersions,
    async run(t, provider) {
      const p = provider as Versioned;
      await twoVersions(p);
      const versions = (await p.listVersions('doc.txt')).filter((v) => !v.isDeleteMarker);
      t.true(versions.length >= 2, `expected two versions, got ${versions.length}`);
      t.true(versions.every((v) => v.path === 'doc.txt'));
      t.is(new Set(versions.map((v) => v.versionId)).size, versions.length, 'version ids are unique');
      t.true(versions[0]!.isLatest, 'the newest version comes first and is the latest');
      t.is(versions.filter((v) => v.isLatest).length, 1, 'exactly one version is the latest');
      t.true(versions.every((v, i) => i === 0 || v.storedAt <= versions[i - 1]!.storedAt), 'newest first');
      t.like(versions[0], { size: 7 });
      t.like(versions[1], { size: 5 });
      t.is((await readBuffer(await p.readVersion('doc.txt', versions[1]!.versionId))).toString(), 'first');
      t.is((await readBuffer(await p.readVersion('doc.txt', versions[0]!.versionId))).toString(), 'second!');
      const current = await p.stat('doc.txt');
      if (current?.versionId !== undefined) t.is(current.versionId, versions[0]!.versionId, 'stat names the latest version');
    },
  },
  {
    title: 'deleteVersion removes one old version and keeps the current content',
    skipUnless: needsOperations('listVersions', 'readVersion', 'deleteVersion'),
    async run(t, provider) {
      const p = provider as Versioned;
      await twoVersions(p);
      const [latest, older] = (await p.listVersions('doc.txt')).filter((v) => !v.isDeleteMarker);
      await p.deleteVersion('doc.txt', older!.versionId);
      const left = (await p.listVersions('doc.txt')).map((v) => v.versionId);
      t.false(left.includes(older!.versionId), 'the deleted version is no longer listed');
      t.true(left.includes(latest!.versionId));
      t.is(await readText(p, 'doc.txt'), 'second!');
    },
  },
];
