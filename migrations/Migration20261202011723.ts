import { Migration } from '@mikro-orm/migrations';

/**
 * Bulk imports: their jobs and per-row reports; revisions written by an import name it. The current
 * rows follow their record (the foreign key as the entity declares it).
 */
export class Migration20261202011723 extends Migration {
  override name = 'Migration20261202011723';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "import_job" ("id" uuid not null, "domain" varchar(100) not null, "system_code" varchar(50) null, "mode" text not null, "status" text not null default 'RUNNING', "source" varchar(500) not null, "format" varchar(10) not null, "mapping" varchar(200) not null, "fingerprint" varchar(64) not null, "batch_size" int not null, "skip_invalid" boolean not null default false, "rows_done" int not null default 0, "rows_refused" int not null default 0, "rows_created" int not null default 0, "rows_updated" int not null default 0, "rows_unchanged" int not null default 0, "xrefs_linked" int not null default 0, "batches_committed" int not null default 0, "last_committed_row" int not null default 0, "rows_total" int null, "started_by" uuid null, "started_by_name" varchar(200) null, "finished_at" timestamptz null, "message" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "import_job_fingerprint_index" on "import_job" ("fingerprint");`);

    this.addSql(
      `create table "import_report_row" ("id" bigserial primary key, "job_id" uuid not null, "row_number" int not null, "business_key" varchar(300) null, "pointer" varchar(300) not null, "code" varchar(60) not null, "message" text not null);`,
    );
    this.addSql(
      `create index "import_report_row_job" on "import_report_row" ("job_id", "row_number", "id");`,
    );

    this.addSql(`alter table "record_current" drop constraint "record_current_record_id_foreign";`);

    this.addSql(
      `alter table "record_current" add constraint "record_current_record_id_foreign" foreign key ("record_id") references "golden_record" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`alter table "record_revision" add "import_job_id" uuid null;`);

    this.addSql(
      `alter table "import_job" add constraint "import_job_mode_check" check ("mode" in ('APPLY', 'PROPOSE'));`,
    );
    this.addSql(
      `alter table "import_job" add constraint "import_job_status_check" check ("status" in ('RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "import_job" cascade;`);
    this.addSql(`drop table if exists "import_report_row" cascade;`);

    this.addSql(`alter table "record_current" drop constraint "record_current_record_id_foreign";`);

    this.addSql(
      `alter table "record_current" add constraint "record_current_record_id_foreign" foreign key ("record_id") references "golden_record" ("id");`,
    );

    this.addSql(`alter table "record_revision" drop column "import_job_id";`);
  }
}
