import test from 'ava';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  checkPassword,
  collect,
  decodeStream,
  deterministicBytes,
  encodeStream,
  fastKeyCache,
  HEADER_PROBE_LENGTH,
  inspectHeader,
  isStoredFormatError,
  isTransformed,
  PasswordRequiredError,
  through,
  WrongPasswordError,
  type DecodeSettings,
} from './helpers.js';

const PASSWORD = 'p4ssw0rd-that-must-never-be-printed';
const keys = fastKeyCache();
const original = deterministicBytes(150_000, 9);
let stored: Buffer;
test.before(async () => {
  stored = await through(encodeStream({ compress: true, encrypt: { password: PASSWORD } }, keys), original);
});

async function failure(object: Buffer, settings: DecodeSettings): Promise<{ error: Error; output: number }> {
  const out: Buffer[] = [];
  const error = await pipeline(Readable.from([object]), decodeStream(settings, keys), collect(out)).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!error) throw new Error('decoding was expected to fail');
  return { error, output: Buffer.concat(out).length };
}

/** Nothing secret in a message: not the password, nor any salt, nonce or key-check bytes in hex or base64. */
function assertNoSecrets(t: import('ava').ExecutionContext, message: string, passwords: string[]): void {
  for (const p of passwords) t.false(message.includes(p), 'password leaked');
  const header = stored.subarray(0, HEADER_PROBE_LENGTH);
  for (let at = 15; at + 8 <= header.length; at += 8) {
    const piece = header.subarray(at, at + 8);
    t.false(message.toLowerCase().includes(piece.toString('hex')), 'header bytes leaked (hex)');
    t.false(message.includes(piece.toString('base64').slice(0, 8)), 'header bytes leaked (base64)');
  }
  t.false(message.includes('\n'), 'one line');
}

test('a wrong password is reported as such, in one line naming the file, before any output', async (t) => {
  const wrong = 'not-the-password';
  const { error, output } = await failure(stored, { password: wrong, label: 'docs/report.pdf', expect: 'encrypted' });
  t.true(error instanceof WrongPasswordError);
  t.true(isStoredFormatError(error, 'wrong-password'));
  t.regex(error.message, /^wrong password for docs\/report\.pdf\b/);
  t.is(output, 0);
  assertNoSecrets(t, error.message, [wrong, PASSWORD]);
});

test('an encrypted object without a password asks for it', async (t) => {
  const { error, output } = await failure(stored, { label: 'a.txt' });
  t.true(error instanceof PasswordRequiredError);
  t.is(error.message, "a.txt is encrypted; set the profile's encryption password to restore it");
  t.is(output, 0);
});

test('tampering messages carry no secrets either', async (t) => {
  const damaged = Buffer.from(stored);
  damaged[200]! ^= 0xff;
  const { error } = await failure(damaged, { password: PASSWORD, label: 'a.txt' });
  t.true(isStoredFormatError(error, 'tampered'), error.message);
  assertNoSecrets(t, error.message, [PASSWORD]);
});

test('checkPassword tells right from wrong from the header alone', async (t) => {
  const head = stored.subarray(0, HEADER_PROBE_LENGTH);
  t.true(await checkPassword(head, PASSWORD, keys));
  t.false(await checkPassword(head, PASSWORD + '!', keys));
  t.is(await checkPassword(Buffer.from('not a header at all, just text'), PASSWORD, keys), undefined);
  const compressedOnly = await through(encodeStream({ compress: true }, keys), Buffer.from('x'));
  t.is(await checkPassword(compressedOnly, PASSWORD, keys), undefined, 'nothing to check on an unencrypted object');
});

test('passwords are compared after Unicode NFC normalisation (composed and decomposed é are one password)', async (t) => {
  const composed = 'caf\u00e9';
  const decomposed = 'cafe\u0301';
  const object = await through(encodeStream({ compress: false, encrypt: { password: composed } }, keys), Buffer.from('data'));
  t.is((await through(decodeStream({ password: decomposed }, keys), object)).toString(), 'data');
});

test("'auto' decodes objects with a header and passes anything else through unchanged", async (t) => {
  t.true((await through(decodeStream({ password: PASSWORD, expect: 'auto' }, keys), stored)).equals(original));
  for (const raw of [Buffer.alloc(0), Buffer.from([0x89]), Buffer.from('\x89NIMBUS'), original]) {
    t.true((await through(decodeStream({ expect: 'auto' }, keys), raw, 4)).equals(raw), `${raw.length} raw bytes`);
  }
});

test('isTransformed and inspectHeader recognise only whole, valid headers', (t) => {
  t.true(isTransformed(stored));
  t.deepEqual(inspectHeader(stored), {
    compressed: true,
    encrypted: true,
    headerLength: 79,
    scrypt: { log2N: 15, r: 8, p: 1 },
    chunkSize: 65536,
  });
  t.false(isTransformed(stored.subarray(0, 78)), 'too short to hold the header');
  t.false(isTransformed(original));
  const damaged = Buffer.from(stored.subarray(0, 79));
  damaged[40]! ^= 1;
  t.false(isTransformed(damaged));
});
