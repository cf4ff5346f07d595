import { Migration } from '@mikro-orm/migrations';

/** People signed in through the identity provider: their issuer and subject, unique together. */
export class Migration20261201111307 extends Migration {
  override name = 'Migration20261201111307';

  override up(): void | Promise<void> {
    this.addSql(`alter table "actor" add "issuer" varchar(500) null, add "subject" varchar(255) null;`);
    this.addSql(`alter table "actor" add constraint "actor_identity_unique" unique ("issuer", "subject");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "actor" drop constraint "actor_identity_unique";`);
    this.addSql(`alter table "actor" drop column "issuer", drop column "subject";`);
  }
}
