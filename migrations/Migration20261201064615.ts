import { Migration } from '@mikro-orm/migrations';

/**
 * Each contract's major policy. Existing contracts stay on the major their proposals use today (the
 * newest published one), so the upgrade itself moves no writer.
 */
export class Migration20261201064615 extends Migration {
  override name = 'Migration20261201064615';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "contract" add "major_policy" text not null default 'STAY', add "proposal_major" int null;`,
    );
    this.addSql(
      `alter table "contract" add constraint "contract_major_policy_check" check ("major_policy" in ('STAY', 'FOLLOW_LATEST'));`,
    );
    this.addSql(
      `update "contract" c set "proposal_major" = (select max(v."major") from "contract_version" v where v."contract_id" = c."id" and v."status" = 'PUBLISHED') where exists (select 1 from "contract_version" v where v."contract_id" = c."id" and v."status" = 'PUBLISHED' and v."major" > 1);`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "contract" drop constraint "contract_major_policy_check";`);
    this.addSql(`alter table "contract" drop column "major_policy", drop column "proposal_major";`);
  }
}
