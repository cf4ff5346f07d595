import { Migration } from '@mikro-orm/migrations';

/** Each contract's default JSON Schema draft: the draft of a submitted document without `$schema`. */
export class Migration20261202172759 extends Migration {
  override name = 'Migration20261202172759';

  override up(): void | Promise<void> {
    this.addSql(`alter table "contract" add "default_draft" text not null default '2020-12';`);
    this.addSql(
      `alter table "contract" add constraint "contract_default_draft_check" check ("default_draft" in ('draft-04', 'draft-06', 'draft-07', '2019-09', '2020-12'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "contract" drop constraint "contract_default_draft_check";`);
    this.addSql(`alter table "contract" drop column "default_draft";`);
  }
}
