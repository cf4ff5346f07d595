import { Migration } from '@mikro-orm/migrations';

/**
 * The stewards' inbox pages change requests by status in proposal order (newest or oldest first),
 * over all domains or one: both keysets read straight from these indexes.
 */
export class Migration20261201034657 extends Migration {
  override name = 'Migration20261201034657';

  override up(): void | Promise<void> {
    this.addSql(`create index "change_request_inbox" on "change_request" ("status", "created_at", "id");`);
    this.addSql(
      `create index "change_request_inbox_domain" on "change_request" ("status", "domain", "created_at", "id");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "change_request_inbox";`);
    this.addSql(`drop index "change_request_inbox_domain";`);
  }
}
