import test, { type ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CHUNK,
  collect,
  decodeStream,
  deterministicBytes,
  encodeStream,
  ENCRYPTED_HEADER,
  fastKeyCache,
  isStoredFormatError,
  PLAIN_HEADER,
  TAG,
  TamperedError,
  through,
  UnsupportedFormatError,
  WrongPasswordError,
  type DecodeSettings,
} from './helpers.js';

const PASSWORD = 'tamper-test password';
const keys = fastKeyCache();
const SEALED = CHUNK + TAG;
/** Three full chunks and a short fourth (final) one. */
const original = deterministicBytes(3 * CHUNK + 1000, 42);
const CHUNKS = 4;

let stored: Buffer;
let other: Buffer;
let compressedOnly: Buffer;
test.before(async () => {
  stored = await through(encodeStream({ compress: false, encrypt: { password: PASSWORD } }, keys), original);
  other = await through(encodeStream({ compress: false, encrypt: { password: PASSWORD } }, keys), original);
  compressedOnly = await through(encodeStream({ compress: true }, keys), original);
});

const chunkStart = (i: number) => ENCRYPTED_HEADER + i * SEALED;
const chunkAt = (object: Buffer, i: number) => object.subarray(chunkStart(i), Math.min(chunkStart(i + 1), object.length));
const header = (object: Buffer) => object.subarray(0, ENCRYPTED_HEADER);

interface Outcome {
  readonly error?: Error;
  readonly output: Buffer;
}

async function decode(object: Buffer, settings: DecodeSettings = { password: PASSWORD, expect: 'encrypted' }): Promise<Outcome> {
  const out: Buffer[] = [];
  try {
    // 10 KiB writes: chunk boundaries fall inside writes, as they do from a network stream.
    const pieces: Buffer[] = [];
    for (let at = 0; at < object.length; at += 10_000) pieces.push(object.subarray(at, at + 10_000));
    await pipeline(Readable.from(pieces), decodeStream({ label: 'docs/x.bin', ...settings }, keys), collect(out));
    return { output: Buffer.concat(out) };
  } catch (error) {
    return { error: error as Error, output: Buffer.concat(out) };
  }
}

/** The decode failed as tampering and released only whole, authentic chunks before the damage. */
function assertTampered(t: ExecutionContext, outcome: Outcome, what: string, firstBadChunk = 0): void {
  t.true(outcome.error instanceof TamperedError, `${what}: ${outcome.error?.message ?? 'NOT DETECTED'}`);
  t.regex(outcome.error?.message ?? '', /^docs\/x\.bin is damaged or was tampered with \(.+\); it was not restored$/);
  t.is(outcome.output.length % CHUNK, 0, `${what}: only whole chunks came out`);
  t.true(outcome.output.length <= firstBadChunk * CHUNK, `${what}: nothing from the damaged chunk or after`);
  t.true(original.subarray(0, outcome.output.length).equals(outcome.output), `${what}: what came out is authentic`);
}

const withByte = (object: Buffer, at: number, xor = 0x01) => {
  const copy = Buffer.from(object);
  copy[at]! ^= xor;
  return copy;
};

/** Rewrite header fields and fix the (non-secret) checksum, as a deliberate attacker would. */
function forgeHeader(object: Buffer, edit: (header: Buffer) => void): Buffer {
  const copy = Buffer.from(object);
  const h = copy.subarray(0, ENCRYPTED_HEADER);
  edit(h);
  createHash('sha256').update(h.subarray(0, ENCRYPTED_HEADER - 8)).digest().copy(h, ENCRYPTED_HEADER - 8, 0, 8);
  return copy;
}

test('sanity: the untouched object decodes', async (t) => {
  const outcome = await decode(stored);
  t.is(outcome.error, undefined);
  t.true(outcome.output.equals(original));
  t.is(stored.length, ENCRYPTED_HEADER + original.length + CHUNKS * TAG);
});

test('flipping any single header byte is detected before any output', async (t) => {
  for (let at = 0; at < ENCRYPTED_HEADER; at++) {
    const outcome = await decode(withByte(stored, at));
    if (at === 8) {
      // The version byte: a "future" format cannot be checked, so it is refused as unsupported.
      t.true(outcome.error instanceof UnsupportedFormatError, `byte ${at}: ${outcome.error?.message}`);
    } else {
      assertTampered(t, outcome, `header byte ${at}`);
    }
    t.is(outcome.output.length, 0);
  }
});

test('flipping any byte of the body or of a tag is detected; earlier chunks are authentic', async (t) => {
  const positions: Array<[number, number]> = [];
  for (let i = 0; i < CHUNKS; i++) {
    const start = chunkStart(i);
    const end = Math.min(chunkStart(i + 1), stored.length);
    positions.push([start, i], [start + 777, i], [end - TAG - 1, i]);
    for (let tagByte = end - TAG; tagByte < end; tagByte++) positions.push([tagByte, i]);
  }
  for (const [at, chunk] of positions) {
    for (const xor of [0x01, 0x80]) assertTampered(t, await decode(withByte(stored, at, xor)), `byte ${at} ^ ${xor}`, chunk);
  }
});

