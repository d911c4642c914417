/**
 * AVA starts running a file's tests on the tick after the first declaration and refuses
 * declarations after that. Suites probe their provider asynchronously before declaring, so
 * every suite started in the same tick waits for the others' probes and all declare in one
 * synchronous batch: `await Promise.all([runProviderConformance(...), ...])` just works.
 */
let probing = 0;
let queued: Array<() => void> = [];

export async function declareAfterProbes<T>(probe: () => Promise<T>, declare: (probed: T) => void): Promise<void> {
  probing++;
  let probed: T;
  try {
    probed = await probe();
  } catch (error) {
    probing--;
    flushIfLast();
    throw error;
  }
  probing--;
  queued.push(() => declare(probed));
  flushIfLast();
}

function flushIfLast(): void {
  if (probing > 0) return;
  const batch = queued;
  queued = [];
  for (const declare of batch) declare();
}
