import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { UserError } from '../errors/nimbus-error.js';

function fieldName(path: readonly PropertyKey[], prefix: string): string {
  const parts = [prefix, ...path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))].filter(Boolean);
  return parts.join('.').replace(/\.\[/g, '[');
}

/** Known keys of the object schema at `path`, to suggest a correction for a misspelt field. */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: any = schema;
  for (const key of path) {
    while (node?.def?.innerType) node = node.def.innerType;
    const shape = node?.def?.shape ?? node?.shape;
    if (typeof key === 'number') node = node?.def?.element;
    else node = shape?.[key as string];
  }
  while (node?.def?.innerType) node = node.def.innerType;
  const shape = node?.def?.shape ?? node?.shape;
  return shape ? Object.keys(shape) : [];
}

/**
 * One line naming the first problem in a config and how to fix it.
 * `where` names the file (or "command line"), `prefix` the block being checked.
 */
export function configErrorFrom(error: z.ZodError, schema: z.ZodType, where: string, prefix = ''): UserError {
  const issue = error.issues[0]!;
  const field = fieldName(issue.path, prefix);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const known = knownKeysAt(schema, issue.path);
    const suggestion = known.length ? closest(key, known) : undefined;
    const hint =
      suggestion && distance(key, suggestion) <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean "${suggestion}"?)` : '';
    const full = fieldName([...issue.path, key], prefix);
    return new UserError(`${where}: unknown field "${full}"${hint}: remove it or correct its name`);
  }
  const message = issue.message.replace(/^Invalid input: /, '');
  const at = field ? `field "${field}"` : 'the top level';
  return new UserError(`${where}: ${at} is invalid: ${message}; fix it and run again`);
}

/** Validate `value` against `schema`, throwing a one-line UserError on the first problem. */
export function parseConfig<T>(schema: z.ZodType<T>, value: unknown, where: string, prefix = ''): T {
  const result = schema.safeParse(value);
  if (!result.success) throw configErrorFrom(result.error, schema, where, prefix);
  return result.data;
}
