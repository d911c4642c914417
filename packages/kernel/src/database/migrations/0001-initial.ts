import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The first schema. Later versions add migrations; never edit this one. */
export class Initial1764150000001 implements MigrationInterface {
  name = 'Initial1764150000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "files" (
      "path" text PRIMARY KEY NOT NULL,
      "dir" text NOT NULL,
      "size" integer NOT NULL,
      "mtime" integer NOT NULL,
      "sha256" text,
      "stored_size" integer NOT NULL,
      "compressed" boolean NOT NULL DEFAULT (0),
      "encrypted" boolean NOT NULL DEFAULT (0),
      "remote_mtime" integer,
      "remote_id" text,
      "version_id" text,
      "archive_status" text,
      "restore_requested_at" integer,
      "restore_expires_at" integer,
      "last_run" integer NOT NULL
    )`);
    await q.query(`CREATE INDEX "files_dir" ON "files" ("dir")`);
    await q.query(`CREATE TABLE "folders" (
      "path" text PRIMARY KEY NOT NULL,
      "parent" text NOT NULL,
      "created" boolean NOT NULL DEFAULT (0),
      "last_run" integer NOT NULL
    )`);
    await q.query(`CREATE INDEX "folders_parent" ON "folders" ("parent")`);
    await q.query(`CREATE TABLE "runs" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "mode" text NOT NULL,
      "started_at" integer NOT NULL,
      "finished_at" integer,
      "status" text NOT NULL,
      "files_uploaded" integer NOT NULL DEFAULT (0),
      "bytes_uploaded" integer NOT NULL DEFAULT (0),
      "files_deleted" integer NOT NULL DEFAULT (0),
      "files_failed" integer NOT NULL DEFAULT (0)
    )`);
    await q.query(`CREATE TABLE "meta" ("key" text PRIMARY KEY NOT NULL, "value" text NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "meta"`);
    await q.query(`DROP TABLE "runs"`);
    await q.query(`DROP TABLE "folders"`);
    await q.query(`DROP TABLE "files"`);
  }
}
