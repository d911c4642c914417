import pLimit, { type LimitFunction } from 'p-limit';

/**
 * Runs tasks with bounded concurrency while the planner keeps walking, and stops the
 * planner from racing ahead: `add` waits while too many tasks are queued, so memory
 * stays flat however many files the tree holds. Task errors are the task's business
 * (tasks record their own failures); a throw here is a bug and is rethrown by `drain`.
 */
export class WorkQueue {
  private readonly limit: LimitFunction;
  private readonly running = new Set<Promise<void>>();
  private firstError: unknown;

  constructor(concurrency: number, private readonly maxQueued = Math.max(64, concurrency * 16)) {
    this.limit = pLimit(concurrency);
  }

  async add(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.maxQueued) await Promise.race(this.running);
    const p: Promise<void> = this.limit(task)
      .catch((error) => {
        this.firstError ??= error;
      })
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Wait for every queued task. */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.all(this.running);
    if (this.firstError !== undefined) throw this.firstError;
  }
}
