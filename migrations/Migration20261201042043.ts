import { Migration } from '@mikro-orm/migrations';

/**
 * Record lists page a domain in key order, any status: this index lets the page statement walk the
 * keys and stop at the page's end (the live-key unique index covers only active records).
 */
export class Migration20261201042043 extends Migration {
  override name = 'Migration20261201042043';

  override up(): void | Promise<void> {
    this.addSql(
      `create index "golden_record_domain_key_order" on "golden_record" ("domain", "key", "key_scope", "id");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "golden_record_domain_key_order";`);
  }
}
