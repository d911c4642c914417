import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { UserError } from '../errors/nimbus-error.js';
import { parseConfig } from './config-error.js';
import { profileSchema, type Profile } from './profile.js';

/** A validated profile plus where it came from. */
export interface LoadedProfile {
  readonly profile: Profile & { readonly name: string };
  /** Folder relative paths in the profile are resolved against. */
  readonly baseDir: string;
  /** File name (or "command line") for error messages. */
  readonly origin: string;
}

import { resolveUserPath } from './user-path.js';

export { resolveUserPath };

/** Parse YAML or JSON text (JSON is YAML, but JSON files get JSON's stricter parser). */
export function parseProfileText(text: string, origin: string, json: boolean): unknown {
  if (json) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new UserError(`${origin}: not valid JSON (${(error as Error).message}): fix the syntax`);
    }
  }
  // Loaded only for YAML profiles: a JSON profile's run never pays for the parser.
  const { parseDocument } = createRequire(import.meta.url)('yaml') as typeof Yaml;
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0] ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    throw new UserError(`${origin}: not valid YAML${line} (${e.message.split('\n')[0]}): fix the syntax`);
  }
  return doc.toJS();
}

/** Validate a profile object (from a file or built by a front end). */
export function validateProfile(raw: unknown, origin: string, baseDir: string, fallbackName: string): LoadedProfile {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UserError(`${origin}: a profile must be a mapping of fields (source, destination...), not ${Array.isArray(raw) ? 'a list' : typeof raw}`);
  }
  const profile = parseConfig(profileSchema, raw, origin);
  return {
    profile: {
      ...profile,
      name: profile.name ?? fallbackName,
      source: resolveUserPath(profile.source, baseDir),
      ...(profile.databaseDir ? { databaseDir: resolveUserPath(profile.databaseDir, baseDir) } : {}),
    },
    baseDir,
    origin,
  };
}

/** Read, parse and validate a profile file (.yaml, .yml or .json). */
export function loadProfileFile(file: string): LoadedProfile {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code})`;
    throw new UserError(`profile ${file} ${why}: give the path of a .yaml or .json profile file`);
  }
  const ext = extname(path).toLowerCase();
  const raw = parseProfileText(text, file, ext === '.json');
  const fallbackName = basename(path, ext).replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64) || 'profile';
  return validateProfile(raw, file, dirname(path), fallbackName);
}
