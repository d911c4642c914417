// Runs in a worker thread: creates or migrates one database file with TypeORM, then exits,
// taking TypeORM's modules and heap with it (the run itself never holds them).
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { migrateWithTypeOrm } from './schema.js';

const { file } = workerData as { file: string };
try {
  const connection = await migrateWithTypeOrm(file);
  await connection.close();
  parentPort!.postMessage({ ok: true });
} catch (error) {
  parentPort!.postMessage({ ok: false, message: (error as Error).message, code: (error as NodeJS.ErrnoException).code });
}
