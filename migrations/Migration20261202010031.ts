import { Migration } from '@mikro-orm/migrations';

/**
 * The materialised current revision of every golden record (record_current), filled from history,
 * with the indexes record lists filter on: key order, site, JSON containment and trigram search.
 */
export class Migration20261202010031 extends Migration {
  override name = 'Migration20261202010031';

  override up(): void | Promise<void> {
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(
      `create table "record_current" ("record_id" uuid not null, "domain" varchar(100) not null, "key" varchar(300) not null, "key_scope" varchar(20) not null, "site" varchar(20) null, "revision" int null, "data" jsonb null, "status" varchar(20) null, "effective_from" timestamptz null, "contract_version" varchar(50) null, "next_effective_from" timestamptz null, primary key ("record_id"));`,
    );
    this.addSql(
      `alter table "record_current" add constraint "record_current_record_id_foreign" foreign key ("record_id") references "golden_record" ("id");`,
    );
    this.addSql(`insert into "record_current" select g.id, g.domain, g.key, g.key_scope, g.site, cur.revision, cur.data, cur.status,
        cur.effective_from, cur.contract_version,
        (select min(n.effective_from) from record_revision n
          where n.record_id = g.id and (cur.effective_from is null or n.effective_from > cur.effective_from))
      from golden_record g left join lateral (
        select rv.revision, rv.data, rv.status, rv.effective_from, rv.contract_version from record_revision rv
         where rv.record_id = g.id and rv.effective_from <= now()
         order by rv.effective_from desc, rv.revision desc limit 1) cur on true;`);
    this.addSql(
      `create index "record_current_domain_key" on "record_current" ("domain", "key", "key_scope", "record_id");`,
    );
    this.addSql(
      `create index "record_current_domain_site_key" on "record_current" ("domain", "site", "key", "key_scope", "record_id");`,
    );
    this.addSql(
      `create index "record_current_domain_effective" on "record_current" ("domain", "effective_from");`,
    );
    this.addSql(
      `create index "record_current_pending" on "record_current" ("domain", "next_effective_from") where "next_effective_from" is not null;`,
    );
    this.addSql(`create index "record_current_data" on "record_current" using gin ("data" jsonb_path_ops);`);
    this.addSql(`create index "record_current_key_trgm" on "record_current" using gin ("key" gin_trgm_ops);`);
    this.addSql(
      `create index "record_current_name_trgm" on "record_current" using gin (("data"->>'name') gin_trgm_ops);`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "record_current" cascade;`);
  }
}
