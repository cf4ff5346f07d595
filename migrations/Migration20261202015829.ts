import { Migration } from '@mikro-orm/migrations';

/** Record lists filtered by a key prefix walk an index of their own (LIKE needs pattern operators). */
export class Migration20261202015829 extends Migration {
  override name = 'Migration20261202015829';

  override up(): void | Promise<void> {
    this.addSql(
      `create index "record_current_key_prefix" on "record_current" ("domain", "key" varchar_pattern_ops);`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "record_current_key_prefix";`);
  }
}
