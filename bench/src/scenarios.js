// What is measured on each destination, in this order:
//   a-initial  (a) uploaded to an empty destination, every round to a fresh one
//   a-rerun    (a) again, nothing changed
//   d-rerun    (a) with 1% of the files changed (a different 1% each round)
//   c-initial  (c) uploaded to an empty destination
//   c-rerun    (c) again, nothing changed
//   b-upload   (b) the single big file to a fresh destination, and the raw upload beside it
import { bigFileDataset, changeShare, manyFilesDataset } from './datasets.js';
import { measureRounds } from './rounds.js';

const count = (n) => n.toLocaleString('en-US');
const size = (bytes) => (bytes >= 1024 ** 3 ? `${bytes / 1024 ** 3} GiB` : bytes >= 1024 ** 2 ? `${bytes / 1024 ** 2} MiB` : `${bytes / 1024} KiB`);

export async function runScenarios({ destination, groups, plan, datasetsDir, nimbus, rclone, raw, log, onResult = () => {} }) {
  const results = [];
  const pair = [nimbus, rclone];
  const record = async (id, title, rounds, options) => {
    log(`  ${destination.kind} ${id}: ${title}`);
    const result = { id, title, destination: destination.kind, tools: await measureRounds({ rounds, log, ...options }) };
    results.push(result);
    onResult(result);
  };

  if (groups.includes('a')) {
    // Regenerated if a previous (d) changed it: each destination starts from the original.
    const a = await manyFilesDataset(datasetsDir, 'a', plan.a);
    const aTitle = `${count(a.files)} × ${size(plan.a.fileSize)} in 256 folders`;
    await record('a-initial', `(a) initial upload, ${aTitle}`, plan.rounds, {
      tools: pair,
      runOne: (tool, round) => tool.run(a.root, destination, round === plan.rounds ? `a-${tool.name}` : `a-r${round}-${tool.name}`),
    });
    await record('a-rerun', `(a) unchanged rerun, ${aTitle}`, plan.rounds, {
      tools: pair,
      runOne: (tool) => tool.run(a.root, destination, `a-${tool.name}`),
    });
    if (groups.includes('d')) {
      await record('d-rerun', `(d) rerun of (a) with ${plan.changedShare * 100}% of the files changed`, plan.rounds, {
        tools: pair,
        beforeRound: (round) => changeShare(a, 'a', plan.a, plan.changedShare, round),
        runOne: (tool) => tool.run(a.root, destination, `a-${tool.name}`),
      });
    }
  }

  if (groups.includes('c')) {
    const c = await manyFilesDataset(datasetsDir, 'c', plan.c);
    const cTitle = `${count(c.files)} × ${size(plan.c.fileSize)} in 256 folders`;
    await record('c-initial', `(c) initial upload, ${cTitle}`, plan.cInitialRounds, {
      tools: pair,
      runOne: (tool, round) => tool.run(c.root, destination, round === plan.cInitialRounds ? `c-${tool.name}` : `c-r${round}-${tool.name}`),
    });
    await record('c-rerun', `(c) unchanged rerun, ${cTitle}`, plan.rounds, {
      tools: pair,
      runOne: (tool) => tool.run(c.root, destination, `c-${tool.name}`),
    });
  }

  if (groups.includes('b')) {
    const b = await bigFileDataset(datasetsDir, 'b', plan.b);
    await record('b-upload', `(b) one ${size(plan.b.fileSize)} file to an empty destination`, plan.rounds, {
      tools: [nimbus, rclone, raw],
      runOne: (tool, round) => (tool === raw ? raw.run(b.file, destination, `b-r${round}-raw`) : tool.run(b.root, destination, `b-r${round}-${tool.name}`)),
    });
  }
  return results;
}