test('cutting the object short at any chunk boundary, inside a chunk or inside the header is detected', async (t) => {
  for (let i = 1; i < CHUNKS; i++) {
    const outcome = await decode(stored.subarray(0, chunkStart(i)));
    assertTampered(t, outcome, `cut after chunk ${i - 1}`, i);
    t.regex(outcome.error!.message, /cut short after chunk/);
  }
  assertTampered(t, await decode(stored.subarray(0, ENCRYPTED_HEADER)), 'header only');
  assertTampered(t, await decode(stored.subarray(0, chunkStart(2) + 5000)), 'cut inside chunk 2', 2);
  assertTampered(t, await decode(stored.subarray(0, chunkStart(1) + 10)), 'cut inside a tag-sized tail', 1);
  assertTampered(t, await decode(stored.subarray(0, stored.length - 1)), 'last byte missing', CHUNKS - 1);
  assertTampered(t, await decode(stored.subarray(0, 40)), 'cut inside the header');
  assertTampered(t, await decode(Buffer.alloc(0)), 'empty object');
});

test('dropping, swapping, duplicating or splicing chunks is detected', async (t) => {
  const c = (i: number) => chunkAt(stored, i);
  const cases: Array<[string, Buffer[], number]> = [
    ['drop chunk 1', [header(stored), c(0), c(2), c(3)], 1],
    ['drop the final chunk', [header(stored), c(0), c(1), c(2)], 2],
    ['drop chunk 0', [header(stored), c(1), c(2), c(3)], 0],
    ['swap chunks 0 and 1', [header(stored), c(1), c(0), c(2), c(3)], 0],
    ['swap chunks 1 and 2', [header(stored), c(0), c(2), c(1), c(3)], 1],
    ['duplicate chunk 1', [header(stored), c(0), c(1), c(1), c(2), c(3)], 2],
    ['chunk 1 from another object (same password, same run)', [header(stored), c(0), chunkAt(other, 1), c(2), c(3)], 1],
    ["another object's body under this header", [header(stored), other.subarray(ENCRYPTED_HEADER)], 0],
    ["this body under another object's header", [header(other), stored.subarray(ENCRYPTED_HEADER)], 0],
  ];
  for (const [what, parts, firstBad] of cases) assertTampered(t, await decode(Buffer.concat(parts)), what, firstBad);
});

test('appending anything is detected', async (t) => {
  const cases: Array<[string, Buffer]> = [
    ['1 byte', Buffer.from([0])],
    ['16 bytes', Buffer.alloc(16)],
    ['17 bytes', Buffer.alloc(17, 7)],
    ['a copy of the final chunk', chunkAt(stored, CHUNKS - 1)],
    ['a whole second object', other],
  ];
  for (const [what, extra] of cases) assertTampered(t, await decode(Buffer.concat([stored, extra])), `append ${what}`, CHUNKS - 1);
});

test('header fields rewritten with a valid checksum still fail authentication', async (t) => {
  // Everything in the header is bound into each chunk's tag as associated data.
  assertTampered(t, await decode(forgeHeader(stored, (h) => (h[9] = 0b11))), 'compressed flag set');
  assertTampered(t, await decode(forgeHeader(stored, (h) => (h[47]! ^= 1))), 'nonce prefix changed');
  assertTampered(t, await decode(forgeHeader(stored, (h) => (h[14] = 15))), 'chunk size changed');
  // Salts feed the key derivation, so a forged salt looks exactly like another password:
  // indistinguishable without the key, and reported as such (nothing is released either way).
  const saltForged = await decode(forgeHeader(stored, (h) => (h[31]! ^= 1)));
  t.true(saltForged.error instanceof WrongPasswordError);
  t.is(saltForged.output.length, 0);
});

test('absurd KDF or chunk parameters in a header are refused without running them', async (t) => {
  const started = Date.now();
  const hugeN = await decode(forgeHeader(stored, (h) => (h[11] = 30)));
  t.true(hugeN.error instanceof UnsupportedFormatError, hugeN.error?.message);
  t.regex(hugeN.error!.message, /scrypt/);
  const hugeChunk = await decode(forgeHeader(stored, (h) => (h[14] = 31)));
  t.true(hugeChunk.error instanceof UnsupportedFormatError, hugeChunk.error?.message);
  const unknownKdf = await decode(forgeHeader(stored, (h) => (h[10] = 9)));
  t.true(unknownKdf.error instanceof UnsupportedFormatError, unknownKdf.error?.message);
  t.true(Date.now() - started < 2000);
});

test('downgrades are refused: plaintext or compressed-only where encryption was recorded', async (t) => {
  const plainHeader = await decode(compressedOnly, { password: PASSWORD, expect: 'encrypted' });
  assertTampered(t, plainHeader, 'compressed-only object where an encrypted one was recorded');
  t.regex(plainHeader.error!.message, /stored without encryption/);
  assertTampered(t, await decode(original, { password: PASSWORD, expect: 'encrypted' }), 'raw bytes where encrypted was recorded');
  assertTampered(t, await decode(original, { expect: 'transformed' }), 'raw bytes where compressed was recorded');
});

test('compressed-only objects: damage, truncation and trailing garbage are caught by the Brotli framing and the length + CRC-32 trailer', async (t) => {
  const settings: DecodeSettings = { expect: 'transformed' };
  t.true((await decode(compressedOnly, settings)).output.equals(original));
  for (const at of [0, 9, 17]) t.true(isStoredFormatError((await decode(withByte(compressedOnly, at), settings)).error), `header byte ${at}`);
  const body = [PLAIN_HEADER + 20, Math.floor(compressedOnly.length / 2), compressedOnly.length - 6, compressedOnly.length - 1];
  for (const at of body) t.true((await decode(withByte(compressedOnly, at), settings)).error instanceof TamperedError, `body byte ${at}`);
  t.true((await decode(compressedOnly.subarray(0, compressedOnly.length - 3), settings)).error instanceof TamperedError, 'cut short');
  t.true((await decode(Buffer.concat([compressedOnly, Buffer.from('junk')]), settings)).error instanceof TamperedError, 'trailing junk');
});
