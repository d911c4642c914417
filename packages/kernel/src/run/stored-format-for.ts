import type { LoadedProfile } from '../config/load-profile.js';
import { StoredFormat } from '../engine/stored-format.js';
import { resolvePassword, type PasswordPrompt } from './resolve-password.js';

/** The profile's compression and encryption settings, with the password resolved. */
export async function storedFormatFor(loaded: LoadedProfile, env: NodeJS.ProcessEnv, prompt?: PasswordPrompt): Promise<StoredFormat> {
  const { compression, encryption, name } = loaded.profile;
  const compress = compression === true ? true : compression === false ? false : { level: compression.level };
  if (!encryption) return new StoredFormat({ compress });
  const password = await resolvePassword(encryption, name, env, prompt);
  return new StoredFormat({ compress, encrypt: { password } });
}
