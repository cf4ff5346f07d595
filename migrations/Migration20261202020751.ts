import { Migration } from '@mikro-orm/migrations';

/** An import can be asked to stop after its batch in flight (cancelImport). */
export class Migration20261202020751 extends Migration {
  override name = 'Migration20261202020751';

  override up(): void | Promise<void> {
    this.addSql(`alter table "import_job" add "cancel_requested_at" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "import_job" drop column "cancel_requested_at";`);
  }
}
