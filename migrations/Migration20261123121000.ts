import { Migration } from '@mikro-orm/migrations';

export class Migration20261123121000 extends Migration {
  override name = 'Migration20261123121000';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "actor" ("id" uuid not null, "name" varchar(200) not null, "kind" text not null, "role" text not null, "system_code" varchar(100) null, "active" boolean not null default true, "created_at" timestamptz not null, "lock_version" int not null default 1, primary key ("id"));`,
    );
    this.addSql(`alter table "actor" add constraint "actor_name_unique" unique ("name");`);
    this.addSql(
      `alter table "actor" add constraint "actor_kind_check" check ("kind" in ('USER', 'SERVICE'));`,
    );
    this.addSql(
      `alter table "actor" add constraint "actor_role_check" check ("role" in ('admin', 'steward', 'viewer', 'connector', 'pipeline'));`,
    );

    this.addSql(
      `create table "api_token" ("id" uuid not null, "actor_id" uuid not null, "name" varchar(200) not null, "prefix" varchar(40) not null, "token_hash" varchar(64) not null, "expires_at" timestamptz null, "revoked_at" timestamptz null, "last_used_at" timestamptz null, "created_at" timestamptz not null, "created_by" uuid null, "rotated_from" uuid null, "bootstrap" boolean not null default false, primary key ("id"));`,
    );
    this.addSql(`create index "api_token_actor_id_index" on "api_token" ("actor_id");`);
    this.addSql(`alter table "api_token" add constraint "api_token_prefix_unique" unique ("prefix");`);
    this.addSql(
      `alter table "api_token" add constraint "api_token_token_hash_unique" unique ("token_hash");`,
    );

    this.addSql(
      `create table "approval_policy" ("domain" varchar(100) not null, "required_approvals" int not null, "updated_at" timestamptz not null, "updated_by" uuid null, primary key ("domain"));`,
    );

    this.addSql(
      `create table "audit_event" ("sequence" bigserial primary key, "at" timestamptz not null, "actor_id" uuid null, "actor_name" varchar(200) null, "token_id" uuid null, "system_code" varchar(100) null, "action" varchar(80) not null, "subject_type" varchar(80) not null, "subject_id" varchar(200) not null, "before" jsonb null, "after" jsonb null, "request_id" varchar(100) null, "prev_hash" varchar(64) not null, "hash" varchar(64) not null);`,
    );
    this.addSql(`create index "audit_event_action_index" on "audit_event" ("action");`);
    this.addSql(`alter table "audit_event" add constraint "audit_event_hash_unique" unique ("hash");`);
    this.addSql(
      `create index "audit_event_subject_type_subject_id_index" on "audit_event" ("subject_type", "subject_id");`,
    );
    this.addSql(
      `create or replace function "audit_event_audit_event_append_only_fn"() returns trigger as $$ begin raise exception 'audit_event is append-only (% refused)', tg_op using errcode = 'insufficient_privilege'; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "audit_event_append_only" BEFORE UPDATE OR DELETE on "audit_event" for each ROW execute function "audit_event_audit_event_append_only_fn"();`,
    );

    this.addSql(
      `create table "change_request" ("id" uuid not null, "domain" varchar(100) not null, "record_id" uuid null, "operation" text not null, "mode" varchar(10) not null, "input" jsonb null, "proposed" jsonb not null, "diff" jsonb not null, "base_revision" int null, "status" text not null default 'PENDING', "proposed_by" uuid null, "proposed_by_name" varchar(200) null, "system_code" varchar(100) null, "required_approvals" int not null, "approvals" jsonb not null, "reason" text null, "decision_reason" text null, "decided_by" uuid null, "effective_from" timestamptz not null, "contract_version" varchar(50) not null, "warnings" jsonb not null, "applied_revision" int null, "conflict" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "lock_version" int not null default 1, primary key ("id"));`,
    );
    this.addSql(`create index "change_request_record_id_index" on "change_request" ("record_id");`);
    this.addSql(
      `create index "change_request_status_domain_index" on "change_request" ("status", "domain");`,
    );
    this.addSql(`create index "change_request_proposed_by_index" on "change_request" ("proposed_by");`);
    this.addSql(
      `alter table "change_request" add constraint "change_request_operation_check" check ("operation" in ('CREATE', 'UPDATE', 'RETIRE', 'RESTORE'));`,
    );
    this.addSql(
      `alter table "change_request" add constraint "change_request_status_check" check ("status" in ('PENDING', 'APPLIED', 'REJECTED', 'CONFLICT', 'WITHDRAWN'));`,
    );

    this.addSql(
      `create table "contract" ("id" uuid not null, "name" varchar(100) not null, "compatibility" text not null default 'BACKWARD', "description" text null, "owner_team" varchar(200) null, "built_in" boolean not null default false, "created_at" timestamptz not null, "updated_at" timestamptz not null, "lock_version" int not null default 1, primary key ("id"));`,
    );
    this.addSql(`alter table "contract" add constraint "contract_name_unique" unique ("name");`);
    this.addSql(
      `alter table "contract" add constraint "contract_compatibility_check" check ("compatibility" in ('NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'));`,
    );

    this.addSql(
      `create table "contract_version" ("id" uuid not null, "contract_id" uuid not null, "version" varchar(50) not null, "major" int not null, "minor" int not null, "patch" int not null, "schema" json not null, "fingerprint" varchar(64) not null, "status" text not null default 'DRAFT', "changelog" text null, "required_bump" varchar(10) null, "changes" jsonb null, "created_at" timestamptz not null, "created_by" uuid null, "updated_at" timestamptz not null, "published_at" timestamptz null, "published_by" uuid null, "deprecated_at" timestamptz null, "deprecated_by" uuid null, "deprecation_reason" text null, "retired_at" timestamptz null, "retired_by" uuid null, "lock_version" int not null default 1, primary key ("id"));`,
    );
    this.addSql(
      `create index "contract_version_contract_id_status_index" on "contract_version" ("contract_id", "status");`,
    );
    this.addSql(
      `alter table "contract_version" add constraint "contract_version_contract_version_unique" unique ("contract_id", "version");`,
    );
    this.addSql(
      `alter table "contract_version" add constraint "contract_version_contract_fingerprint_unique" unique ("contract_id", "fingerprint");`,
    );
    this.addSql(
      `alter table "contract_version" add constraint "contract_version_status_check" check ("status" in ('DRAFT', 'PUBLISHED', 'DEPRECATED', 'RETIRED'));`,
    );

    this.addSql(
      `create table "golden_record" ("id" uuid not null, "domain" varchar(100) not null, "key" varchar(300) not null, "site" varchar(20) null, "key_scope" varchar(20) not null default '', "status" text not null default 'ACTIVE', "merged_into" uuid null, "latest_revision" int not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "lock_version" int not null default 1, primary key ("id"));`,
    );
    this.addSql(`create index "golden_record_domain_status_index" on "golden_record" ("domain", "status");`);
    this.addSql(
      `create unique index "golden_record_live_key_unique" on "golden_record" ("domain", "key", "key_scope") where "status" = 'ACTIVE';`,
    );
    this.addSql(
      `alter table "golden_record" add constraint "golden_record_status_check" check ("status" in ('ACTIVE', 'RETIRED', 'MERGED'));`,
    );

    this.addSql(
      `create table "idempotency_key" ("actor_id" uuid not null, "key" varchar(200) not null, "operation" varchar(100) not null, "request_hash" varchar(64) not null, "result_id" varchar(200) not null, "created_at" timestamptz not null, primary key ("actor_id", "key"));`,
    );

    this.addSql(
      `create table "outbox_event" ("sequence" bigserial primary key, "type" varchar(80) not null, "domain" varchar(100) null, "subject_id" varchar(200) null, "revision" int null, "payload" jsonb not null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "outbox_event_type_index" on "outbox_event" ("type");`);

    this.addSql(
      `create table "package_version" ("id" uuid not null, "name" varchar(214) not null, "version" varchar(50) not null, "contract" varchar(100) null, "contract_version_id" uuid null, "tarball" bytea not null, "integrity" varchar(120) not null, "shasum" varchar(40) not null, "manifest" json not null, "generator" varchar(20) not null, "size" int not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "package_version_contract_version_id_index" on "package_version" ("contract_version_id");`,
    );
    this.addSql(
      `alter table "package_version" add constraint "package_version_name_version_unique" unique ("name", "version");`,
    );

    this.addSql(
      `create table "record_reference" ("from_record" uuid not null, "field" varchar(200) not null, "to_record" uuid not null, primary key ("from_record", "field"));`,
    );
    this.addSql(`create index "record_reference_to_record_index" on "record_reference" ("to_record");`);

    this.addSql(
      `create table "record_revision" ("id" uuid not null, "record_id" uuid not null, "revision" int not null, "data" jsonb not null, "status" varchar(20) not null, "operation" varchar(20) not null, "contract_version" varchar(50) not null, "contract_version_id" uuid not null, "effective_from" timestamptz not null, "change_request_id" uuid null, "created_by" uuid null, "created_by_name" varchar(200) null, "reason" text null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "record_revision_record_id_effective_from_index" on "record_revision" ("record_id", "effective_from");`,
    );
    this.addSql(
      `alter table "record_revision" add constraint "record_revision_record_revision_unique" unique ("record_id", "revision");`,
    );

    this.addSql(
      `create table "sor_rule" ("id" uuid not null, "domain" varchar(100) not null, "system_code" varchar(100) not null, "site" varchar(20) null, "fields" jsonb null, "required_approvals" int not null, "created_at" timestamptz not null, "created_by" uuid null, primary key ("id"));`,
    );
    this.addSql(`create index "sor_rule_domain_index" on "sor_rule" ("domain");`);
    this.addSql(`create index "sor_rule_system_code_index" on "sor_rule" ("system_code");`);

    this.addSql(
      `create table "system" ("code" varchar(100) not null, "name" varchar(200) not null, "kind" text not null, "sites" jsonb not null, "active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null, "lock_version" int not null default 1, primary key ("code"));`,
    );
    this.addSql(
      `alter table "system" add constraint "system_kind_check" check ("kind" in ('ERP', 'MES', 'WMS', 'PLM', 'QMS', 'SCHEDULER', 'PORTAL', 'OTHER'));`,
    );

    this.addSql(
      `create table "xref" ("id" bigserial primary key, "system_code" varchar(100) not null, "domain" varchar(100) not null, "external_id" varchar(300) not null, "external_key" varchar(300) null, "record_id" uuid not null, "state" text not null default 'ACTIVE', "synced_at" timestamptz not null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`create index "xref_record_id_index" on "xref" ("record_id");`);
    this.addSql(
      `create unique index "xref_active_unique" on "xref" ("system_code", "domain", "external_id") where "state" = 'ACTIVE';`,
    );
    this.addSql(`create index "xref_system_code_domain_id_index" on "xref" ("system_code", "domain", "id");`);
    this.addSql(
      `alter table "xref" add constraint "xref_state_check" check ("state" in ('ACTIVE', 'RETIRED'));`,
    );

    this.addSql(
      `alter table "api_token" add constraint "api_token_actor_id_foreign" foreign key ("actor_id") references "actor" ("id");`,
    );

    this.addSql(
      `alter table "contract_version" add constraint "contract_version_contract_id_foreign" foreign key ("contract_id") references "contract" ("id");`,
    );

    this.addSql(
      `alter table "record_revision" add constraint "record_revision_record_id_foreign" foreign key ("record_id") references "golden_record" ("id");`,
    );
  }
}
