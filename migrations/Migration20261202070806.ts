import { Migration } from '@mikro-orm/migrations';

/** Reconciliations run on the server (uploaded extracts) and the differences they found. */
export class Migration20261202070806 extends Migration {
  override name = 'Migration20261202070806';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "reconcile_difference" ("id" bigserial primary key, "job_id" uuid not null, "kind" varchar(30) not null, "row_number" int null, "external_id" varchar(300) null, "business_key" varchar(300) null, "record_id" uuid null, "pointer" varchar(300) not null, "canon_value" jsonb null, "system_value" jsonb null, "message" text not null);`,
    );
    this.addSql(`create index "reconcile_difference_job" on "reconcile_difference" ("job_id", "id");`);
    this.addSql(
      `create index "reconcile_difference_job_kind" on "reconcile_difference" ("job_id", "kind", "id");`,
    );

    this.addSql(
      `create table "reconcile_job" ("id" uuid not null, "domain" varchar(100) not null, "system_code" varchar(50) not null, "status" text not null default 'RUNNING', "source" varchar(500) not null, "format" varchar(10) not null, "mapping" varchar(200) not null, "propose" boolean not null default false, "summary" jsonb null, "differences_found" int not null default 0, "started_by" uuid null, "started_by_name" varchar(200) null, "finished_at" timestamptz null, "message" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "reconcile_job_newest" on "reconcile_job" ("created_at", "id");`);

    this.addSql(
      `alter table "reconcile_job" add constraint "reconcile_job_status_check" check ("status" in ('RUNNING', 'COMPLETED', 'FAILED'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "reconcile_difference" cascade;`);
    this.addSql(`drop table if exists "reconcile_job" cascade;`);
  }
}
