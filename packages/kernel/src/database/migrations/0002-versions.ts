import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Versions kept in the `$SBV$` folder, and when each file's current copy was stored. */
export class Versions1764160000002 implements MigrationInterface {
  name = 'Versions1764160000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "files" ADD COLUMN "stored_at" integer`);
    await q.query(`CREATE TABLE "versions" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "path" text NOT NULL,
      "location" text NOT NULL,
      "stored_at" integer NOT NULL,
      "superseded_at" integer NOT NULL,
      "size" integer NOT NULL,
      "mtime" integer NOT NULL,
      "sha256" text,
      "stored_size" integer NOT NULL,
      "compressed" boolean NOT NULL DEFAULT (0),
      "encrypted" boolean NOT NULL DEFAULT (0)
    )`);
    await q.query(`CREATE INDEX "versions_path" ON "versions" ("path")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "versions"`);
    await q.query(`ALTER TABLE "files" DROP COLUMN "stored_at"`);
  }
}
