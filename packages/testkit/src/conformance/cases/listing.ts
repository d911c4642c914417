import type { RemoteEntry } from '@nimbus/kernel';
import type { ExecutionContext } from 'ava';
import type { ConformanceCase } from '../conformance-case.js';
import { listAll, pathsOf, writeData } from '../io-helpers.js';

/** Every entry is well-formed and lies strictly below `dir`; no path is listed twice. */
function assertWellFormed(t: ExecutionContext<unknown>, dir: string, entries: readonly RemoteEntry[]): void {
  const seen = new Set<string>();
  for (const e of entries) {
    t.true(e.path !== '' && !e.path.startsWith('/') && !e.path.endsWith('/') && !e.path.includes('//'), `"${e.path}" is not a canonical path`);
    t.true(dir === '' ? true : e.path.startsWith(`${dir}/`), `"${e.path}" is not below "${dir}"`);
    t.true(e.kind === 'file' || e.kind === 'folder', `"${e.path}" has kind ${String(e.kind)}`);
    t.true(Number.isSafeInteger(e.size) && e.size >= 0, `"${e.path}" has size ${e.size}`);
    if (e.kind === 'folder') t.is(e.size, 0, `folder "${e.path}" must have size 0`);
    t.false(seen.has(e.path), `"${e.path}" is listed twice`);
    seen.add(e.path);
  }
}

/** Folders that recursive listings must show: all of them when real; prefixes of listed files when virtual. */
function assertRecursiveFolders(t: ExecutionContext<unknown>, entries: readonly RemoteEntry[], expected: string[], real: boolean): void {
  const folders = pathsOf(entries, 'folder');
  if (real) {
    t.deepEqual(folders, expected, 'a recursive listing shows every real folder');
    return;
  }
  const files = pathsOf(entries, 'file');
  for (const folder of folders) {
    t.true(files.some((f) => f.startsWith(`${folder}/`)), `virtual folder "${folder}" is listed with no file below it`);
  }
}

export const listingCases: ConformanceCase[] = [
  {
    title: 'list shows one level by default and the whole subtree when recursive',
    async run(t, provider) {
      await Promise.all([
        writeData(provider, 'top.txt', 'top'),
        writeData(provider, 'd/mid.txt', 'middle'),
        writeData(provider, 'd/e/low.txt', 'low'),
      ]);
      const real = provider.capabilities.folders === 'real';

      const rootLevel = (await listAll(provider, '')).entries;
      assertWellFormed(t, '', rootLevel);
      t.deepEqual(pathsOf(rootLevel, 'file'), ['top.txt']);
      t.deepEqual(pathsOf(rootLevel, 'folder'), ['d'], 'a one-level listing shows the folders directly inside');
      t.like(rootLevel.find((e) => e.path === 'top.txt'), { size: 3 });

      const rootTree = (await listAll(provider, '', { recursive: true })).entries;
      assertWellFormed(t, '', rootTree);
      t.deepEqual(pathsOf(rootTree, 'file'), ['d/e/low.txt', 'd/mid.txt', 'top.txt']);
      assertRecursiveFolders(t, rootTree, ['d', 'd/e'], real);

      const subLevel = (await listAll(provider, 'd')).entries;
      assertWellFormed(t, 'd', subLevel);
      t.deepEqual(pathsOf(subLevel, 'file'), ['d/mid.txt'], 'entries carry full paths from the root');
      t.deepEqual(pathsOf(subLevel, 'folder'), ['d/e']);

      const subTree = (await listAll(provider, 'd', { recursive: true })).entries;
      assertWellFormed(t, 'd', subTree);
      t.deepEqual(pathsOf(subTree, 'file'), ['d/e/low.txt', 'd/mid.txt']);
      assertRecursiveFolders(t, subTree, ['d/e'], real);
    },
  },
  {
    title: 'listing pages through more entries than the page size',
    async run(t, provider) {
      const names = Array.from({ length: 25 }, (_, i) => `many/file-${String(i).padStart(2, '0')}.txt`);
      await Promise.all(names.map((name) => writeData(provider, name, name)));
      for (const recursive of [false, true]) {
        const { pages, entries } = await listAll(provider, 'many', { pageSize: 10, recursive });
        t.true(pages.every((p) => Array.isArray(p)), 'pages are arrays');
        assertWellFormed(t, 'many', entries);
        t.deepEqual(pathsOf(entries, 'file'), names, `every object exactly once (recursive: ${recursive})`);
      }
    },
  },
  {
    title: 'listing a missing folder yields nothing',
    async run(t, provider) {
      await writeData(provider, 'present.txt', 'x');
      t.deepEqual((await listAll(provider, 'absent')).entries, []);
      t.deepEqual((await listAll(provider, 'absent/deeper', { recursive: true })).entries, []);
    },
  },
];
