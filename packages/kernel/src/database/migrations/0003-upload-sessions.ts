import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Chunked uploads in progress and their acknowledged parts, so that a killed run resumes them. */
export class UploadSessions1764170000003 implements MigrationInterface {
  name = 'UploadSessions1764170000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "upload_sessions" (
      "path" text PRIMARY KEY NOT NULL,
      "source" text NOT NULL,
      "state" text NOT NULL,
      "part_size" integer NOT NULL,
      "started_at" integer NOT NULL
    )`);
    await q.query(`CREATE TABLE "upload_parts" (
      "path" text NOT NULL,
      "number" integer NOT NULL,
      "size" integer NOT NULL,
      "digest" text,
      "token" text NOT NULL,
      PRIMARY KEY ("path", "number")
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "upload_parts"`);
    await q.query(`DROP TABLE "upload_sessions"`);
  }
}
