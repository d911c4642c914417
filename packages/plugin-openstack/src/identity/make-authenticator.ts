import { UserError } from '@nimbus/kernel/plugin';
import type { OpenstackConfig } from '../config.js';
import { PRESETS, type Preset } from '../presets.js';
import { AuthV1 } from './auth-v1.js';
import { AuthV2 } from './auth-v2.js';
import { AuthV3 } from './auth-v3.js';
import type { Authenticator } from './credentials.js';

/** The auth version a config asks for: explicit, the V3 switch, the preset, or the auth URL's shape. */
export function authVersionOf(config: OpenstackConfig, authUrl: string): 1 | 2 | 3 {
  if (config.authVersion) return config.authVersion;
  if (config.useIdentityV3) return 3;
  if (config.preset) return PRESETS[config.preset].authVersion;
  if (/\/v1(\.0)?\/?$/.test(authUrl) || /\/auth\/v1/.test(authUrl)) return 1;
  if (/\/v3(\/|$)/.test(authUrl)) return 3;
  return 2;
}

/** The Authenticator for a config, or a one-line UserError naming the missing setting. */
export function makeAuthenticator(config: OpenstackConfig): Authenticator {
  const preset: Preset | undefined = config.preset ? PRESETS[config.preset] : undefined;
  const authUrl = config.authUrl ?? preset?.authUrl;
  if (!authUrl) throw new UserError('openstack: set authUrl (the Identity/auth URL of your OpenStack service) or a preset');
  const version = authVersionOf(config, authUrl);
  const region = config.region ?? preset?.region;
  const common = { authUrl, interface: config.interface, ...(region ? { region } : {}), ...(config.storageUrl ? { storageUrlOverride: config.storageUrl } : {}) };

  if (version === 1) {
    if (!config.user || !config.key) throw new UserError('openstack: auth v1 needs user (account:user) and key');
    return new AuthV1(authUrl, config.user, config.key, config.storageUrl);
  }
  if (version === 2) {
    if (!config.user || !config.key) throw new UserError('openstack: Identity v2 needs user and key (the password)');
    return new AuthV2({ ...common, user: config.user, password: config.key, ...(config.tenant ? { tenantName: config.tenant } : {}), ...(config.tenantId ? { tenantId: config.tenantId } : {}) });
  }
  if (config.applicationCredentialSecret !== undefined) {
    if (!config.applicationCredentialId && !(config.applicationCredentialName && (config.user || config.userId))) {
      throw new UserError('openstack: application credentials need applicationCredentialId, or applicationCredentialName with user');
    }
  } else if (!(config.user || config.userId) || !config.key) {
    throw new UserError('openstack: Identity v3 needs user and key (the password), or applicationCredentialId and applicationCredentialSecret');
  }
  const userDomain = config.domain ?? preset?.userDomain;
  return new AuthV3({
    ...common,
    ...(config.user ? { user: config.user } : {}),
    ...(config.userId ? { userId: config.userId } : {}),
    ...(config.key ? { password: config.key } : {}),
    ...(userDomain ? { userDomain } : {}),
    ...(config.tenant ? { project: config.tenant } : {}),
    ...(config.tenantId ? { projectId: config.tenantId } : {}),
    ...(config.projectDomain ? { projectDomain: config.projectDomain } : {}),
    ...(config.applicationCredentialId ? { applicationCredentialId: config.applicationCredentialId } : {}),
    ...(config.applicationCredentialName ? { applicationCredentialName: config.applicationCredentialName } : {}),
    ...(config.applicationCredentialSecret ? { applicationCredentialSecret: config.applicationCredentialSecret } : {}),
  });
}
