import { silentLogger, type StorageProvider } from '@nimbus/kernel';
import { ensureSwiftServer, type SwiftServer } from '@nimbus/testkit';
import { randomUUID } from 'node:crypto';
import { openstackConfigSchema, type OpenstackConfig } from '../config.js';
import { connectOpenstack } from '../connect.js';
import { AuthSession } from '../identity/auth-session.js';
import { AuthV1 } from '../identity/auth-v1.js';
import { LargeObjects } from '../large-objects.js';
import type { OpenstackProvider } from '../openstack-provider.js';
import { SwiftClient } from '../swift/swift-client.js';

/** Test support: providers on the real Swift test server, each below a fresh folder. */
export async function swiftTarget(overrides: Partial<OpenstackConfig> = {}, server?: SwiftServer) {
  const swift = server ?? (await ensureSwiftServer());
  const config = openstackConfigSchema.parse({
    authUrl: swift.authUrl,
    user: swift.user,
    key: swift.key,
    container: 'nimbus-openstack-tests',
    path: `t-${randomUUID()}`,
    ...overrides,
  });
  const provider = (await connectOpenstack(config, { dryRun: false, logger: silentLogger })) as OpenstackProvider;
  return { provider, config, swift, cleanup: () => removeFolder(swift, config) };
}

/** An auth v1 client of the test account, for looking behind the provider's back. */
export function adminClient(swift: SwiftServer): SwiftClient {
  return new SwiftClient(new AuthSession(new AuthV1(swift.authUrl, swift.user, swift.key)));
}

/** All object names below `prefix` in a container. */
export async function objectNames(client: SwiftClient, container: string, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await client.listPage(container, { prefix, limit: 10_000, ...(marker ? { marker } : {}) }, 'test listing');
    if (!page?.length) return names;
    names.push(...page.map((e) => e.name!));
    marker = page.at(-1)!.name;
  }
}

/** Deletes the test folder in the container and in the segments container. */
export async function removeFolder(swift: SwiftServer, config: OpenstackConfig): Promise<void> {
  const client = adminClient(swift);
  const prefix = `${config.path}/`;
  const segments = config.segmentsContainer ?? `${config.container}_segments`;
  const paths = [
    ...(await objectNames(client, config.container, prefix)).map((n) => `/${config.container}/${n}`),
    ...(await objectNames(client, segments, prefix)).map((n) => `/${segments}/${n}`),
  ];
  if (paths.length) await new LargeObjects(client).deleteAll(paths);
}

export type { StorageProvider };
