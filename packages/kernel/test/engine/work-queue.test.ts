import test from 'ava';
import { WorkQueue } from '../../dist/engine/work-queue.js';

// The queue every engine runs its transfers through: bounded concurrency, a planner held
// back when too much is queued, and drain() waiting for everything and reporting a bug.

/** A task that can be finished from the test, recording when it started. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('no more than `concurrency` tasks run at once, and every task runs', async (t) => {
  const queue = new WorkQueue(3);
  let running = 0;
  let peak = 0;
  let finished = 0;
  for (let i = 0; i < 50; i++) {
    await queue.add(async () => {
      running++;
      peak = Math.max(peak, running);
      await tick();
      running--;
      finished++;
    });
  }
  await queue.drain();
  t.is(peak, 3);
  t.is(finished, 50);
});

test('add waits while maxQueued tasks are queued, and resumes when one finishes', async (t) => {
  const queue = new WorkQueue(1, 2);
  const gates = [gate(), gate()];
  const started: number[] = [];
  await queue.add(async () => {
    started.push(0);
    await gates[0]!.opened;
  });
  await queue.add(async () => {
    started.push(1);
    await gates[1]!.opened;
  });
  let thirdAdded = false;
  const third = queue.add(async () => void started.push(2)).then(() => (thirdAdded = true));
  await tick();
  t.false(thirdAdded, 'the planner is held back');
  t.deepEqual(started, [0]);
  gates[0]!.open();
  await third;
  t.true(thirdAdded);
  t.deepEqual(started, [0, 1], 'the next task started when the first finished');
  gates[1]!.open();
  await queue.drain();
  t.deepEqual(started, [0, 1, 2]);
});

test('drain waits for every task and rethrows the earliest unexpected error, after the others ran', async (t) => {
  const queue = new WorkQueue(2);
  let finished = 0;
  await queue.add(async () => {
    await tick();
    throw new Error('a later bug');
  });
  await queue.add(() => {
    throw new Error('thrown before any promise');
  });
  for (let i = 0; i < 5; i++) {
    await queue.add(async () => {
      await tick();
      finished++;
    });
  }
  await t.throwsAsync(queue.drain(), { message: 'thrown before any promise' });
  t.is(finished, 5);
});

test('drain on an empty queue resolves at once', async (t) => {
  await t.notThrowsAsync(new WorkQueue(4).drain());
});

test('a queue that never empties keeps no slot per task ever queued, and runs tasks in order', async (t) => {
  const queue = new WorkQueue(2, 64);
  const order: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    await queue.add(async () => {
      await tick();
      order.push(i);
    });
  }
  const waiting = (queue as unknown as { waiting: unknown[] }).waiting;
  t.true(waiting.length <= 4096, `the waiting list holds ${waiting.length} slots, not one per task`);
  await queue.drain();
  t.is(order.length, 20_000);
  // Two run at once, so neighbours may swap; none is started far out of order.
  t.true(order.every((n, k) => Math.abs(n - k) <= 2));
});
