import test from 'ava';
import {
  CHUNK,
  compressibleBytes,
  decodeStream,
  DEFAULT_SCRYPT,
  deterministicBytes,
  encodeStream,
  ENCRYPTED_HEADER,
  expectationFor,
  fastKeyCache,
  inspectHeader,
  isTransformed,
  KeyCache,
  PLAIN_HEADER,
  storedFlags,
  TAG,
  through,
  transformedSize,
  type TransformSettings,
} from './helpers.js';

const PASSWORD = 'correct horse battery staple';
const keys = fastKeyCache();

const MODES: Record<string, TransformSettings> = {
  'compress only': { compress: true },
  'encrypt only': { compress: false, encrypt: { password: PASSWORD } },
  'compress + encrypt': { compress: { level: 9 }, encrypt: { password: PASSWORD } },
};

const SIZES: Record<string, number> = {
  empty: 0,
  '1 byte': 1,
  'one chunk - 1': CHUNK - 1,
  'exactly one chunk': CHUNK,
  'one chunk + 1': CHUNK + 1,
  'two chunks exactly': 2 * CHUNK,
  'three chunks and a bit': 3 * CHUNK + 12_345,
};

for (const [mode, settings] of Object.entries(MODES)) {
  for (const [name, size] of Object.entries(SIZES)) {
    test(`${mode}: ${name} (${size} bytes) round-trips`, async (t) => {
      const original = deterministicBytes(size, size);
      // Odd piece counts make writes straddle chunk boundaries.
      const stored = await through(encodeStream(settings, keys), original, 7);
      const info = inspectHeader(stored);
      t.deepEqual(info && { compressed: info.compressed, encrypted: info.encrypted }, storedFlags(settings));
      t.is((await through(decodeStream({ password: PASSWORD, expect: expectationFor(storedFlags(settings)) }, keys), stored, 5)).compare(original), 0);
      // Also in 13-byte writes: header and chunks then straddle every write boundary.
      if (size <= CHUNK + 1) t.true((await through(decodeStream({ password: PASSWORD }, keys), stored, Math.ceil(stored.length / 13))).equals(original));
      const expected = transformedSize(settings, size);
      if (expected !== undefined) t.is(stored.length, expected);
    });
  }
}

test('encrypt only: stored size is header + data + one tag per 64 KiB chunk, as transformedSize says', async (t) => {
  const settings = MODES['encrypt only']!;
  t.is(transformedSize(settings, 0), ENCRYPTED_HEADER + TAG);
  t.is(transformedSize(settings, CHUNK), ENCRYPTED_HEADER + CHUNK + TAG);
  t.is(transformedSize(settings, CHUNK + 1), ENCRYPTED_HEADER + CHUNK + 1 + 2 * TAG);
  t.is(transformedSize(MODES['compress only']!, 10), undefined, 'compressed size cannot be known in advance');
  t.is(transformedSize({ compress: false }, 10), 10);
});

test('with neither transform the stream is a pass-through: no header, bytes unchanged', async (t) => {
  const original = deterministicBytes(1000);
  const stored = await through(encodeStream({ compress: false }, keys), original);
  t.true(stored.equals(original));
  t.false(isTransformed(stored));
  t.deepEqual(storedFlags({ compress: false }), { compressed: false, encrypted: false });
  t.is(expectationFor({ compressed: false, encrypted: false }), undefined);
});

test('compression happens before encryption: compressible data is stored small even when encrypted', async (t) => {
  const original = compressibleBytes(1024 * 1024);
  const both = await through(encodeStream(MODES['compress + encrypt']!, keys), original);
  const encryptOnly = await through(encodeStream(MODES['encrypt only']!, keys), original);
  t.true(both.length < original.length / 10, `stored ${both.length} bytes for ${original.length}`);
  t.true(encryptOnly.length > original.length);
  t.true((await through(decodeStream({ password: PASSWORD }, keys), both)).equals(original));
});

