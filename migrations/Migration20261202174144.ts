import { Migration } from '@mikro-orm/migrations';

/**
 * The integer ids of the Confluent-compatible API: a registry-wide id per published version (from its
 * own sequence) and each version's place in its contract's publication order, given to the versions
 * already published in the order they were published; and the registry-wide default compatibility.
 */
export class Migration20261202174144 extends Migration {
  override name = 'Migration20261202174144';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "registry_settings" ("id" serial primary key, "default_compatibility" text not null default 'BACKWARD', "updated_at" timestamptz not null, "lock_version" int not null default 1);`,
    );

    this.addSql(
      `alter table "contract_version" add "registry_id" int null, add "registry_sequence" int null;`,
    );
    this.addSql(
      `alter table "contract_version" add constraint "contract_version_registry_id_unique" unique ("registry_id");`,
    );
    this.addSql(
      `alter table "contract_version" add constraint "contract_version_contract_registry_sequence_unique" unique ("contract_id", "registry_sequence");`,
    );

    this.addSql(
      `alter table "registry_settings" add constraint "registry_settings_default_compatibility_check" check ("default_compatibility" in ('NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'));`,
    );
    this.addSql(
      `insert into "registry_settings" ("id", "default_compatibility", "updated_at") values (1, 'BACKWARD', now());`,
    );

    this.addSql(`create sequence "contract_version_registry_id_seq" start 1;`);
    this.addSql(`with ordered as (
        select id, row_number() over (order by published_at, id) as global_order,
               row_number() over (partition by contract_id order by published_at, id) as place
          from "contract_version" where status <> 'DRAFT')
      update "contract_version" v set registry_id = o.global_order, registry_sequence = o.place
        from ordered o where v.id = o.id;`);
    this.addSql(
      `select setval('contract_version_registry_id_seq', coalesce((select max(registry_id) from "contract_version"), 0) + 1, false);`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "registry_settings" cascade;`);
    this.addSql(`drop sequence if exists "contract_version_registry_id_seq";`);

    this.addSql(`alter table "contract_version" drop constraint "contract_version_registry_id_unique";`);
    this.addSql(
      `alter table "contract_version" drop constraint "contract_version_contract_registry_sequence_unique";`,
    );
    this.addSql(`alter table "contract_version" drop column "registry_id", drop column "registry_sequence";`);
  }
}
