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

/** Required fields absent from the object at `path` (reported as undefined where a value is expected). */
function missingFieldsAt(error: z.ZodError, path: readonly PropertyKey[]): string[] {
  return error.issues
    .filter((i) => i.code === 'invalid_type' && i.path.length === path.length + 1 && path.every((p, n) => i.path[n] === p))
    .filter((i) => / received undefined$/.test(i.message))
    .map((i) => String(i.path[path.length]));
}

/**
 * One line naming the first problem in a config and how to fix it.
 * `where` names the file (or "command line"), `prefix` the block being checked.
 */
export function configErrorFrom(error: z.ZodError, schema: z.ZodType, where: string, prefix = ''): UserError {
  // A misspelt field shows up twice: as an unknown key, and as the real field missing. Name the
  // unknown key (what the user wrote), suggesting the missing field it most likely stands for.
  const issue = error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0]!;
  const field = fieldName(issue.path, prefix);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const missing = missingFieldsAt(error, issue.path);
    const known = missing.length ? missing : knownKeysAt(schema, issue.path);
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
