import type { EncryptionSettings } from '../config/profile.js';
import { UserError } from '../errors/nimbus-error.js';

/** Asks the person at the terminal for a password without echoing it; undefined when nobody can answer. */
export type PasswordPrompt = (question: string) => Promise<string | undefined>;

/**
 * The encryption password of a profile: given in it, taken from an environment variable,
 * or asked for at the terminal. A prompt with no terminal fails at once (the seed's "profile
 * will fail if run unattended"), never hangs.
 */
export async function resolvePassword(
  encryption: EncryptionSettings,
  profile: string,
  env: NodeJS.ProcessEnv,
  prompt?: PasswordPrompt,
): Promise<string> {
  if (encryption.password !== undefined) return encryption.password;
  if (encryption.passwordEnv !== undefined) {
    const value = env[encryption.passwordEnv];
    if (!value) throw new UserError(`profile ${profile} takes its password from $${encryption.passwordEnv}, which is not set: set it and run again`);
    return value;
  }
  const answer = prompt ? await prompt(`Password for profile ${profile}: `) : undefined;
  if (answer === undefined) {
    throw new UserError(`profile ${profile} asks for its password at each run, but no terminal is attached: run it interactively, or use encryption.passwordEnv`);
  }
  if (answer.length === 0) throw new UserError(`no password given for profile ${profile}: run again and type it`);
  return answer;
}
