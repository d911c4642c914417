import type { FaultRates } from '@nimbus/testkit';

/** 5% errors (500, 503, 429 with Retry-After) and 1% resets, plus some truncated and delayed answers. */
export const FAULT_RATES: FaultRates = {
  'error-500': 0.02,
  'error-503': 0.015,
  'throttle-429': 0.015,
  'reset-request': 0.005,
  'reset-response': 0.005,
  'truncate-response': 0.005,
  delay: 0.01,
};
