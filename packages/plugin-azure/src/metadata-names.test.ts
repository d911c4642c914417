import test from 'ava';
import { Readable } from 'node:stream';
import { fromAzureName, fromAzureValue, toAzureName, toAzureValue } from './metadata-names.js';
import { connectWith, freshContainer } from './test-support/azurite-account.js';

/** A C# identifier, as Azure requires of metadata names. */
const CSHARP_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const KEYS = [
  'nimbus-mtime', 'nimbus-size', 'nimbus-sha256', 'colour', 'a', 'x1-y2',
  'Colour', 'COLOUR', 'snake_case', 'double--dash', '-leading', 'trailing-', '1starts-with-digit',
  'with space', 'dots.in.name', 'ünïcödé', '日本語', 'emoji😀', '_', '__x', '_4e', 'nimbus_mtime',
];
const VALUES = ['1577934245678', 'value-1', '', ' padded ', 'ünïcödé', '=?utf-8?b?AAAA?=', 'line\nbreak', 'tab\tinside', '\u0000'];

test('every kernel key maps to a distinct C# identifier (case-insensitively) and back', (t) => {
  const mapped = KEYS.map(toAzureName);
  for (const [i, name] of mapped.entries()) {
    t.regex(name, CSHARP_IDENTIFIER, KEYS[i]);
    t.is(fromAzureName(name), KEYS[i]);
    t.is(fromAzureName(name.toUpperCase()), KEYS[i], 'names come back lower-cased from HTTP headers');
  }
  t.is(new Set(mapped.map((n) => n.toLowerCase())).size, KEYS.length, 'no two keys collide');
  t.is(toAzureName('nimbus-mtime'), 'nimbus_mtime', 'the common case stays readable');
  for (const value of VALUES) t.is(fromAzureValue(toAzureValue(value)), value, JSON.stringify(value));
  t.is(toAzureValue('1577934245678'), '1577934245678', 'plain values are stored as they are');
});

test('arbitrary metadata round-trips through Azurite (stat and listing)', async (t) => {
  const container = await freshContainer('metadata');
  t.teardown(container.cleanup);
  const provider = await connectWith({ container: container.name });
  const metadata = Object.fromEntries(KEYS.map((key, i) => [key, VALUES[i % VALUES.length]!]));
  await provider.write('tagged.txt', Readable.from([Buffer.from('x')]), { size: 1, metadata });
  // Besides the keys given, the original's time is written where rclone reads it: `mtime`, RFC 3339.
  const stored = { ...metadata, mtime: new Date(Number(metadata['nimbus-mtime'])).toISOString().replace('Z', '000000Z') };
  t.deepEqual((await provider.stat('tagged.txt'))?.metadata, stored);
  const listed: Record<string, string>[] = [];
  for await (const page of provider.list('')) listed.push(...page.map((e) => e.metadata ?? {}));
  t.deepEqual(listed, [stored]);
  // And what Azure itself holds is valid, readable names: nimbus-mtime is nimbus_mtime.
  const raw = await container.client.getBlobClient('tagged.txt').getProperties();
  t.is(raw.metadata?.['nimbus_mtime'], metadata['nimbus-mtime']);
  t.true(Object.keys(raw.metadata ?? {}).every((k) => CSHARP_IDENTIFIER.test(k)));
});

test('even keys that are not words map to valid names and back', (t) => {
  for (const key of ['', ' ', '\u0000', 'x'.repeat(300)]) {
    t.regex(toAzureName(key), CSHARP_IDENTIFIER, JSON.stringify(key));
    t.is(fromAzureName(toAzureName(key)), key);
  }
});
