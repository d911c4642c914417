/**
 * Runs tasks with bounded concurrency while the planner keeps walking, and stops the
 * planner from racing ahead: `add` waits while too many tasks are queued, so memory
 * stays flat however many files the tree holds. Task errors are the task's business
 * (tasks record their own failures); a throw here is a bug and is rethrown by `drain`.
 *
 * Counters and two waiter lists rather than p-limit plus Promise.race over the queued
 * tasks: that cost a few promises and listeners per queued task for every file added.
 */
export class WorkQueue {
  private readonly concurrency: number;
  private running = 0;
  /** Tasks added and not yet finished (running or waiting to start). */
  private queued = 0;
  private readonly waiting: (() => Promise<void>)[] = [];
  private waitingHead = 0;
  private roomWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private firstError: unknown;

  constructor(concurrency: number, private readonly maxQueued = Math.max(64, concurrency * 16)) {
    this.concurrency = Math.max(1, Math.floor(concurrency));
  }

  async add(task: () => Promise<void>): Promise<void> {
    while (this.queued >= this.maxQueued) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    this.queued++;
    if (this.running < this.concurrency) this.start(task);
    else this.waiting.push(task);
  }

  /** Wait for every queued task. */
  async drain(): Promise<void> {
    while (this.queued) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.firstError !== undefined) throw this.firstError;
  }

  private start(task: () => Promise<void>): void {
    this.running++;
    let done: Promise<void>;
    try {
      done = task();
    } catch (error) {
      done = Promise.reject(error);
    }
    done.then(
      () => this.finished(),
      (error: unknown) => {
        this.firstError ??= error;
        this.finished();
      },
    );
  }

  private finished(): void {
    this.running--;
    this.queued--;
    if (this.waitingHead < this.waiting.length) {
      const next = this.waiting[this.waitingHead]!;
      this.waiting[this.waitingHead++] = undefined as never;
      if (this.waitingHead === this.waiting.length) {
        this.waiting.length = 0;
        this.waitingHead = 0;
      } else if (this.waitingHead >= 1024 && this.waitingHead * 2 >= this.waiting.length) {
        // A queue that never empties (a slow destination, a planner always ahead) would
        // otherwise keep one spent slot per task ever queued.
        this.waiting.splice(0, this.waitingHead);
        this.waitingHead = 0;
      }
      this.start(next);
    }
    if (this.roomWaiters.length) {
      const waiters = this.roomWaiters;
      this.roomWaiters = [];
      for (const wake of waiters) wake();
    }
    if (this.queued === 0 && this.idleWaiters.length) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}
