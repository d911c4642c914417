export {
  startFaultInjectionProxy,
  type AlwaysFailRule,
  type FaultInjectionProxy,
  type FaultInjectionProxyOptions,
  type InjectedFaultRecord,
  type SeenRequest,
} from './fault-injection-proxy.js';
export { FAULT_KINDS, FaultPlan, type FaultKind, type FaultRates, type RequestFacts } from './fault-plan.js';
export type { ErrorDialect } from './error-bodies.js';
