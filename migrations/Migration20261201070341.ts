import { Migration } from '@mikro-orm/migrations';

/** Key sequences: where Canon takes the keys it assigns to new records that arrive without one. */
export class Migration20261201070341 extends Migration {
  override name = 'Migration20261201070341';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "key_sequence" ("domain" varchar(100) not null, "prefix" varchar(50) not null, "padding" int not null, "next_value" bigint not null, "updated_by" uuid null, "updated_at" timestamptz not null, primary key ("domain"));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "key_sequence" cascade;`);
  }
}
