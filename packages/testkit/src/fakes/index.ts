export * from './memory-provider.js';
export * from './archive-simulator.js';
