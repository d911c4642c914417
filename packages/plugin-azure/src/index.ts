import { definePlugin } from '@nimbus/kernel/plugin';
import { AZURE_CAPABILITIES } from './capabilities.js';
import { azureConfigSchema, type AzureConfig } from './config.js';
import { connectAzure } from './connect.js';
import { describeAzureLocation } from './describe-location.js';

export { AZURE_CAPABILITIES, capabilitiesFor } from './capabilities.js';
export { azureConfigSchema, type AzureConfig } from './config.js';
export { AzureProvider } from './azure-provider.js';
export { connectAzure, containerClientFor } from './connect.js';
export { validateContainerName, ROOT_CONTAINER } from './container-name.js';
export { toAzureName, fromAzureName, toAzureValue, fromAzureValue } from './metadata-names.js';
export { describeAzureLocation } from './describe-location.js';

/** Azure Blob Storage: access tiers, Archive rehydration, `$root`, SAS. */
export default definePlugin<AzureConfig>({
  id: 'azure',
  displayName: 'Azure Blob Storage',
  description: 'Microsoft Azure Blob Storage (or a service speaking its Blob API, such as Azurite): tiers Hot/Cool/Cold/Archive',
  kernelApi: '^1.0.0',
  configSchema: azureConfigSchema,
  secretFields: ['accountKey', 'connectionString', 'serviceUrl'],
  capabilities: AZURE_CAPABILITIES,
  // `azure:<container>[/<prefix>]`; credentials come from the environment like the Azure CLI's.
  parseTarget: (target) => {
    const [container = '', ...rest] = target.split('/');
    return {
      container,
      ...(rest.length ? { prefix: rest.join('/') } : {}),
      ...(process.env['AZURE_STORAGE_CONNECTION_STRING'] ? { connectionString: process.env['AZURE_STORAGE_CONNECTION_STRING'] } : {}),
      ...(process.env['AZURE_STORAGE_ACCOUNT'] ? { accountName: process.env['AZURE_STORAGE_ACCOUNT'] } : {}),
      ...(process.env['AZURE_STORAGE_KEY'] ? { accountKey: process.env['AZURE_STORAGE_KEY'] } : {}),
    };
  },
  describeLocation: (config) => describeAzureLocation(config),
  connect: (config, context) => connectAzure(config, context),
});
