import { Migration } from '@mikro-orm/migrations';

/**
 * The audit trail is append-only in the database too: UPDATE and DELETE on audit_event raise an
 * error. (The hash chain still detects an edit made by someone who disables the trigger.)
 */
export class Migration20261123110000 extends Migration {
  override name = 'Migration20261123110000';

  override up(): void | Promise<void> {
    this.addSql(`create or replace function canon_audit_event_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_event is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
      end
    $$;`);
    this.addSql(`create trigger audit_event_append_only before update or delete on audit_event
      for each row execute function canon_audit_event_append_only();`);
  }

  override down(): void | Promise<void> {
    this.addSql('drop trigger if exists audit_event_append_only on audit_event;');
    this.addSql('drop function if exists canon_audit_event_append_only();');
  }
}
