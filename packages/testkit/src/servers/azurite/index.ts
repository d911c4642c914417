export { ensureAzuriteServer, AZURITE_BLOB_ARGS } from './ensure-azurite-server.js';
export {
  AZURITE_ACCOUNT_KEY,
  AZURITE_ACCOUNT_NAME,
  AZURITE_BLOB_PORT,
  AZURITE_HOST,
  azuriteServerAt,
  type AzuriteServer,
} from './dev-account.js';
export { probeAzurite, type PortOccupant } from './health.js';
