import type { StorageProvider } from '@nimbus/kernel';
import type { ExecutionContext } from 'ava';

/** One check of the provider contract. */
export interface ConformanceCase {
  readonly title: string;
  /**
   * Why this case does not apply to the provider, judged from its declared capabilities
   * and `supports()` only (never from its name); undefined when it applies.
   */
  readonly skipUnless?: (provider: StorageProvider) => string | undefined;
  /** Runs against a provider whose root is empty. */
  run(t: ExecutionContext<unknown>, provider: StorageProvider): Promise<void>;
}
