import { describeError } from '../errors/nimbus-error.js';
import type { Logger } from '../log/logger.js';
import type { ProgressListener } from './progress.js';
import type { FileFailure } from './report-common.js';

/**
 * Record a per-file failure the way every engine reports it: one line in the report
 * (never a stack trace), one in the log, and a progress event; the run goes on.
 */
export function recordFailure(
  failures: FileFailure[],
  sinks: { readonly logger: Logger; readonly onProgress?: ProgressListener },
  path: string,
  operation: FileFailure['operation'],
  error: unknown,
): void {
  const message = describeError(error);
  failures.push({ path, operation, error: message });
  sinks.logger.error(`${operation} ${path}: ${message}`);
  sinks.onProgress?.({ type: 'failed', path, error: message });
}
