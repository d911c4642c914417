export * from './b2-fake.js';
export { B2Store, bucketNameProblem, MAX_BUCKETS_PER_ACCOUNT, sha1Hex, type B2Bucket, type LargeFile, type StoredVersion } from './b2-store.js';
export type { B2FileJson } from './b2-wire.js';
export { ALL_CAPABILITIES, type KeyRestriction } from './b2-key.js';
