import { Migration } from '@mikro-orm/migrations';

/**
 * Resolve from the index alone: xref carries its record's business key (keys never change once a
 * record exists), the live-id unique index covers record id and key, and a record's live ids per
 * system are indexed with what translate reads.
 */
export class Migration20261123134917 extends Migration {
  override name = 'Migration20261123134917';

  override up(): void | Promise<void> {
    this.addSql(`alter table "xref" add "record_key" varchar(300) null;`);
    this.addSql(
      `update "xref" x set "record_key" = g."key" from "golden_record" g where g."id" = x."record_id";`,
    );
    this.addSql(`alter table "xref" alter column "record_key" set not null;`);
    this.addSql(`drop index "xref_active_unique";`);
    this.addSql(
      `create unique index "xref_active_unique" on "xref" ("system_code", "domain", "external_id") include ("record_id", "record_key") where "state" = 'ACTIVE';`,
    );
    this.addSql(`drop index "xref_record_id_index";`);
    this.addSql(
      `create index "xref_record_active" on "xref" ("record_id", "system_code", "domain") include ("external_id", "external_key", "synced_at") where "state" = 'ACTIVE';`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "xref_record_active";`);
    this.addSql(`create index "xref_record_id_index" on "xref" ("record_id");`);
    this.addSql(`drop index "xref_active_unique";`);
    this.addSql(
      `create unique index "xref_active_unique" on "xref" ("system_code", "domain", "external_id") where "state" = 'ACTIVE';`,
    );
    this.addSql(`alter table "xref" drop column "record_key";`);
  }
}
