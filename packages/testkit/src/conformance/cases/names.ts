import type { ConformanceCase } from '../conformance-case.js';
import { listAll, pathsOf, readText, writeData } from '../io-helpers.js';

/** Characters that break naive URL encoding, query strings or shell-style handling. */
const AWKWARD_NAMES = [
  'with space.txt',
  'hash#tag.txt',
  'per%20cent%.txt',
  'plus+sign.txt',
  'question?mark.txt',
  'amp&ersand=1.txt',
  "semi;colon,comma'quote.txt",
  'brackets [1] (2) {3}.txt',
  'unicode 日本語 ☃ 😀.txt',
  'dir with #%+?& chars/inner file.txt',
];
const NFC = 'caf\u00e9.txt';
const NFD = 'cafe\u0301.txt';
const DEEP = `${Array.from({ length: 10 }, (_, i) => `level${i + 1}`).join('/')}/deep.txt`;

export const nameCases: ConformanceCase[] = [
  {
    title: 'names with spaces, #, %, +, ?, & and unicode round-trip exactly as given',
    async run(t, provider) {
      const paths = [...AWKWARD_NAMES.map((n) => `names/${n}`), `nfc/${NFC}`, `nfd/${NFD}`];
      await Promise.all(paths.map((path) => writeData(provider, path, path)));
      const { entries } = await listAll(provider, '', { recursive: true });
      t.deepEqual(pathsOf(entries, 'file'), [...paths].sort(), 'listed names are byte-exact (no encoding, no normalisation)');
      for (const path of paths) {
        t.is(await readText(provider, path), path);
        t.is((await provider.stat(path))?.path, path);
      }
    },
  },
  {
    title: 'NFC and NFD spellings of a name are distinct objects',
    // Providers exact about case are taken to be exact about normalisation too
    // (Capabilities has no separate flag for it).
    skipUnless: (p) => (p.capabilities.caseSensitive ? undefined : 'names are not compared exactly'),
    async run(t, provider) {
      await writeData(provider, NFC, 'composed');
      await writeData(provider, NFD, 'decomposed');
      t.deepEqual(pathsOf((await listAll(provider, '')).entries, 'file'), [NFC, NFD].sort());
      t.is(await readText(provider, NFC), 'composed');
      t.is(await readText(provider, NFD), 'decomposed');
    },
  },
  {
    title: 'names differing only in case are distinct objects',
    skipUnless: (p) => (p.capabilities.caseSensitive ? undefined : 'names are case-insensitive'),
    async run(t, provider) {
      await writeData(provider, 'Case.txt', 'upper');
      await writeData(provider, 'case.txt', 'lower');
      t.deepEqual(pathsOf((await listAll(provider, '')).entries, 'file'), ['Case.txt', 'case.txt']);
      t.is(await readText(provider, 'Case.txt'), 'upper');
      t.is(await readText(provider, 'case.txt'), 'lower');
    },
  },
  {
    title: 'a case-insensitive provider: names differing only in case reach one object, and a move to another case renames it',
    // What the kernel relies on when caseSensitive is false (OneDrive, Dropbox, Box): an
    // upload under another case replaces the object, and a case-only rename is one move.
    skipUnless: (p) => (p.capabilities.caseSensitive ? 'names are case-sensitive' : undefined),
    async run(t, provider) {
      await writeData(provider, 'Case.txt', 'first');
      await writeData(provider, 'CASE.txt', 'second');
      const listed = pathsOf((await listAll(provider, '')).entries, 'file');
      t.is(listed.length, 1, 'one object');
      t.is(await readText(provider, 'case.txt'), 'second');
      if (provider.move && provider.capabilities.serverSideMove) {
        await provider.move(listed[0]!, 'case.TXT');
        t.deepEqual(pathsOf((await listAll(provider, '')).entries, 'file'), ['case.TXT'], 'renamed by case');
        t.is(await readText(provider, 'Case.txt'), 'second');
      }
    },
  },
  {
    title: 'a path 10 folders deep round-trips',
    async run(t, provider) {
      await writeData(provider, DEEP, 'deep down');
      t.is(await readText(provider, DEEP), 'deep down');
      t.like(await provider.stat(DEEP), { path: DEEP, kind: 'file', size: 9 });
      t.deepEqual(pathsOf((await listAll(provider, '', { recursive: true })).entries, 'file'), [DEEP]);
      const ninth = DEEP.split('/').slice(0, 9).join('/');
      t.deepEqual(pathsOf((await listAll(provider, ninth)).entries, 'folder'), [`${ninth}/level10`]);
    },
  },
];
