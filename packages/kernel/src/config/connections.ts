import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { nimbusDataDir } from '../database/data-dir.js';
import { UserError } from '../errors/nimbus-error.js';

/**
 * Where named connection settings live: $NIMBUS_CONNECTIONS, else connections.yaml in the
 * data folder. Several profiles name one connection, so keys and endpoints are kept once.
 */
export function connectionsFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.NIMBUS_CONNECTIONS || join(nimbusDataDir(env), 'connections.yaml');
}

/** The settings of connection `name` (a provider and its settings, as in a destination block). */
export function loadConnection(name: string, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const file = connectionsFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`the destination names connection "${name}", but ${file} does not exist: create it with a "${name}:" block (provider and settings)`);
  }
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    throw new UserError(`${file} is not valid YAML (${(error as Error).message.split('\n')[0]}): fix it`);
  }
  const all = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  const connection = all[name];
  if (connection === undefined) {
    const known = Object.keys(all);
    throw new UserError(`there is no connection "${name}" in ${file}${known.length ? ` (it has ${known.join(', ')})` : ''}: add it or fix the name`);
  }
  if (!connection || typeof connection !== 'object' || Array.isArray(connection) || typeof (connection as { provider?: unknown }).provider !== 'string') {
    throw new UserError(`connection "${name}" in ${file} must be a block with a provider and its settings`);
  }
  return connection as Record<string, unknown>;
}
