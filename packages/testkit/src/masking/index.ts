export * from './capability-mask.js';
export * from './masks.js';
export * from './masked-provider.js';
export * from './case-insensitive-paths.js';
export * from './throttled-provider.js';
