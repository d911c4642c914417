import { UserError } from '../errors/nimbus-error.js';

const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** An account name is part of file names and keychain entries: letters, digits, dots, dashes, underscores. */
export function checkAccountName(name: string): string {
  if (!ACCOUNT_NAME.test(name)) throw new UserError(`"${name}" is not a valid account name: use 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit`);
  return name;
}

/**
 * The authorization a profile holds for itself (`ownAuthorization: true`), for profiles that run
 * in parallel against a service that limits each token (Egnyte): named "@<profile name>", a
 * form no linked account can take.
 */
export function profileAccountName(profileName: string): string {
  return `@${profileName}`;
}

export function isProfileAccount(name: string): boolean {
  return name.startsWith('@');
}
