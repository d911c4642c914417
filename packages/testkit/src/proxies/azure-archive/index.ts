export {
  startAzureArchiveProxy,
  type AzureArchiveProxy,
  type AzureArchiveProxyOptions,
  type TierRequest,
  type InjectedFault,
  type RehydrationOutcome,
} from './azure-archive-proxy.js';
export type { PendingCopy, PendingRehydration } from './list-xml.js';
export { sharedKeyAuthorization } from './shared-key.js';
export type { AccountAccess } from './azurite-admin.js';
