export * from './memory-provider.js';
