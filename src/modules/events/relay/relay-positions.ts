/** The relay's committed position per stream (event_relay_position): read when leading, moved forward only. */
import type { Orm } from '../../../db/orm.ts';

export class RelayPositions {
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
  }

  /** The last outbox sequence the stream acknowledged (0: none yet). */
  async read(stream: string): Promise<bigint> {
    const rows = await this.orm.em
      .getConnection()
      .execute<{ s: string }[]>(
        'select last_sequence::text as s from event_relay_position where stream = ?',
        [stream],
      );
    return BigInt(rows[0]?.s ?? 0);
  }

  /** Moves the position to `sequence`, never back (a slower, deposed leader cannot rewind it). */
  async commit(stream: string, sequence: bigint): Promise<void> {
    await this.orm.em.getConnection().execute(
      `insert into event_relay_position (stream, last_sequence, updated_at) values (?, ?, now())
       on conflict (stream) do update
         set last_sequence = greatest(event_relay_position.last_sequence, excluded.last_sequence), updated_at = now()`,
      [stream, String(sequence)],
    );
  }
}
