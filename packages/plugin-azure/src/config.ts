import { normalizeRemotePath, z } from '@nimbus/kernel/plugin';
import { connectionStringProblem } from './connection-string.js';
import { ROOT_CONTAINER, validateContainerName } from './container-name.js';
import { parseServiceUrl, serviceUrlProblem } from './service-url.js';
import { ACCESS_TIERS, REHYDRATE_PRIORITIES } from './tiers.js';

const MiB = 1024 * 1024;
/** Azure's largest block (service version 2019-12-12 and later). */
export const MAX_BLOCK_SIZE = 4000 * MiB;
export const DEFAULT_BLOCK_SIZE = 8 * MiB;
export const DEFAULT_CONCURRENCY = 4;

/**
 * The `destination` block of a profile using the Azure plugin. Authenticate with ONE of:
 * `accountName` + `accountKey`; `connectionString`; or a SAS in `serviceUrl` (which must
 * then name the container, as a container SAS URL from the portal does).
 */
export const azureConfigSchema = z
  .strictObject({
    accountName: z.string().min(1).optional(),
    accountKey: z.string().min(1).optional(),
    connectionString: z.string().min(1).optional(),
    /** Default https://<accountName>.blob.core.windows.net; set for sovereign clouds, compatible services, the emulator, or a SAS URL. */
    serviceUrl: z.string().min(1).optional(),
    /** Container to back up into; `$root` is the account's root container. Optional when serviceUrl is a container SAS URL. */
    container: z.string().optional(),
    /** Folder inside the container everything goes below. */
    prefix: z.string().default(''),
    /** Tier of uploaded blobs; default: the account's default tier. */
    accessTier: z.enum(ACCESS_TIERS).optional(),
    /** Priority of rehydrations Nimbus requests from Archive. */
    rehydratePriority: z.enum(REHYDRATE_PRIORITIES).default('Standard'),
    /** Bytes per staged block for large files (grown automatically when a file needs more than 50,000 blocks). */
    blockSize: z.number().int().min(64 * 1024).max(MAX_BLOCK_SIZE).default(DEFAULT_BLOCK_SIZE),
    /** Blocks of one file uploaded at once; memory use is about blockSize × (concurrency + 1) per file. */
    concurrency: z.number().int().min(1).max(64).default(DEFAULT_CONCURRENCY),
  })
  .superRefine((config, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (config.serviceUrl !== undefined) {
      const urlProblem = serviceUrlProblem(config.serviceUrl);
      if (urlProblem) return problem('serviceUrl', urlProblem);
    }
    const sasUrl = config.serviceUrl !== undefined && parseServiceUrl(config.serviceUrl).hasSas;
    const modes = [config.accountKey !== undefined, config.connectionString !== undefined, sasUrl].filter(Boolean).length;
    if (modes === 0) {
      return problem('accountKey', 'no credentials: give accountName + accountKey, a connectionString, or a serviceUrl carrying a SAS (https://<account>.blob.core.windows.net/<container>?sv=...&sig=...)');
    }
    if (modes > 1) return problem('accountKey', 'give only one of accountKey, connectionString or a SAS in serviceUrl');
    if (config.accountKey !== undefined && config.accountName === undefined) return problem('accountName', 'accountKey needs accountName (the storage account)');
    if (config.connectionString !== undefined) {
      if (config.accountName !== undefined) return problem('accountName', 'a connectionString names the account itself: remove accountName');
      if (config.serviceUrl !== undefined) return problem('serviceUrl', 'a connectionString carries its own endpoint: remove serviceUrl (or put it in the string as BlobEndpoint=...)');
      const csProblem = connectionStringProblem(config.connectionString);
      if (csProblem) return problem('connectionString', csProblem);
    }
    let container = config.container;
    if (config.serviceUrl !== undefined) {
      const parsed = parseServiceUrl(config.serviceUrl);
      if (parsed.extraPath) return problem('serviceUrl', 'must end at the account (or, with a SAS, at the container): put folders in "prefix"');
      if (sasUrl) {
        if (parsed.container === undefined) {
          return problem('serviceUrl', 'a SAS URL must include the container (https://<account>.blob.core.windows.net/<container>?<sas>): generate a container SAS');
        }
        if (container !== undefined && container !== parsed.container) {
          return problem('container', `the SAS URL is for container "${parsed.container}", not "${container}": remove "container" or fix it`);
        }
        container = parsed.container;
      } else if (parsed.container !== undefined) {
        return problem('serviceUrl', 'without a SAS, serviceUrl names only the account endpoint: put the container in "container"');
      }
    }
    if (container === undefined || container === '') return problem('container', 'give the container to back up into, e.g. container: backups');
    const rule = validateContainerName(container);
    if (rule) return problem('container', `container name "${container}" ${rule}`);
    let prefix: string;
    try {
      prefix = normalizeRemotePath(config.prefix);
    } catch (error) {
      return problem('prefix', (error as Error).message);
    }
    if (container === ROOT_CONTAINER && prefix !== '') {
      return problem('prefix', 'blobs in the $root container cannot have "/" in their names, so $root takes no prefix: remove it or use another container');
    }
    return undefined;
  });

export type AzureConfig = z.infer<typeof azureConfigSchema>;

/** The container a valid config points at (from `container` or the SAS URL). */
export function containerOf(config: AzureConfig): string {
  if (config.container) return config.container;
  return parseServiceUrl(config.serviceUrl!).container!;
}

export function prefixOf(config: AzureConfig): string {
  return normalizeRemotePath(config.prefix);
}
