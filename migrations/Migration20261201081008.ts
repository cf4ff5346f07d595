import { Migration } from '@mikro-orm/migrations';

/** Signed checkpoints of the audit chain. */
export class Migration20261201081008 extends Migration {
  override name = 'Migration20261201081008';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "audit_checkpoint" ("id" bigserial primary key, "sequence" bigint not null, "hash" varchar(64) not null, "at" varchar(40) not null, "signature" text not null, "public_key" text not null);`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "audit_checkpoint" cascade;`);
  }
}
