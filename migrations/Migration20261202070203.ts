import { Migration } from '@mikro-orm/migrations';

/**
 * Rule severities per domain (a relaxed rule lets a payload in as a warning) and the warnings kept
 * with each revision and its current row, with a partial index for the stewards' work list.
 */
export class Migration20261202070203 extends Migration {
  override name = 'Migration20261202070203';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "rule_severity" ("domain" varchar(100) not null, "rule" varchar(100) not null, "severity" varchar(10) not null, "updated_at" timestamptz not null, "updated_by" uuid null, primary key ("domain", "rule"));`,
    );

    this.addSql(`alter table "record_current" add "findings" jsonb null;`);
    this.addSql(
      `create index "record_current_findings" on "record_current" ("domain", "key", "key_scope", "record_id") where "findings" is not null;`,
    );

    this.addSql(`alter table "record_revision" add "findings" jsonb null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "rule_severity" cascade;`);

    this.addSql(`drop index "record_current_findings";`);
    this.addSql(`alter table "record_current" drop column "findings";`);

    this.addSql(`alter table "record_revision" drop column "findings";`);
  }
}
