// The three destinations both tools write to: Swift's S3 API, Swift's native API (both on
// the testkit's all-in-one Swift) and a plain local folder. Every measured run gets its own
// bucket / container / folder, named "nbench-<run>-<id>".
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { deleteSwiftContainers } from './swift-cleanup.js';

export const NAME_PREFIX = 'nbench-';

function s3Destination(server, runId) {
  const bucket = (id) => `${NAME_PREFIX}${runId}-s3-${id}`;
  return {
    kind: 's3',
    label: 'Swift S3 API',
    nimbusDestination: (id) => ({
      provider: 's3',
      bucket: bucket(id),
      endpoint: server.s3Endpoint,
      useHttps: false,
      accessKeyId: server.s3AccessKeyId,
      secretAccessKey: server.s3SecretAccessKey,
      region: server.region,
      s3Compatible: true,
      createBucket: true,
    }),
    rcloneTarget: (id) => `bs3:${bucket(id)}`,
    rawTarget: (id) => ({ bucket: bucket(id) }),
    cleanup: () => deleteSwiftContainers(server, `${NAME_PREFIX}${runId}-s3-`),
  };
}

function swiftDestination(server, runId) {
  const container = (id) => `${NAME_PREFIX}${runId}-sw-${id}`;
  return {
    kind: 'swift',
    label: 'Swift native API',
    nimbusDestination: (id) => ({ provider: 'openstack', authUrl: server.authUrl, user: server.user, key: server.key, container: container(id) }),
    rcloneTarget: (id) => `bswift:${container(id)}`,
    // The server's limit is measured through its S3 API (same proxy, same disks).
    rawTarget: (id) => ({ bucket: container(`${id}-s3`) }),
    cleanup: () => deleteSwiftContainers(server, `${NAME_PREFIX}${runId}-sw-`),
  };
}

function localDestination(workDir, runId) {
  const root = join(workDir, 'destinations', runId);
  const folder = (id) => join(root, id);
  return {
    kind: 'local',
    label: 'local folder',
    nimbusDestination: (id) => ({ provider: 'local', path: folder(id) }),
    rcloneTarget: folder,
    rawTarget: (id) => ({ folder: folder(id) }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export function createDestination(kind, { server, workDir, runId }) {
  if (kind === 's3') return s3Destination(server, runId);
  if (kind === 'swift') return swiftDestination(server, runId);
  return localDestination(workDir, runId);
}
