/** Configuration of the Keystone test server and of the Swift proxy that accepts its tokens. */

export const KEYSTONE_PORT = 5000;
export const KEYSTONE_SWIFT_PORT = 8081;
export const KEYSTONE_REGION = 'RegionOne';
export const KEYSTONE_ADMIN = { user: 'admin', password: 'secret', project: 'admin', domain: 'Default' } as const;
/** A plain member of its own project: what a backup account looks like. */
export const KEYSTONE_USER = { user: 'nimbus', password: 'nimbus-pw', project: 'nimbus', domain: 'Default' } as const;

export function keystoneConf(dir: string): string {
  return `[DEFAULT]
log_dir = ${dir}/log
log_file = keystone.log
use_stderr = false

[database]
connection = sqlite:///${dir}/keystone.db

[token]
provider = fernet

[fernet_tokens]
key_repository = ${dir}/fernet-keys

[fernet_receipts]
key_repository = ${dir}/fernet-keys

[credential]
key_repository = ${dir}/credential-keys

[oslo_policy]
policy_dirs = ${dir}/policy.d
`;
}

/**
 * A second proxy over the Swift test server's rings and back ends that authenticates with
 * Keystone (authtoken + keystoneauth) instead of tempauth; accounts are AUTH_<project id>.
 */
export function keystoneProxyConf(swiftEtcDir: string, runUser: string): string {
  const keystone = `http://127.0.0.1:${KEYSTONE_PORT}`;
  const plain = ['catch_errors', 'gatekeeper', 'healthcheck', 'listing_formats', 'bulk', 'copy', 'slo', 'dlo'];
  return `[DEFAULT]
swift_dir = ${swiftEtcDir}
bind_ip = 127.0.0.1
bind_port = ${KEYSTONE_SWIFT_PORT}
workers = 0
user = ${runUser}
log_level = WARNING

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk authtoken keystoneauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
www_authenticate_uri = ${keystone}
auth_url = ${keystone}
auth_type = password
project_domain_name = ${KEYSTONE_ADMIN.domain}
user_domain_name = ${KEYSTONE_ADMIN.domain}
project_name = ${KEYSTONE_ADMIN.project}
username = ${KEYSTONE_ADMIN.user}
password = ${KEYSTONE_ADMIN.password}
delay_auth_decision = False
memcached_servers = 127.0.0.1:11211
service_token_roles_required = false

[filter:keystoneauth]
use = egg:swift#keystoneauth
operator_roles = admin, member

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:11211

${plain.map((name) => `[filter:${name}]\nuse = egg:swift#${name}\n`).join('\n')}`;
}
