import { definePlugin } from '@nimbus/kernel/plugin';
import { OPENSTACK_CAPABILITIES } from './capabilities.js';
import { SECRET_FIELDS, openstackConfigSchema, type OpenstackConfig } from './config.js';
import { connectOpenstack } from './connect.js';
import { PRESETS } from './presets.js';

export { OPENSTACK_CAPABILITIES, swiftCapabilities } from './capabilities.js';
export { openstackConfigSchema, type OpenstackConfig } from './config.js';
export { validateContainerName } from './container-name.js';
export { connectOpenstack } from './connect.js';
export { OpenstackProvider } from './openstack-provider.js';
export { PRESETS, type PresetName } from './presets.js';
export { SEGMENT_NAME } from './large-objects.js';

/** `openstack:<container>[/<folder>]`; auth settings from the usual OS_* / ST_* environment variables. */
function parseTarget(target: string): Record<string, unknown> {
  const [container, ...rest] = target.replace(/^\/+/, '').split('/');
  const env = process.env;
  const version = env.OS_IDENTITY_API_VERSION ?? env.ST_AUTH_VERSION;
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const settings: Record<string, unknown> = {
    container,
    path: rest.join('/'),
    authUrl: pick('OS_AUTH_URL', 'ST_AUTH'),
    user: pick('OS_USERNAME', 'ST_USER'),
    key: pick('OS_PASSWORD', 'ST_KEY'),
    tenant: pick('OS_PROJECT_NAME', 'OS_TENANT_NAME'),
    tenantId: pick('OS_PROJECT_ID', 'OS_TENANT_ID'),
    domain: pick('OS_USER_DOMAIN_NAME'),
    projectDomain: pick('OS_PROJECT_DOMAIN_NAME'),
    region: pick('OS_REGION_NAME'),
    applicationCredentialId: pick('OS_APPLICATION_CREDENTIAL_ID'),
    applicationCredentialSecret: pick('OS_APPLICATION_CREDENTIAL_SECRET'),
    ...(version ? { authVersion: Number(version.split('.')[0]) } : {}),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}

/** OpenStack Swift object storage (and Swift-based services: Rackspace Cloud Files, OVHcloud). */
export default definePlugin<OpenstackConfig>({
  id: 'openstack',
  displayName: 'OpenStack Swift',
  description: 'OpenStack Swift object storage (Identity v1/v2/v3; Rackspace, OVH presets), large files as segments',
  kernelApi: '^1.0.0',
  configSchema: openstackConfigSchema,
  secretFields: SECRET_FIELDS,
  capabilities: OPENSTACK_CAPABILITIES,
  parseTarget,
  describeLocation: (config) => {
    const authUrl = config.authUrl ?? (config.preset ? PRESETS[config.preset].authUrl : '');
    const host = authUrl ? new URL(authUrl).host : '?';
    const who = config.user ?? config.userId ?? config.applicationCredentialId ?? config.applicationCredentialName ?? '';
    const scope = config.tenantId ?? config.tenant;
    const region = config.region ?? (config.preset ? PRESETS[config.preset].region : undefined);
    return `swift://${who ? `${who}@` : ''}${host}${scope ? `/${scope}` : ''}${region ? `@${region}` : ''}/${config.container}${config.path ? `/${config.path.replace(/^\/+|\/+$/g, '')}` : ''}`;
  },
  connect: (config, context) => connectOpenstack(config, context),
});
