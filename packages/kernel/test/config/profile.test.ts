import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProfileFile, UserError, validateProfile } from '@nimbus/kernel';

function profileFile(t: { teardown(fn: () => void): void }, name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-profile-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

test('a YAML profile gets defaults, a name from its file and paths resolved against its folder', (t) => {
  const file = profileFile(t, 'photos.yaml', 'source: ./pics\ndestination:\n  provider: local\n  path: /backup\n');
  const { profile } = loadProfileFile(file);
  t.is(profile.name, 'photos');
  t.is(profile.mode, 'backup');
  t.is(profile.transfers, 4);
  t.is(profile.compare, 'size-mtime');
  t.true(profile.deleteRemoved);
  t.true(profile.source.endsWith('/pics') && profile.source.startsWith('/'));
  t.deepEqual(profile.destination, { provider: 'local', path: '/backup' });
});

test('a JSON profile is read with the JSON parser', (t) => {
  const file = profileFile(t, 'p.json', JSON.stringify({ source: '/src', destination: { provider: 'local', path: '/d' }, transfers: 8 }));
  t.is(loadProfileFile(file).profile.transfers, 8);
});

const bad: [string, string, string, RegExp][] = [
  ['misspelt field gets a suggestion', 'p.yaml', 'source: /s\ndestination: {provider: local}\ntransfer: 3\n', /unknown field "transfer" \(did you mean "transfers"\?\)/],
  ['unknown nested field', 'p.yaml', 'source: /s\ndestination: {provider: local}\nfilters: {exclud: ["*.tmp"]}\n', /unknown field "filters.exclud" \(did you mean "exclude"\?\)/],
  ['wrong type names the field', 'p.yaml', 'source: /s\ndestination: {provider: local}\ntransfers: many\n', /field "transfers" is invalid: expected number/],
  ['out of range', 'p.yaml', 'source: /s\ndestination: {provider: local}\ntransfers: 0\n', /field "transfers" is invalid/],
  ['bad enum', 'p.yaml', 'source: /s\ndestination: {provider: local}\ncompare: md5\n', /field "compare" is invalid/],
  ['missing source', 'p.yaml', 'destination: {provider: local}\n', /field "source" is invalid/],
  ['a misspelt required field is named, with the field it stands for', 'p.yaml', 'sorce: /s\ndestination: {provider: local}\n', /unknown field "sorce" \(did you mean "source"\?\)/],
  ['missing destination provider', 'p.yaml', 'source: /s\ndestination: {path: /x}\n', /field "destination.provider" is invalid/],
  ['malformed YAML gives line and column', 'p.yaml', 'source: /s\ndestination: [unclosed\n', /not valid YAML at line \d+, column \d+/],
  ['duplicate YAML keys', 'p.yaml', 'source: /a\nsource: /b\ndestination: {provider: local}\n', /not valid YAML/],
  ['malformed JSON', 'p.json', '{"source": "/s",}', /not valid JSON/],
  ['a list is not a profile', 'p.yaml', '- source\n', /must be a mapping of fields/],
  ['bad profile name', 'p.yaml', 'name: "my profile!"\nsource: /s\ndestination: {provider: local}\n', /field "name" is invalid/],
];

for (const [title, name, text, expected] of bad) {
  test(`bad profile: ${title}`, (t) => {
    const file = profileFile(t, name, text);
    const error = t.throws(() => loadProfileFile(file), { instanceOf: UserError });
    t.regex(error!.message, expected);
    t.is(error!.message.split('\n').length, 1, 'one line');
    t.true(error!.message.startsWith(file), 'names the file');
    t.is(error!.exitCode, 2);
  });
}

test('a missing profile file is a clear error', (t) => {
  const error = t.throws(() => loadProfileFile('/nonexistent/profile.yaml'), { instanceOf: UserError });
  t.regex(error!.message, /profile \/nonexistent\/profile.yaml does not exist/);
});

test('validateProfile accepts objects built by a front end', (t) => {
  const loaded = validateProfile({ source: 'rel', destination: { provider: 'local', path: 'x' } }, 'command line', '/base', 'one-off');
  t.is(loaded.profile.source, '/base/rel');
  t.is(loaded.profile.name, 'one-off');
});
