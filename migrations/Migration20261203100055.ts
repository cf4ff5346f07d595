import { Migration } from '@mikro-orm/migrations';

/** Match and merge: rules, candidates and match jobs; merges with what they moved; survivorship rules. */
export class Migration20261203100055 extends Migration {
  override name = 'Migration20261203100055';

  override up(): void | Promise<void> {
    // duplicate detection compares values by their letters and digits, case-folded (P-100 = p100)
    this.addSql(
      `create or replace function canon_match_norm(t text) returns text language sql immutable parallel safe as $$ select upper(regexp_replace(t, '[^[:alnum:]]+', '', 'g')) $$;`,
    );
    this.addSql(
      `create table "match_candidate" ("id" uuid not null, "domain" varchar(100) not null, "record_a" uuid not null, "record_b" uuid not null, "score" double precision not null, "rule" varchar(100) not null, "reasons" jsonb not null, "status" text not null default 'OPEN', "found_by" varchar(20) not null, "found_at" timestamptz not null, "decided_at" timestamptz null, "decided_by" uuid null, "note" text null, "lock_version" int not null default 1, primary key ("id"));`,
    );
    this.addSql(
      `create index "match_candidate_queue" on "match_candidate" ("domain", "status", "score", "id");`,
    );
    this.addSql(`create index "match_candidate_record_b" on "match_candidate" ("record_b");`);
    this.addSql(
      `alter table "match_candidate" add constraint "match_candidate_pair" unique ("domain", "record_a", "record_b");`,
    );

    this.addSql(
      `create table "match_job" ("id" uuid not null, "domain" varchar(100) not null, "status" text not null default 'RUNNING', "phase" varchar(20) not null, "records" int not null default 0, "comparisons" int not null default 0, "compared" int not null default 0, "found" int not null default 0, "auto_merges" int not null default 0, "error" text null, "records_as_of" timestamptz null, "rules_signature" varchar(64) null, "started_by" uuid null, "started_at" timestamptz not null, "finished_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "match_job_domain_index" on "match_job" ("domain");`);

    this.addSql(
      `create table "match_rule" ("id" uuid not null, "domain" varchar(100) not null, "name" varchar(100) not null, "kind" text not null, "fields" jsonb not null, "agree" jsonb not null, "normalise" boolean not null default true, "min_similarity" double precision null, "numbers_agree" boolean not null default false, "score" double precision not null, "suggest_at" double precision not null, "auto_merge_at" double precision null, "active" boolean not null default true, "description" varchar(500) null, "updated_at" timestamptz not null, "updated_by" uuid null, "lock_version" int not null default 1, primary key ("id"));`,
    );
    this.addSql(
      `alter table "match_rule" add constraint "match_rule_domain_name" unique ("domain", "name");`,
    );

    this.addSql(
      `create table "record_merge" ("id" uuid not null, "domain" varchar(100) not null, "survivor_id" uuid not null, "merged_id" uuid not null, "change_request_id" uuid not null, "survivor_revision_before" int not null, "survivor_data_before" jsonb not null, "survivor_data_after" jsonb not null, "merged_revision_before" int not null, "merged_key" varchar(300) not null, "survivor_key" varchar(300) not null, "moved_references" jsonb not null, "moved" jsonb not null, "state" text not null default 'MERGED', "merged_at" timestamptz not null, "merged_by" uuid null, "unmerged_at" timestamptz null, "unmerged_by" uuid null, "unmerge_change_request_id" uuid null, primary key ("id"));`,
    );
    this.addSql(`create index "record_merge_survivor_id_index" on "record_merge" ("survivor_id");`);
    this.addSql(`create index "record_merge_merged_id_index" on "record_merge" ("merged_id");`);

    this.addSql(
      `create table "survivorship_rule" ("domain" varchar(100) not null, "field" varchar(200) not null, "rule" varchar(30) not null, "updated_at" timestamptz not null, "updated_by" uuid null, primary key ("domain", "field"));`,
    );

    this.addSql(`alter table "change_request" drop constraint "change_request_operation_check";`);
    this.addSql(`alter table "change_request" add "merge" jsonb null, add "duplicates" jsonb null;`);
    this.addSql(
      `alter table "change_request" add constraint "change_request_operation_check" check ("operation" in ('CREATE', 'UPDATE', 'RETIRE', 'RESTORE', 'MERGE', 'UNMERGE'));`,
    );

    this.addSql(
      `create index "record_current_match_key" on "record_current" ("domain", canon_match_norm("key"));`,
    );

    this.addSql(
      `alter table "match_candidate" add constraint "match_candidate_status_check" check ("status" in ('OPEN', 'NOT_DUPLICATE', 'MERGED'));`,
    );

    this.addSql(
      `alter table "match_job" add constraint "match_job_status_check" check ("status" in ('RUNNING', 'COMPLETED', 'FAILED'));`,
    );

    this.addSql(
      `alter table "match_rule" add constraint "match_rule_kind_check" check ("kind" in ('EXACT', 'FUZZY'));`,
    );

    this.addSql(
      `alter table "record_merge" add constraint "record_merge_state_check" check ("state" in ('MERGED', 'UNMERGED'));`,
    );
    // the built-in domains' default rules (editable: setMatchRule, canon match rules)
    this.addSql(
      `insert into match_rule (id, domain, name, kind, fields, agree, normalise, min_similarity, numbers_agree, score, suggest_at, description, updated_at)
       select gen_random_uuid(), v.* , now() from (values
        ('item', 'same-barcode', 'EXACT', '["/barcode"]'::jsonb, '[]'::jsonb, false, null, false, 1.0, 0.9, 'The same barcode (GTIN).'),
        ('item', 'same-code', 'EXACT', '["/code"]'::jsonb, '[]'::jsonb, true, null, false, 0.95, 0.9, 'The same code once punctuation and case are set aside.'),
        ('item', 'similar-name', 'FUZZY', '["/name"]'::jsonb, '["/uom", "/categoryPath", "/type"]'::jsonb, true, 0.6, true, 0.95, 0.65, 'Similar names with the same numbers, unit, category and type.'),
        ('lot', 'same-supplier-lot', 'EXACT', '["/item", "/supplierReference"]'::jsonb, '[]'::jsonb, true, null, false, 0.95, 0.9, 'The same supplier lot number for the same item.'),
        ('lot', 'same-number', 'EXACT', '["/item", "/number"]'::jsonb, '[]'::jsonb, true, null, false, 0.9, 0.85, 'The same lot number once punctuation and case are set aside.'),
        ('location', 'same-code', 'EXACT', '["/code", "/site"]'::jsonb, '[]'::jsonb, true, null, false, 0.95, 0.9, 'The same code on the same site once punctuation and case are set aside.'),
        ('location', 'similar-name', 'FUZZY', '["/name"]'::jsonb, '["/site", "/parent", "/usage"]'::jsonb, true, 0.75, true, 0.9, 0.7, 'Similar names with the same numbers, site, parent and usage.'),
        ('work-center', 'same-code', 'EXACT', '["/code"]'::jsonb, '[]'::jsonb, true, null, false, 0.95, 0.9, 'The same code once punctuation and case are set aside.'),
        ('work-center', 'similar-name', 'FUZZY', '["/name"]'::jsonb, '["/site"]'::jsonb, true, 0.75, true, 0.9, 0.7, 'Similar names with the same numbers on the same site.'),
        ('uom', 'same-rec20', 'EXACT', '["/rec20"]'::jsonb, '[]'::jsonb, false, null, false, 1.0, 0.9, 'The same UN/ECE Rec 20 code.'),
        ('uom', 'similar-name', 'FUZZY', '["/name"]'::jsonb, '["/dimension"]'::jsonb, true, 0.75, true, 0.9, 0.7, 'Similar names with the same numbers and dimension.')
       ) as v(domain, name, kind, fields, agree, normalise, min_similarity, numbers_agree, score, suggest_at, description)
       on conflict do nothing;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "match_candidate" cascade;`);
    this.addSql(`drop table if exists "match_job" cascade;`);
    this.addSql(`drop table if exists "match_rule" cascade;`);
    this.addSql(`drop table if exists "record_merge" cascade;`);
    this.addSql(`drop table if exists "survivorship_rule" cascade;`);

    this.addSql(`alter table "change_request" drop constraint "change_request_operation_check";`);
    this.addSql(`alter table "change_request" drop column "merge", drop column "duplicates";`);
    this.addSql(
      `alter table "change_request" add constraint "change_request_operation_check" check ("operation" in ('CREATE', 'UPDATE', 'RETIRE', 'RESTORE'));`,
    );

    this.addSql(`drop index "record_current_match_key";`);
    this.addSql(`drop function if exists canon_match_norm(text);`);
  }
}
