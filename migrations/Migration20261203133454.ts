import { Migration } from '@mikro-orm/migrations';

/**
 * Consumer-aware contract changes: usage of each domain per token and day (reads, type package
 * downloads), impact policies, and the impacts breaking versions wait on with their acknowledgements.
 */
export class Migration20261203133454 extends Migration {
  override name = 'Migration20261203133454';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "contract_impact" ("id" uuid not null, "contract" varchar(100) not null, "version" varchar(50) not null, "contract_version_id" uuid not null, "reasons" jsonb not null, "consumers" jsonb not null, "state" text not null, "requested_by" uuid null, "requested_at" timestamptz not null, "cleared_at" timestamptz null, "override_reason" varchar(2000) null, "overridden_by" uuid null, "lock_version" int not null default 1, primary key ("id"));`,
    );
    this.addSql(
      `alter table "contract_impact" add constraint "contract_impact_version" unique ("contract", "version");`,
    );

    this.addSql(
      `create table "contract_usage" ("token_id" varchar(100) not null, "domain" varchar(100) not null, "kind" text not null, "version" varchar(50) not null, "day" date not null, "actor_name" varchar(200) null, "system_code" varchar(100) null, "count" bigint not null, "last_at" timestamptz not null, primary key ("token_id", "domain", "kind", "version", "day"));`,
    );
    this.addSql(`create index "contract_usage_domain_day" on "contract_usage" ("domain", "day");`);

    this.addSql(
      `create table "contract_impact_ack" ("impact_id" uuid not null, "system_code" varchar(100) not null, "owner" varchar(200) not null, "acknowledged_by" uuid null, "acknowledged_by_name" varchar(200) null, "acknowledged_at" timestamptz not null, "note" varchar(2000) null, primary key ("impact_id", "system_code"));`,
    );

    this.addSql(
      `create table "contract_impact_policy" ("contract" varchar(100) not null, "wait_on" jsonb not null, "wait_for_readers" boolean not null default false, "updated_at" timestamptz not null, "updated_by" uuid null, "lock_version" int not null default 1, primary key ("contract"));`,
    );

    this.addSql(
      `alter table "contract_impact" add constraint "contract_impact_state_check" check ("state" in ('PENDING', 'CLEARED', 'OVERRIDDEN'));`,
    );

    this.addSql(
      `alter table "contract_usage" add constraint "contract_usage_kind_check" check ("kind" in ('READ', 'PACKAGE'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "contract_impact" cascade;`);
    this.addSql(`drop table if exists "contract_usage" cascade;`);
    this.addSql(`drop table if exists "contract_impact_ack" cascade;`);
    this.addSql(`drop table if exists "contract_impact_policy" cascade;`);
  }
}
