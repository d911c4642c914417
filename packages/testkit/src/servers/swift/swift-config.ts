/**
 * Configuration files of the all-in-one Swift test server (one node, one replica), following
 * the recipe verified in ../shared/notes/storage-servers.md. Everything lives below one folder;
 * nothing under /etc is needed.
 */

export const SWIFT_HOST = '127.0.0.1';
export const SWIFT_PROXY_PORT = 8080;
export const MEMCACHED_PORT = 11211;

/** Back-end servers: name → port. */
export const SWIFT_BACKENDS = { account: 6212, container: 6211, object: 6210 } as const;
export type SwiftBackend = keyof typeof SWIFT_BACKENDS;

export const TEMPAUTH_ACCOUNT = 'test';
export const TEMPAUTH_USER = 'tester';
export const TEMPAUTH_KEY = 'testing';
/** A second user with its own tokens, for tests that revoke tokens without disturbing others. */
export const TEMPAUTH_SPARE = { account: 'nimbus', user: 'spare', key: 'spare-key' } as const;

export interface SwiftLayout {
  readonly etcDir: string;
  readonly devicesDir: string;
  readonly runUser: string;
}

export function swiftConf(): string {
  return `[swift-hash]
swift_hash_path_suffix = nimbus-test-suffix
swift_hash_path_prefix = nimbus-test-prefix

[storage-policy:0]
name = gold
default = yes

[swift-constraints]
max_file_size = 5368709122
`;
}

export function backendConf(kind: SwiftBackend, layout: SwiftLayout): string {
  const extra = kind === 'container' ? 'allow_versions = true\n' : '';
  return `[DEFAULT]
swift_dir = ${layout.etcDir}
devices = ${layout.devicesDir}
mount_check = false
disable_fallocate = true
bind_ip = ${SWIFT_HOST}
bind_port = ${SWIFT_BACKENDS[kind]}
workers = 0
user = ${layout.runUser}
log_level = WARNING

[pipeline:main]
pipeline = ${kind}-server

[app:${kind}-server]
use = egg:swift#${kind}
${extra}`;
}

const PROXY_FILTERS = [
  'catch_errors', 'gatekeeper', 'healthcheck', 'proxy-logging', 'cache', 'listing_formats', 'bulk', 'tempurl',
  's3api', 'tempauth', 'copy', 'slo', 'dlo', 'versioned_writes', 'symlink',
] as const;

export function proxyConf(layout: SwiftLayout): string {
  const filters = PROXY_FILTERS.map((name) => {
    switch (name) {
      case 'tempauth':
        return `[filter:tempauth]\nuse = egg:swift#tempauth\nuser_${TEMPAUTH_ACCOUNT}_${TEMPAUTH_USER} = ${TEMPAUTH_KEY} .admin\n` +
          `user_${TEMPAUTH_SPARE.account}_${TEMPAUTH_SPARE.user} = ${TEMPAUTH_SPARE.key} .admin\n`;
      case 's3api':
        return `[filter:s3api]\nuse = egg:swift#s3api\nlocation = us-east-1\ndns_compliant_bucket_names = true\nallow_multipart_uploads = true\nmin_segment_size = 5242880\n`;
      case 'cache':
        return `[filter:cache]\nuse = egg:swift#memcache\nmemcache_servers = ${SWIFT_HOST}:${MEMCACHED_PORT}\n`;
      case 'versioned_writes':
        return `[filter:versioned_writes]\nuse = egg:swift#versioned_writes\nallow_versioned_writes = true\nallow_object_versioning = true\n`;
      default:
        // Section names use dashes, egg entry points underscores (proxy-logging → proxy_logging).
        return `[filter:${name}]\nuse = egg:swift#${name.replace(/-/g, '_')}\n`;
    }
  }).join('\n');
  return `[DEFAULT]
swift_dir = ${layout.etcDir}
bind_ip = ${SWIFT_HOST}
bind_port = ${SWIFT_PROXY_PORT}
workers = 0
user = ${layout.runUser}
log_level = WARNING

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl s3api tempauth copy slo dlo versioned_writes symlink proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true

${filters}`;
}
