export * from './run-provider-conformance.js';
export type { ConformanceCase } from './conformance-case.js';
export { CONFORMANCE_CASES } from './cases/index.js';
