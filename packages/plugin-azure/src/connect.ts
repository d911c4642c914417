import { UserError, type PluginContext } from '@nimbus/kernel/plugin';
import { AnonymousCredential, BlobServiceClient, ContainerClient, StorageSharedKeyCredential, type StoragePipelineOptions } from '@azure/storage-blob';
import { AzureProvider } from './azure-provider.js';
import { containerOf, prefixOf, type AzureConfig } from './config.js';
import { ROOT_CONTAINER } from './container-name.js';
import { errorCodeOf, toProviderError } from './provider-errors.js';
import { parseServiceUrl } from './service-url.js';

/**
 * No SDK retries: the kernel's retry (through the connection's pacer) is the one retry layer,
 * so a throttled account slows the whole run down instead of each request retrying on its own.
 */
const PIPELINE_OPTIONS: StoragePipelineOptions = {
  retryOptions: { maxTries: 1 },
  userAgentOptions: { userAgentPrefix: 'nimbus' },
};

/** A client for the configured container, authenticated the way the config says. */
export function containerClientFor(config: AzureConfig): ContainerClient {
  const container = containerOf(config);
  if (config.serviceUrl !== undefined && parseServiceUrl(config.serviceUrl).hasSas) {
    return new ContainerClient(config.serviceUrl, new AnonymousCredential(), PIPELINE_OPTIONS);
  }
  if (config.connectionString !== undefined) {
    try {
      return BlobServiceClient.fromConnectionString(config.connectionString, PIPELINE_OPTIONS).getContainerClient(container);
    } catch (error) {
      // The SDK's messages name the missing part, never the values.
      throw new UserError(`connectionString is not valid (${(error as Error).message}): copy it again from the portal's Access keys page`);
    }
  }
  const endpoint = config.serviceUrl ?? `https://${config.accountName}.blob.core.windows.net`;
  const credential = new StorageSharedKeyCredential(config.accountName!, config.accountKey!);
  return new BlobServiceClient(endpoint.replace(/\/+$/, ''), credential, PIPELINE_OPTIONS).getContainerClient(container);
}

/**
 * Connect and check the credentials with one cheap request (a one-entry listing, which a
 * container SAS allows too). A missing container is created, except in a dry run (then
 * the destination simply looks empty) or with a SAS, which cannot create containers.
 */
export async function connectAzure(config: AzureConfig, context: PluginContext): Promise<AzureProvider> {
  const client = containerClientFor(config);
  const prefix = prefixOf(config);
  const viaSas = config.serviceUrl !== undefined && parseServiceUrl(config.serviceUrl).hasSas;
  try {
    await client.listBlobsFlat({ prefix: prefix ? `${prefix}/` : undefined }).byPage({ maxPageSize: 1 }).next();
  } catch (error) {
    if (errorCodeOf(error) !== 'ContainerNotFound') throw toProviderError(error, { container: client.containerName });
    if (viaSas) throw new UserError(`container "${client.containerName}" does not exist, and a SAS cannot create it: create it in the portal or fix the SAS URL`);
    if (!context.dryRun) {
      try {
        await client.createIfNotExists();
        context.logger.info(`created container "${client.containerName}"${client.containerName === ROOT_CONTAINER ? ' (the account\'s root container)' : ''}`);
      } catch (createError) {
        throw toProviderError(createError, { container: client.containerName });
      }
    }
  }
  return new AzureProvider(client, {
    prefix,
    blockSize: config.blockSize,
    concurrency: config.concurrency,
    rehydratePriority: config.rehydratePriority,
    ...(config.accessTier ? { accessTier: config.accessTier } : {}),
  });
}
