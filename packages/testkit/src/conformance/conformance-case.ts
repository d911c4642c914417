import { unsupportedReason, type OptionalOperation, type StorageProvider } from '@nimbus/kernel';
import type { ExecutionContext } from 'ava';

/** One check of the provider contract. */
export interface ConformanceCase {
  readonly title: string;
  /**
   * Why this case does not apply to the provider, judged from its declared capabilities
   * and the kernel's operation → capability table only (never from its name); undefined when it applies.
   */
  readonly skipUnless?: (provider: StorageProvider) => string | undefined;
  /** Runs against a provider whose root is empty. */
  run(t: ExecutionContext<unknown>, provider: StorageProvider): Promise<void>;
}

/**
 * A skip rule for a case that uses optional operations: the reason the kernel's own table
 * (OPERATION_GATES, the one `supports()` reads) gives for the first one the provider cannot do.
 */
export function needsOperations(...operations: OptionalOperation[]): (provider: StorageProvider) => string | undefined {
  return (provider) => {
    for (const op of operations) {
      const reason = unsupportedReason(provider, op);
      if (reason !== undefined) return reason;
    }
    return undefined;
  };
}
