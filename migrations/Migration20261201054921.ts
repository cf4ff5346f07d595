import { Migration } from '@mikro-orm/migrations';

/**
 * Every change event says who caused it and through which system (a connector drops the echo of its
 * own writes, filtered on origin_system), and which contract version its record conforms to.
 */
export class Migration20261201054921 extends Migration {
  override name = 'Migration20261201054921';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "outbox_event" add "origin" jsonb null, add "origin_system" varchar(100) null, add "contract_version" varchar(50) null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(
      `alter table "outbox_event" drop column "origin", drop column "origin_system", drop column "contract_version";`,
    );
  }
}
