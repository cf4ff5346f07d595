import { Migration } from '@mikro-orm/migrations';

/** Import reports keep warnings beside refusals (severity), and jobs count the rows that had some. */
export class Migration20261202080946 extends Migration {
  override name = 'Migration20261202080946';

  override up(): void | Promise<void> {
    this.addSql(`alter table "import_job" add "rows_warned" int not null default 0;`);

    this.addSql(`alter table "import_report_row" add "severity" varchar(10) not null default 'ERROR';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "import_job" drop column "rows_warned";`);

    this.addSql(`alter table "import_report_row" drop column "severity";`);
  }
}
