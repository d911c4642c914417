import type { StorageProvider } from '@nimbus/kernel';
import { needsOperations, type ConformanceCase } from '../conformance-case.js';
import { assertResolvesOrNotFound, listAll, pathsOf, readText, writeData } from '../io-helpers.js';

const needsRealFolders = needsOperations('makeFolder', 'removeFolder');

export const folderCases: ConformanceCase[] = [
  {
    title: 'real folders: makeFolder creates empty folders (parents included) that list shows',
    skipUnless: needsRealFolders,
    async run(t, provider) {
      const p = provider as StorageProvider & Required<Pick<StorageProvider, 'makeFolder'>>;
      await p.makeFolder('empty');
      await p.makeFolder('x/y/z');
      await t.notThrowsAsync(p.makeFolder('empty'), 'makeFolder of an existing folder succeeds');
      t.deepEqual(pathsOf((await listAll(p, '')).entries, 'folder'), ['empty', 'x']);
      const tree = (await listAll(p, '', { recursive: true })).entries;
      t.deepEqual(pathsOf(tree, 'folder'), ['empty', 'x', 'x/y', 'x/y/z']);
      t.deepEqual(pathsOf(tree, 'file'), [], 'makeFolder creates no objects');
    },
  },
  {
    title: 'real folders: removeFolder removes an empty folder and never a non-empty one',
    skipUnless: needsRealFolders,
    async run(t, provider) {
      const p = provider as StorageProvider & Required<Pick<StorageProvider, 'makeFolder' | 'removeFolder'>>;
      await p.makeFolder('short-lived');
      await p.removeFolder('short-lived');
      t.deepEqual((await listAll(p, '')).entries, []);
      await assertResolvesOrNotFound(t, p.removeFolder('never-existed'), 'removeFolder of a missing folder');
      await writeData(p, 'full/keep.txt', 'precious');
      await p.removeFolder('full').catch(() => undefined);
      t.is(await readText(p, 'full/keep.txt'), 'precious', 'removeFolder must not remove content');
    },
  },
  {
    title: 'real folders: a folder stays when its last file is deleted',
    skipUnless: needsRealFolders,
    async run(t, provider) {
      await writeData(provider, 'kept/only.txt', 'x');
      await provider.delete('kept/only.txt');
      const { entries } = await listAll(provider, '', { recursive: true });
      t.deepEqual(entries.map((e) => [e.path, e.kind]), [['kept', 'folder']]);
    },
  },
  {
    title: 'virtual folders: a folder exists only while a file lies below it',
    skipUnless: (p) => (p.capabilities.folders === 'virtual' ? undefined : 'folders are real'),
    async run(t, provider) {
      await writeData(provider, 'v/w/file.txt', 'x');
      t.deepEqual(pathsOf((await listAll(provider, '')).entries, 'folder'), ['v']);
      t.deepEqual(pathsOf((await listAll(provider, 'v')).entries, 'folder'), ['v/w']);
      await provider.delete('v/w/file.txt');
      t.deepEqual((await listAll(provider, '')).entries, [], 'no empty folder may appear');
      t.deepEqual((await listAll(provider, '', { recursive: true })).entries, []);
    },
  },
];
