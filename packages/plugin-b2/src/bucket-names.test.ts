import test from 'ava';
import { brokenBucketNameRule, validateB2BucketName } from './bucket-names.js';

// [name, rule broken (undefined = valid)]
const TABLE: [string, string | undefined][] = [
  ['my-backups', undefined],
  ['MyPhotos', undefined],
  ['abcdef', undefined],
  ['a'.repeat(50), undefined],
  ['123456', undefined],
  ['abcde', 'length'],
  ['a'.repeat(51), 'length'],
  ['under_score', 'characters'],
  ['with.period', 'characters'],
  ['spa ce-name', 'characters'],
  ['ümlauts-here', 'characters'],
  ['b2-reserved', 'reserved-prefix'],
  ['B2-Reserved', 'reserved-prefix'],
  ['b2reserved-no-dash', undefined],
];

for (const [name, rule] of TABLE) {
  test(`bucket name "${name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name}": ${rule ?? 'valid'}`, (t) => {
    t.is(brokenBucketNameRule(name)?.id, rule);
    const message = validateB2BucketName(name);
    if (rule) t.true(message?.includes(`rule "${rule}"`) && message.includes(`"${name}"`), message);
    else t.is(message, undefined);
  });
}

test('each rule says what it demands in words', (t) => {
  t.is(validateB2BucketName('my_bucket'), 'bucket name "my_bucket" may only contain letters, numbers (0-9) and dashes (-); no other characters, not even underscores (B2 bucket naming rule "characters")');
  t.is(validateB2BucketName('b2-mine'), 'bucket name "b2-mine" must not start with "b2-" (reserved by Backblaze) (B2 bucket naming rule "reserved-prefix")');
});
