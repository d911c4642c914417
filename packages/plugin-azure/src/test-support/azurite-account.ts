import { silentLogger, type PluginContext } from '@nimbus/kernel';
import { ensureAzuriteServer, type AzuriteServer } from '@nimbus/testkit';
import { BlobServiceClient, ContainerClient, ContainerSASPermissions, StorageSharedKeyCredential, generateBlobSASQueryParameters } from '@azure/storage-blob';
import { randomBytes } from 'node:crypto';
import { azureConfigSchema, type AzureConfig } from '../config.js';
import { connectAzure } from '../connect.js';
import type { AzureProvider } from '../azure-provider.js';

/** Test plumbing: the Azurite dev account, reached directly with the SDK (not through Nimbus). */
export interface TestAccount {
  readonly server: AzuriteServer;
  readonly credential: StorageSharedKeyCredential;
  readonly service: BlobServiceClient;
}

let account: Promise<TestAccount> | undefined;

export function testAccount(): Promise<TestAccount> {
  account ??= ensureAzuriteServer().then((server) => {
    const credential = new StorageSharedKeyCredential(server.accountName, server.accountKey);
    return { server, credential, service: new BlobServiceClient(server.blobEndpoint, credential) };
  });
  return account;
}

/** A new container with a unique name, removed (with everything in it) by the returned cleanup. */
export async function freshContainer(label: string): Promise<{ name: string; client: ContainerClient; cleanup: () => Promise<void> }> {
  const { service } = await testAccount();
  const name = `${label}-${randomBytes(5).toString('hex')}`;
  const client = service.getContainerClient(name);
  await client.create();
  return { name, client, cleanup: async () => void (await client.deleteIfExists()) };
}

export const TEST_CONTEXT: PluginContext = { logger: silentLogger, stateDir: '/nonexistent', baseDir: process.cwd(), dryRun: false };

/** A validated config for the Azurite dev account (key auth) plus `overrides`. */
export async function keyConfig(overrides: Record<string, unknown>): Promise<AzureConfig> {
  const { server } = await testAccount();
  return azureConfigSchema.parse({ accountName: server.accountName, accountKey: server.accountKey, serviceUrl: server.blobEndpoint, ...overrides });
}

export async function connectWith(overrides: Record<string, unknown>, context: PluginContext = TEST_CONTEXT): Promise<AzureProvider> {
  return connectAzure(await keyConfig(overrides), context);
}

/** A container SAS URL (read, add, create, write, delete, list) signed with the dev account key. */
export async function containerSasUrl(container: string, endpoint?: string, permissions = 'racwdl'): Promise<string> {
  const { server, credential } = await testAccount();
  const sas = generateBlobSASQueryParameters(
    { containerName: container, permissions: ContainerSASPermissions.parse(permissions), expiresOn: new Date(Date.now() + 3600_000) },
    credential,
  ).toString();
  return `${endpoint ?? server.blobEndpoint}/${container}?${sas}`;
}

/** Remove every blob below `prefix/` (how conformance tests share one container). */
export async function deletePrefix(client: ContainerClient, prefix: string): Promise<void> {
  const names: string[] = [];
  for await (const blob of client.listBlobsFlat({ prefix: `${prefix}/` })) names.push(blob.name);
  await Promise.all(names.map((name) => client.deleteBlob(name, { deleteSnapshots: 'include' })));
}
