import { Migration } from '@mikro-orm/migrations';

/** Which process runs an import and when it last showed it is alive (interrupted imports are found). */
export class Migration20261202072900 extends Migration {
  override name = 'Migration20261202072900';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "import_job" add "runner" varchar(200) null, add "heartbeat_at" timestamptz null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "import_job" drop column "runner", drop column "heartbeat_at";`);
  }
}
