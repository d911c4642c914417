import { containerOf, prefixOf, type AzureConfig } from './config.js';
import { endpointOfConnectionString } from './connection-string.js';
import { parseServiceUrl } from './service-url.js';

/**
 * `<endpoint>/<container>[/<prefix>]`, with no key, connection string or SAS in it: the
 * same place reached by another credential gives the same name.
 */
export function describeAzureLocation(config: AzureConfig): string {
  const endpoint =
    config.serviceUrl !== undefined
      ? parseServiceUrl(config.serviceUrl).endpoint
      : config.connectionString !== undefined
        ? (endpointOfConnectionString(config.connectionString) ?? 'connection-string')
        : `https://${config.accountName}.blob.core.windows.net`;
  const prefix = prefixOf(config);
  return `${endpoint}/${containerOf(config)}${prefix ? `/${prefix}` : ''}`;
}
