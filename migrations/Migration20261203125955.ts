import { Migration } from '@mikro-orm/migrations';

/**
 * Propagation and exceptions: subscriptions, acknowledgements, per-(system, record) state, pending
 * changes and durable cursors; integration exceptions with comments and quarantines; owning teams on
 * systems and system-of-record rules.
 */
export class Migration20261203125955 extends Migration {
  override name = 'Migration20261203125955';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "change_ack" ("system_code" varchar(100) not null, "sequence" bigint not null, "record_id" uuid null, "revision" int null, "status" text not null, "code" varchar(100) null, "message" varchar(2000) null, "external_id" varchar(300) null, "acknowledged_at" timestamptz not null, "acknowledged_by" uuid null, primary key ("system_code", "sequence"));`,
    );

    this.addSql(
      `create table "integration_exception_comment" ("id" uuid not null, "exception_id" uuid not null, "author_id" uuid null, "author_name" varchar(200) null, "text" varchar(4000) not null, "link" varchar(1000) null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "integration_exception_comment_exception_id_index" on "integration_exception_comment" ("exception_id");`,
    );

    this.addSql(
      `create table "integration_exception" ("id" uuid not null, "source" text not null, "system_code" varchar(100) not null, "domain" varchar(100) null, "site" varchar(20) null, "record_id" uuid null, "revision" int null, "change_request_id" uuid null, "sequence" bigint null, "external_id" varchar(300) null, "code" varchar(100) not null, "message" varchar(2000) not null, "payload_excerpt" jsonb null, "blocking" boolean not null default false, "owner_team" varchar(200) not null, "owner_reason" text not null, "state" text not null, "assignee" varchar(200) null, "occurrences" int not null default 1, "first_seen_at" timestamptz not null, "last_seen_at" timestamptz not null, "acknowledged_at" timestamptz null, "resolved_at" timestamptz null, "resolved_by" uuid null, "resolution" varchar(2000) null, "live_key" varchar(500) null, "lock_version" int not null default 1, primary key ("id"));`,
    );
    this.addSql(
      `alter table "integration_exception" add constraint "integration_exception_live_key_unique" unique ("live_key");`,
    );
    this.addSql(
      `create index "integration_exception_queue" on "integration_exception" ("owner_team", "state");`,
    );
    this.addSql(`create index "integration_exception_record" on "integration_exception" ("record_id");`);
    this.addSql(
      `create index "integration_exception_system" on "integration_exception" ("system_code", "state");`,
    );

    this.addSql(
      `create table "propagation_pending" ("system_code" varchar(100) not null, "sequence" bigint not null, "record_id" uuid not null, "created_at" timestamptz not null, primary key ("system_code", "sequence"));`,
    );
    this.addSql(
      `create index "propagation_pending_record" on "propagation_pending" ("system_code", "record_id");`,
    );

    this.addSql(
      `create table "propagation_state" ("system_code" varchar(100) not null, "record_id" uuid not null, "domain" varchar(100) not null, "expected_revision" int null, "expected_sequence" bigint null, "behind_since" timestamptz null, "applied_revision" int null, "applied_at" timestamptz null, "last_status" text null, "last_revision" int null, "last_sequence" bigint null, "last_at" timestamptz null, "last_error_code" varchar(100) null, "last_error_message" varchar(2000) null, primary key ("system_code", "record_id"));`,
    );
    this.addSql(`create index "propagation_state_domain" on "propagation_state" ("system_code", "domain");`);
    // every acknowledgement rewrites its record's row: room on each page keeps those updates HOT (no index churn)
    this.addSql(`alter table "propagation_state" set (fillfactor = 70);`);

    this.addSql(
      `create table "record_quarantine" ("record_id" uuid not null, "domain" varchar(100) null, "exception_id" uuid not null, "since" timestamptz not null, "released_at" timestamptz null, "released_by" uuid null, "release_note" varchar(2000) null, "lock_version" int not null default 1, primary key ("record_id"));`,
    );

    this.addSql(
      `create table "system_subscription" ("id" uuid not null, "system_code" varchar(100) not null, "domain" varchar(100) not null, "site" varchar(20) null, "filter" jsonb null, "created_at" timestamptz not null, "created_by" uuid null, "lock_version" int not null default 1, primary key ("id"));`,
    );
    this.addSql(
      `create index "system_subscription_system_code_index" on "system_subscription" ("system_code");`,
    );
    this.addSql(`create index "system_subscription_domain_index" on "system_subscription" ("domain");`);
    // one subscription per system, domain and site (no site: every site, also unique)
    this.addSql(
      `create unique index "system_subscription_scope" on "system_subscription" ("system_code", "domain", coalesce("site", ''));`,
    );
    // acknowledgements by record and revision find their change event by this index
    this.addSql(
      `create index "outbox_event_record_revision" on "outbox_event" ("subject_id", "revision") where "type" = 'RECORD_CHANGED';`,
    );

    this.addSql(
      `create table "system_cursor" ("system_code" varchar(100) not null, "acknowledged_sequence" bigint not null, "highest_sequence" bigint not null, "last_acknowledged_at" timestamptz not null, primary key ("system_code"));`,
    );

    this.addSql(`alter table "sor_rule" add "team" varchar(200) null;`);

    this.addSql(`alter table "system" add "team" varchar(200) null;`);

    this.addSql(
      `alter table "change_ack" add constraint "change_ack_status_check" check ("status" in ('APPLIED', 'REFUSED', 'SKIPPED'));`,
    );

    this.addSql(
      `alter table "integration_exception" add constraint "integration_exception_source_check" check ("source" in ('ACKNOWLEDGEMENT', 'CONNECTOR', 'RECONCILE', 'IMPORT'));`,
    );
    this.addSql(
      `alter table "integration_exception" add constraint "integration_exception_owner_reason_check" check ("owner_reason" in ('SYSTEM_OF_RECORD', 'SYSTEM', 'CONTRACT', 'DEFAULT_QUEUE'));`,
    );
    this.addSql(
      `alter table "integration_exception" add constraint "integration_exception_state_check" check ("state" in ('OPEN', 'ACKNOWLEDGED', 'RESOLVED', 'WONT_FIX'));`,
    );

    this.addSql(
      `alter table "propagation_state" add constraint "propagation_state_last_status_check" check ("last_status" in ('APPLIED', 'REFUSED', 'SKIPPED'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "outbox_event_record_revision";`);
    this.addSql(`drop table if exists "change_ack" cascade;`);
    this.addSql(`drop table if exists "integration_exception_comment" cascade;`);
    this.addSql(`drop table if exists "integration_exception" cascade;`);
    this.addSql(`drop table if exists "propagation_pending" cascade;`);
    this.addSql(`drop table if exists "propagation_state" cascade;`);
    this.addSql(`drop table if exists "record_quarantine" cascade;`);
    this.addSql(`drop table if exists "system_subscription" cascade;`);
    this.addSql(`drop table if exists "system_cursor" cascade;`);

    this.addSql(`alter table "sor_rule" drop column "team";`);

    this.addSql(`alter table "system" drop column "team";`);
  }
}
