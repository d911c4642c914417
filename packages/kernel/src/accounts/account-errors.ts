import { UserError } from '../errors/nimbus-error.js';

/** The provider no longer accepts the account's refresh token (revoked, expired, or password changed). */
export class AccountDisconnectedError extends UserError {
  constructor(readonly account: string) {
    super(`account "${account}" was disconnected by the provider: run nimbus account reconnect ${account}`);
  }
}

export function unknownAccountError(name: string, provider?: string): UserError {
  if (name.startsWith('@')) {
    return new UserError(`profile ${name.slice(1)} holds its own authorization but has none yet: run nimbus account add ${provider ?? '<provider>'} --profile <its profile file>`);
  }
  return new UserError(`there is no account "${name}": add it with nimbus account add ${provider ?? '<provider>'} --name ${name} (nimbus account list shows the accounts)`);
}
