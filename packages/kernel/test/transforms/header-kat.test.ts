import test from 'ava';
import { createDecipheriv, createHash, createHmac, hkdfSync, scryptSync } from 'node:crypto';
import { CHUNK, decodeStream, encodeStream, ENCRYPTED_HEADER, fastKeyCache, sha256, TAG, through } from './helpers.js';

/**
 * Known-answer checks: the format is rebuilt here from the README's description with plain
 * node:crypto calls, so a change to the layout, the KDF chain, the nonce or the AAD fails
 * here (old backups must stay readable).
 */

const PASSWORD = 'known answer';

/** Salts and nonce prefixes 00 01 02 ... in the order the encoder asks for them. */
function countingRandom(): (size: number) => Buffer {
  let next = 0;
  return (size) => Buffer.from(Array.from({ length: size }, () => next++ & 0xff));
}

const SCRYPT_SALT = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const FILE_SALT = Buffer.from('101112131415161718191a1b1c1d1e1f', 'hex');
const NONCE_PREFIX = Buffer.from('2021222324252627', 'hex');

const master = scryptSync(PASSWORD, SCRYPT_SALT, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 2 ** 20 });
const hkdf = (info: string) => Buffer.from(hkdfSync('sha256', master, FILE_SALT, Buffer.from(info), 32));
const chunkKey = hkdf('nimbus stored format v1: chunk key');
const keyCheck = createHmac('sha256', hkdf('nimbus stored format v1: key check')).update('nimbus key check v1').digest().subarray(0, 16);

function expectedHeader(flags: number): Buffer {
  const body = Buffer.concat([
    Buffer.from('894e494d4255530a', 'hex'), // magic "\x89NIMBUS\n"
    Buffer.from([1, flags]), // version 1, flags
    Buffer.from([1, 15, 8, 1, 16]), // scrypt, log2 N = 15, r = 8, p = 1, chunk 2^16
    SCRYPT_SALT,
    FILE_SALT,
    NONCE_PREFIX,
    keyCheck,
  ]);
  return Buffer.concat([body, createHash('sha256').update(body).digest().subarray(0, 8)]);
}

function openChunk(header: Buffer, sealed: Buffer, index: number, final: boolean): Buffer {
  const nonce = Buffer.concat([NONCE_PREFIX, Buffer.alloc(4)]);
  nonce.writeUInt32BE(index, 8);
  const aad = Buffer.concat([header, Buffer.alloc(9)]);
  aad.writeBigUInt64BE(BigInt(index), header.length);
  aad[header.length + 8] = final ? 1 : 0;
  const decipher = createDecipheriv('aes-256-gcm', chunkKey, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG)), decipher.final()]);
}

test('encrypted header layout, key chain, nonces and AAD match the documented format', async (t) => {
  const plain = Buffer.concat([Buffer.alloc(CHUNK, 0x61), Buffer.from('hello')]);
  const stored = await through(encodeStream({ compress: false, encrypt: { password: PASSWORD } }, fastKeyCache(countingRandom())), plain);
  const header = expectedHeader(0b10);
  t.is(header.length, ENCRYPTED_HEADER);
  t.is(stored.subarray(0, ENCRYPTED_HEADER).toString('hex'), header.toString('hex'));
  // Pinned bytes: if this changes, existing backups no longer open.
  t.is(
    header.toString('hex'),
    '894e494d4255530a' + '01' + '02' + '010f080110' +
      '000102030405060708090a0b0c0d0e0f' + '101112131415161718191a1b1c1d1e1f' + '2021222324252627' +
      '758b50022f42a1e6612333eea07ed90d' + // key check
      'abff4ae870caac92', // checksum
  );
  const chunk0 = stored.subarray(ENCRYPTED_HEADER, ENCRYPTED_HEADER + CHUNK + TAG);
  const chunk1 = stored.subarray(ENCRYPTED_HEADER + CHUNK + TAG);
  t.is(chunk1.length, 5 + TAG);
  t.true(openChunk(header, chunk0, 0, false).equals(plain.subarray(0, CHUNK)));
  t.is(openChunk(header, chunk1, 1, true).toString(), 'hello');
  t.throws(() => openChunk(header, chunk1, 1, false), undefined, 'the last chunk is sealed as final');
  t.is(sha256(stored), 'e2156105f4cec31a900b0726c53b9db260bf5f7b2dbaf3a51507786c1109a572', 'whole stored object for fixed randomness');
});

test('an empty file is one empty final chunk: header + 16-byte tag', async (t) => {
  const stored = await through(encodeStream({ compress: false, encrypt: { password: PASSWORD } }, fastKeyCache(countingRandom())), Buffer.alloc(0));
  t.is(stored.length, ENCRYPTED_HEADER + TAG);
  t.is(openChunk(expectedHeader(0b10), stored.subarray(ENCRYPTED_HEADER), 0, true).length, 0);
});

test('compressed + encrypted: flags 0b11, and the chunks hold Brotli + length + CRC-32', async (t) => {
  const { brotliDecompressSync, crc32 } = await import('node:zlib');
  const stored = await through(encodeStream({ compress: true, encrypt: { password: PASSWORD } }, fastKeyCache(countingRandom())), Buffer.from('hello hello hello'));
  const header = expectedHeader(0b11);
  t.true(stored.subarray(0, ENCRYPTED_HEADER).equals(header));
  const body = openChunk(header, stored.subarray(ENCRYPTED_HEADER), 0, true);
  t.is(brotliDecompressSync(body.subarray(0, body.length - 12)).toString(), 'hello hello hello');
  t.is(body.readBigUInt64BE(body.length - 12), 17n);
  t.is(body.readUInt32BE(body.length - 4), crc32('hello hello hello'));
});

test('compressed-only header: magic, version, flags 0b01, checksum (18 bytes), then Brotli', async (t) => {
  const stored = await through(encodeStream({ compress: true }, fastKeyCache()), Buffer.from('x'));
  const body = Buffer.from('894e494d4255530a0101', 'hex');
  const expected = Buffer.concat([body, createHash('sha256').update(body).digest().subarray(0, 8)]);
  t.is(stored.subarray(0, 18).toString('hex'), expected.toString('hex'));
  t.is(stored.length, 18 + (await import('node:zlib')).brotliCompressSync('x', { params: { 1: 4 } }).length + 12);
  t.is((await through(decodeStream({}, fastKeyCache()), stored)).toString(), 'x');
});
