import { Migration } from '@mikro-orm/migrations';

/** resolveExternalKeys looks a system's live ids up by their second id (Odoo xml ids). */
export class Migration20261201055826 extends Migration {
  override name = 'Migration20261201055826';

  override up(): void | Promise<void> {
    this.addSql(
      `create index "xref_external_key_active" on "xref" ("system_code", "domain", "external_key") include ("record_id") where "state" = 'ACTIVE' and "external_key" is not null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "xref_external_key_active";`);
  }
}
