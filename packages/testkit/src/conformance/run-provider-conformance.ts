import type { StorageProvider } from '@nimbus/kernel';
import type { TestFn } from 'ava';
import type { ConformanceCase } from './conformance-case.js';
import { CONFORMANCE_CASES } from './cases/index.js';
import { declareAfterProbes } from './declaration-batch.js';

/** A connected provider whose root is empty, and how to dispose of it. */
export interface ConformanceTarget {
  readonly provider: StorageProvider;
  /** Remove whatever the test stored (temp folder, bucket prefix...). */
  cleanup(): Promise<void>;
}

export interface ConformanceOptions {
  /** Prefix of every test title, e.g. "s3" or "local (masked: noMtime)"; unique within a test file. */
  readonly name: string;
  /**
   * Connect a provider to an empty root. Called once per test, so tests never see each
   * other's objects (a cloud plugin can hand out a fresh prefix of one bucket each time),
   * plus once up front to read the capabilities that decide which cases apply.
   */
  setup(): Promise<ConformanceTarget>;
}

/**
 * Declare the provider conformance suite as AVA tests: the contract every provider plugin
 * must meet, as rclone's fstests do for its backends. Cases that need a capability the
 * provider does not declare are declared as skipped, with the reason in the title; they
 * never depend on which provider it is.
 *
 * Await it at the top of a test file, before declaring any other test (AVA accepts no
 * declarations once tests start). Several suites in one file go together:
 * `await Promise.all([runProviderConformance(test, a), runProviderConformance(test, b)])`.
 */
export async function runProviderConformance<Context>(test: TestFn<Context>, options: ConformanceOptions): Promise<void> {
  await declareAfterProbes(
    () => probeSkipReasons(options),
    (skipReasons) => {
      for (const c of CONFORMANCE_CASES) declareCase(test, options, c, skipReasons.get(c));
    },
  );
}

/** Connect once to learn, for each case, why it does not apply (if it does not). */
async function probeSkipReasons(options: ConformanceOptions): Promise<Map<ConformanceCase, string | undefined>> {
  const { provider, cleanup } = await options.setup();
  try {
    return new Map(CONFORMANCE_CASES.map((c) => [c, c.skipUnless?.(provider)]));
  } finally {
    await provider.close?.();
    await cleanup();
  }
}

function declareCase<Context>(test: TestFn<Context>, options: ConformanceOptions, c: ConformanceCase, skipReason: string | undefined): void {
  const title = `${options.name} › ${c.title}`;
  try {
    if (skipReason !== undefined) {
      test.skip(`${title} [skipped: ${skipReason}]`, () => undefined);
      return;
    }
    test(title, async (t) => {
      const { provider, cleanup } = await options.setup();
      t.teardown(async () => {
        await provider.close?.();
        await cleanup();
      });
      const nowSkipped = c.skipUnless?.(provider);
      if (nowSkipped !== undefined) {
        t.fail(`the provider's capabilities changed between connections (${nowSkipped})`);
        return;
      }
      await c.run(t, provider);
    });
  } catch (error) {
    throw new Error(
      `runProviderConformance("${options.name}") declared its tests after AVA had started running others. ` +
        'Await it before declaring any other test, and start several suites together with Promise.all.',
      { cause: error },
    );
  }
}
