import { createHash, type Hash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileFacts } from '../database/cloud-database.js';
import type { RemoteEntry } from '../provider/remote-entry.js';
import type { StorageProvider } from '../provider/storage-provider.js';
import { factsFromRemote, META_KEYS } from './destination-facts.js';
import type { LocalFile } from './local-scanner.js';
import type { StoredFormat } from './stored-format.js';
import { hashLocalFile } from './upload-file.js';

/**
 * Whether a destination object holds the same original as a local file (both sides new or
 * changed, e.g. a second machine's first sync): resolves to the local file's SHA-256 and the
 * object (with its metadata), or undefined. Originals are compared, never stored bytes: size
 * and hash come from the object's metadata when it has them (listings rarely carry metadata,
 * so the object is asked for it), else the stored bytes are decoded through the profile's
 * format and hashed.
 */
export async function sameOriginal(
  provider: StorageProvider,
  format: StoredFormat,
  absolute: string,
  local: LocalFile,
  listed: RemoteEntry,
): Promise<{ sha256: string; remote: RemoteEntry } | undefined> {
  const caps = provider.capabilities;
  const remote = caps.metadata && !listed.metadata ? ((await provider.stat(listed.path).catch(() => undefined)) ?? listed) : listed;
  const facts = factsFromRemote({ ...remote, path: listed.path }, caps, 0);
  const recordedSize = remote.metadata?.[META_KEYS.size] !== undefined;
  // Stored as is: the metadata says so, or there is none and this profile stores as is.
  const asIs = !facts.compressed && !facts.encrypted && (recordedSize || format.isPlain);
  if ((recordedSize || asIs) && local.size !== facts.size) return undefined;
  const sha256 = await hashLocalFile(absolute);
  // A provider's free hash is of the stored bytes: the original's only when stored as is.
  const recorded = remote.metadata?.[META_KEYS.sha256] ?? (asIs ? remote.hashes?.sha256 : undefined);
  const remoteSha = recorded ?? (await hashOriginal(provider, format, facts));
  return sha256 === remoteSha ? { sha256, remote: { ...remote, path: listed.path } } : undefined;
}

/** SHA-256 of the original an object holds, by decoding its stored bytes; undefined when unreadable. */
async function hashOriginal(provider: StorageProvider, format: StoredFormat, facts: FileFacts): Promise<string | undefined> {
  try {
    const hash = createHash('sha256');
    const decoder = format.decoder(facts);
    const stored = await provider.read(facts.path);
    if (decoder) await pipeline(stored, decoder, hashSink(hash));
    else await pipeline(stored, hashSink(hash));
    return hash.digest('hex');
  } catch {
    return undefined; // unreadable (archived, wrong password...): treated as different
  }
}

/** A stream end that only feeds what it receives to `hash`. */
function hashSink(hash: Hash): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done();
    },
  });
}
