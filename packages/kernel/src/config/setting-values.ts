import { UserError } from '../errors/nimbus-error.js';
import type { PasswordPrompt } from '../run/resolve-password.js';

export interface SettingSources {
  readonly env: NodeJS.ProcessEnv;
  /** Asks on the terminal; undefined (or answering undefined) when none is attached. */
  readonly prompt?: PasswordPrompt;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Settings whose value is `{ env: NAME }` (taken from the environment) or `{ prompt: true }`
 * (asked on the terminal, never echoed) become that string, so a key or password need not be
 * written in a file. A prompt with no terminal fails at once: an unattended run never hangs.
 */
export async function resolveSettingValues(block: Record<string, unknown>, where: string, sources: SettingSources): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(block)) {
    if (isObject(value) && Object.keys(value).length === 1 && typeof value.env === 'string') {
      const found = sources.env[value.env];
      if (!found) throw new UserError(`${where} takes ${key} from $${value.env}, which is not set: set it and run again`);
      out[key] = found;
    } else if (isObject(value) && Object.keys(value).length === 1 && value.prompt === true) {
      const answer = sources.prompt ? await sources.prompt(`${key} for ${where}: `) : undefined;
      if (answer === undefined) throw new UserError(`${where} asks for ${key} on a terminal, but none is attached: run it interactively, or use ${key}: { env: NAME }`);
      if (!answer) throw new UserError(`no ${key} given for ${where}: run again and type it`);
      out[key] = answer;
    } else {
      out[key] = value;
    }
  }
  return out;
}
