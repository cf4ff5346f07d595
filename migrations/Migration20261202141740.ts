import { Migration } from '@mikro-orm/migrations';

/**
 * The relay's position per JetStream stream: the last outbox sequence the stream acknowledged, so a
 * relay resumes after a crash or a failover without a gap.
 */
export class Migration20261202141740 extends Migration {
  override name = 'Migration20261202141740';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "event_relay_position" ("stream" varchar(64) not null, "last_sequence" bigint not null, "updated_at" timestamptz not null, primary key ("stream"));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "event_relay_position" cascade;`);
  }
}
