import { ProviderError, UserError, isProviderError, type PluginContext, type StorageProvider } from '@nimbus/kernel/plugin';
import { swiftCapabilities } from './capabilities.js';
import type { OpenstackConfig } from './config.js';
import { validateContainerName } from './container-name.js';
import { AuthSession } from './identity/auth-session.js';
import { makeAuthenticator } from './identity/make-authenticator.js';
import { OpenstackProvider } from './openstack-provider.js';
import { RemoteRoot } from './remote-root.js';
import { SwiftClient } from './swift/swift-client.js';
import { readSwiftLimits } from './swift-info.js';

/** Authenticates, checks (or creates) the container and reads the cluster's limits. */
export async function connectOpenstack(config: OpenstackConfig, context: Pick<PluginContext, 'dryRun' | 'logger'>): Promise<StorageProvider> {
  const broken = validateContainerName(config.container);
  if (broken) throw new UserError(`openstack: container "${config.container}": ${broken}`);
  const segmentsContainer = config.segmentsContainer ?? `${config.container}_segments`;
  const brokenSegments = validateContainerName(segmentsContainer);
  if (brokenSegments) throw new UserError(`openstack: segmentsContainer "${segmentsContainer}": ${brokenSegments}; set a shorter segmentsContainer`);
  if (segmentsContainer === config.container) throw new UserError('openstack: segmentsContainer must differ from container, so listings never show segments');

  const session = new AuthSession(makeAuthenticator(config));
  const client = new SwiftClient(session);
  const { storageUrl } = await session.credentials();

  const head = await client.call({ method: 'HEAD', container: config.container, accept: [200, 204, 404], what: `open container "${config.container}"` });
  if (head.status === 404 && !context.dryRun) {
    if (!config.createContainer) throw new UserError(`openstack: container "${config.container}" does not exist; create it or set createContainer: true`);
    try {
      await client.call({ method: 'PUT', container: config.container, what: `create container "${config.container}"` });
    } catch (error) {
      if (isProviderError(error, 'permission')) throw new UserError(`openstack: this account may not create container "${config.container}"; create it first`);
      throw error;
    }
  }

  const limits = await readSwiftLimits(storageUrl);
  if (config.segmentSize > limits.maxFileSize) {
    throw new UserError(`openstack: segmentSize ${config.segmentSize} is above the cluster's object limit ${limits.maxFileSize}; lower it`);
  }
  if (config.segmentSize < limits.minSegmentSize) {
    throw new UserError(`openstack: segmentSize ${config.segmentSize} is below the cluster's minimum segment size ${limits.minSegmentSize}; raise it`);
  }
  return new OpenstackProvider(client, {
    root: new RemoteRoot(config.container, config.path),
    segmentsContainer,
    largeFileThreshold: config.largeFileThreshold,
    segmentSize: config.segmentSize,
    segmentConcurrency: config.segmentConcurrency,
    maxSegments: limits.maxManifestSegments,
    orphanGraceMs: config.orphanSegmentGraceMinutes * 60_000,
    capabilities: swiftCapabilities(config.largeFileThreshold, config.segmentSize, limits),
    logger: context.logger,
  });
}

export { ProviderError };
