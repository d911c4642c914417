import test from 'ava';
import { brokenBucketNameRule, checkBucketName, LEGACY_BUCKET_NAME_RULES, STRICT_BUCKET_NAME_RULES } from './bucket-names.js';

// [name, rule the strict rules report (undefined = valid), rule the legacy US Standard rules report]
const TABLE: [string, string | undefined, string | undefined][] = [
  ['my-backups', undefined, undefined],
  ['photos.2024.example', undefined, undefined],
  ['abc', undefined, undefined],
  ['a'.repeat(63), undefined, undefined],
  ['ab', 'length', 'legacy-length'],
  ['a'.repeat(64), 'length', undefined],
  ['a'.repeat(255), 'length', undefined],
  ['a'.repeat(256), 'length', 'legacy-length'],
  ['My-Backups', 'characters', undefined],
  ['under_score', 'characters', undefined],
  ['spa ce', 'characters', 'legacy-characters'],
  ['slash/name', 'characters', 'legacy-characters'],
  ['ümlaut', 'characters', 'legacy-characters'],
  ['-starts-with-dash', 'start', undefined],
  ['.starts-with-period', 'start', undefined],
  ['ends-with-dash-', 'end', undefined],
  ['ends-with-period.', 'end', undefined],
  ['two..periods', 'consecutive-periods', undefined],
  ['bad.-name', 'dash-next-to-period', undefined],
  ['bad-.name', 'dash-next-to-period', undefined],
  ['192.168.5.4', 'ip-address', undefined],
  ['10.0.0.1', 'ip-address', undefined],
  ['192.168.5.4.5', undefined, undefined],
];

for (const [name, strict, legacy] of TABLE) {
  test(`bucket name "${name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name}": strict ${strict ?? 'valid'}, legacy ${legacy ?? 'valid'}`, (t) => {
    t.is(brokenBucketNameRule(name, STRICT_BUCKET_NAME_RULES)?.id, strict);
    t.is(brokenBucketNameRule(name, LEGACY_BUCKET_NAME_RULES)?.id, legacy);
    const strictMessage = checkBucketName(name, { legacyAllowed: false });
    if (strict) t.true(strictMessage?.includes(`rule "${strict}"`) && strictMessage.includes(`"${name}"`), strictMessage);
    else t.is(strictMessage, undefined);
    const legacyMessage = checkBucketName(name, { legacyAllowed: true });
    if (legacy) t.true(legacyMessage?.includes(`legacy US Standard naming rule "${legacy}"`), legacyMessage);
    else t.is(legacyMessage, undefined);
  });
}

test('each rule says what it demands in words', (t) => {
  t.is(checkBucketName('Bad_Name', { legacyAllowed: false }), 'bucket name "Bad_Name" may only contain lowercase letters, numbers, periods (.) and dashes (-) (S3 bucket naming rule "characters")');
  t.is(checkBucketName('two..periods', { legacyAllowed: false }), 'bucket name "two..periods" must not contain two periods in a row (..) (S3 bucket naming rule "consecutive-periods")');
});