test('compression level is configurable and checked', async (t) => {
  const original = Buffer.from(compressibleBytes(256 * 1024).map((b, i) => (i % 7 === 0 ? (b + i) & 0xff : b)));
  const fast = await through(encodeStream({ compress: { level: 1 } }, keys), original);
  const best = await through(encodeStream({ compress: { level: 9 } }, keys), original);
  t.true(best.length < fast.length, `level 9 ${best.length} vs level 1 ${fast.length}`);
  t.throws(() => encodeStream({ compress: { level: 12 } }, keys), { message: /from 0 \(fastest\) to 11/ });
  t.throws(() => encodeStream({ compress: false, encrypt: { password: '' } }, keys), { message: /password is empty/ });
});

test('the same content stored twice gets different salts, nonces and ciphertext', async (t) => {
  const original = deterministicBytes(3 * CHUNK);
  const a = await through(encodeStream(MODES['encrypt only']!, keys), original);
  const b = await through(encodeStream(MODES['encrypt only']!, keys), original);
  t.is(a.length, b.length);
  // Same run, same password: the scrypt salt (15..31) is shared, the file salt and nonce prefix are not.
  t.true(a.subarray(15, 31).equals(b.subarray(15, 31)));
  t.false(a.subarray(31, 47).equals(b.subarray(31, 47)), 'file salts differ');
  t.false(a.subarray(47, 55).equals(b.subarray(47, 55)), 'nonce prefixes differ');
  const bodyA = a.subarray(ENCRYPTED_HEADER);
  const bodyB = b.subarray(ENCRYPTED_HEADER);
  for (let at = 0; at < bodyA.length; at += CHUNK + TAG) {
    t.false(bodyA.subarray(at, at + 32).equals(bodyB.subarray(at, at + 32)), `chunk at ${at} differs`);
  }
  // A new run (new cache) picks a new scrypt salt too.
  const c = await through(encodeStream(MODES['encrypt only']!, fastKeyCache()), original);
  t.false(a.subarray(15, 31).equals(c.subarray(15, 31)));
});

test('a run derives the master key once, however many files it encrypts and restores', async (t) => {
  const cache = fastKeyCache();
  const stored = await Promise.all(
    Array.from({ length: 12 }, (_, i) => through(encodeStream(MODES['compress + encrypt']!, cache), deterministicBytes(5000 + i, i))),
  );
  t.is(cache.derivations, 1);
  const restoring = fastKeyCache();
  const restored = await Promise.all(stored.map((s) => through(decodeStream({ password: PASSWORD }, restoring), s)));
  restored.forEach((r, i) => t.true(r.equals(deterministicBytes(5000 + i, i))));
  t.is(restoring.derivations, 1, 'one derivation per scrypt salt met');
});

test('compressed-only objects are an 18-byte header, a plain Brotli stream, and length + CRC-32 of the original', async (t) => {
  const { brotliDecompressSync, crc32 } = await import('node:zlib');
  const original = compressibleBytes(100_000);
  const stored = await through(encodeStream({ compress: true }, keys), original);
  t.is(inspectHeader(stored)?.headerLength, PLAIN_HEADER);
  const trailer = stored.subarray(stored.length - 12);
  t.is(trailer.readBigUInt64BE(0), BigInt(original.length));
  t.is(trailer.readUInt32BE(8), crc32(original));
  t.true(brotliDecompressSync(stored.subarray(PLAIN_HEADER, stored.length - 12)).equals(original));
});

test('default scrypt cost (N = 2^17, r = 8, p = 1) round-trips and is recorded in the header', async (t) => {
  const cache = new KeyCache();
  const started = Date.now();
  const stored = await through(encodeStream(MODES['encrypt only']!, cache), Buffer.from('hello'));
  t.log(`scrypt N=2^${DEFAULT_SCRYPT.log2N} derivation: ${Date.now() - started} ms`);
  t.deepEqual(inspectHeader(stored)?.scrypt, DEFAULT_SCRYPT);
  t.is((await through(decodeStream({ password: PASSWORD }, cache), stored)).toString(), 'hello');
  t.throws(() => new KeyCache({ scrypt: { log2N: 12, r: 8, p: 1 } }), { message: /too low/ });
  t.throws(() => new KeyCache({ scrypt: { log2N: 22, r: 8, p: 1 } }), { message: /scrypt memory/ });
});
