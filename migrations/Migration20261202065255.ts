import { Migration } from '@mikro-orm/migrations';

/**
 * Imports in propose mode: bulk change requests (one per batch) whose members are ordinary change
 * requests with their row and business key, the system ids kept until approval creates their
 * records, and the job's count of proposed rows.
 */
export class Migration20261202065255 extends Migration {
  override name = 'Migration20261202065255';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "bulk_change_request" ("id" uuid not null, "domain" varchar(100) not null, "import_job_id" uuid null, "batch_number" int null, "row_count" int not null, "proposed_by" uuid null, "proposed_by_name" varchar(200) null, "system_code" varchar(100) null, "reason" text null, "contract_version" varchar(50) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "bulk_change_request_import_job_id_index" on "bulk_change_request" ("import_job_id");`,
    );
    this.addSql(
      `create index "bulk_change_request_domain" on "bulk_change_request" ("domain", "created_at", "id");`,
    );

    this.addSql(
      `create table "import_pending_link" ("id" bigserial primary key, "change_request_id" uuid not null, "job_id" uuid not null, "system_code" varchar(50) not null, "domain" varchar(100) not null, "external_id" varchar(300) not null, "external_key" varchar(300) null);`,
    );
    this.addSql(
      `create index "import_pending_link_change_request_id_index" on "import_pending_link" ("change_request_id");`,
    );

    this.addSql(
      `alter table "change_request" add "bulk_id" uuid null, add "source_row" int null, add "record_key" varchar(300) null;`,
    );
    this.addSql(`create index "change_request_bulk" on "change_request" ("bulk_id", "source_row", "id");`);
    this.addSql(`create index "change_request_key" on "change_request" ("domain", "record_key", "status");`);

    this.addSql(`alter table "import_job" add "rows_proposed" int not null default 0;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "bulk_change_request" cascade;`);
    this.addSql(`drop table if exists "import_pending_link" cascade;`);

    this.addSql(`drop index "change_request_bulk";`);
    this.addSql(`drop index "change_request_key";`);
    this.addSql(
      `alter table "change_request" drop column "bulk_id", drop column "source_row", drop column "record_key";`,
    );

    this.addSql(`alter table "import_job" drop column "rows_proposed";`);
  }
}
