export {
  startAzureArchiveProxy,
  type AzureArchiveProxy,
  type AzureArchiveProxyOptions,
  type TierRequest,
  type InjectedFault,
} from './azure-archive-proxy.js';
export type { PendingRehydration } from './list-xml.js';
export { sharedKeyAuthorization } from './shared-key.js';
export type { AccountAccess } from './azurite-admin.js';
