import { Migration } from '@mikro-orm/migrations';

/**
 * Connector semantics: old business keys kept as aliases after a rekey; a change request's
 * effectiveFrom left null until it is applied (valid time defaults to the approval) and the
 * proposer's idempotency key kept for event origins; revisions recorded for a future moment carry
 * when their RECORD_EFFECTIVE event is due.
 */
export class Migration20261201063349 extends Migration {
  override name = 'Migration20261201063349';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "record_key_alias" ("id" bigserial primary key, "domain" varchar(100) not null, "key_scope" varchar(20) not null, "key" varchar(300) not null, "record_id" uuid not null, "renamed_to" varchar(300) not null, "revision" int not null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "record_key_alias_record_id_index" on "record_key_alias" ("record_id");`);
    this.addSql(
      `create index "record_key_alias_lookup" on "record_key_alias" ("domain", "key", "key_scope");`,
    );

    this.addSql(`alter table "change_request" add "idempotency_key" varchar(200) null;`);
    this.addSql(`alter table "change_request" alter column "effective_from" drop not null;`);

    this.addSql(`alter table "record_revision" add "effective_event_due_at" timestamptz null;`);
    this.addSql(
      `create index "record_revision_effective_event_due" on "record_revision" ("effective_event_due_at") where "effective_event_due_at" is not null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "record_key_alias" cascade;`);

    this.addSql(`alter table "change_request" drop column "idempotency_key";`);
    this.addSql(`alter table "change_request" alter column "effective_from" set not null;`);

    this.addSql(`drop index "record_revision_effective_event_due";`);
    this.addSql(`alter table "record_revision" drop column "effective_event_due_at";`);
  }
}
