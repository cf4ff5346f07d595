/**
 * Files exceptions set-wise: each with its owner, counted as another occurrence on the live exception
 * of the same (system, record or external id, code) instead of filed again; blocking ones quarantine
 * their record. And resolves them when the system later applies the record.
 */
import { executeBound } from '../../db/bound-statements.ts';
import { newId } from '../../db/ids.ts';
import type { Em } from '../../db/orm.ts';
import { toPgArray } from '../../db/pg-array.ts';
import type { CallContext } from '../auth/actor-context.ts';
import { type OutboxInput, type OutboxService, originOf } from '../events/outbox.service.ts';
import type { ExceptionSource } from './exception.entities.ts';
import type { ExceptionOwners } from './exception-owners.ts';

/** What filing and resolving need besides the transaction: owners, and the outbox for quarantine events. */
export interface IntakeDeps {
  owners: ExceptionOwners;
  outbox: OutboxService;
}

export interface ExceptionInput {
  source: ExceptionSource;
  systemCode: string;
  domain: string | null;
  site: string | null;
  recordId: string | null;
  revision: number | null;
  changeRequestId: string | null;
  sequence: string | null;
  externalId: string | null;
  code: string;
  message: string;
  payloadExcerpt: Record<string, unknown> | null;
  blocking: boolean;
}

export interface FiledException {
  id: string;
  recordId: string | null;
  /** A new exception (false: another occurrence of a live one). */
  created: boolean;
}

/** The live duplicate key: one live exception per system, subject and code. */
export function liveKeyOf(
  e: Pick<ExceptionInput, 'systemCode' | 'recordId' | 'externalId' | 'domain' | 'code'>,
): string {
  const subject = e.recordId ?? (e.externalId ? `${e.domain ?? ''}:${e.externalId}` : '-');
  return `${e.systemCode}|${subject}|${e.code}`.slice(0, 500);
}

/** At most this much of a payload is kept on an exception. */
const EXCERPT_BYTES = 4_000;

export function excerptOf(payload: unknown): Record<string, unknown> | null {
  if (payload === null || payload === undefined) return null;
  const json = JSON.stringify(payload);
  if (json.length <= EXCERPT_BYTES)
    return (typeof payload === 'object' && !Array.isArray(payload) ? payload : { value: payload }) as Record<
      string,
      unknown
    >;
  return { truncated: true, excerpt: json.slice(0, EXCERPT_BYTES) };
}

const arr = (values: readonly unknown[]) =>
  toPgArray(values.map((v) => (v === null || v === undefined ? null : String(v))) as never);

export async function fileExceptions(
  em: Em,
  deps: IntakeDeps,
  ctx: CallContext,
  inputs: readonly ExceptionInput[],
): Promise<FiledException[]> {
  if (inputs.length === 0) return [];
  // the same subject twice in one batch: one row, its occurrences added up
  const byKey = new Map<string, { input: ExceptionInput; count: number }>();
  for (const input of inputs) {
    const key = liveKeyOf(input);
    const seen = byKey.get(key);
    if (seen) {
      seen.count += 1;
      seen.input = { ...input, blocking: input.blocking || seen.input.blocking };
    } else byKey.set(key, { input, count: 1 });
  }
  const owner = deps.owners.forBatch(em);
  const rows = await Promise.all(
    [...byKey].map(async ([key, { input, count }]) => ({
      key,
      input,
      count,
      owner: await owner(input.domain, input.site),
    })),
  );
  const filed = await executeBound<{
    id: string;
    record_id: string | null;
    created: boolean;
    blocking: boolean;
    domain: string | null;
  }>(
    em,
    `insert into integration_exception as x (id, source, system_code, domain, site, record_id, revision, change_request_id,
            sequence, external_id, code, message, payload_excerpt, blocking, owner_team, owner_reason, state, occurrences,
            first_seen_at, last_seen_at, live_key, lock_version)
     select u.id::uuid, u.source, u.system_code, u.domain, u.site, u.record_id::uuid, u.revision::int,
            u.change_request_id::uuid, u.sequence::bigint, u.external_id, u.code, u.message, u.payload::jsonb,
            u.blocking::boolean, u.owner_team, u.owner_reason, 'OPEN', u.occurrences::int, clock_timestamp(),
            clock_timestamp(), u.live_key, 1
       from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                   ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
            as u(id, source, system_code, domain, site, record_id, revision, change_request_id, sequence, external_id,
                 code, message, payload, blocking, owner_team, owner_reason, occurrences, live_key)
      order by u.live_key
     on conflict (live_key) do update set
       occurrences = x.occurrences + excluded.occurrences,
       last_seen_at = excluded.last_seen_at,
       message = excluded.message,
       revision = greatest(x.revision, excluded.revision),
       sequence = greatest(x.sequence, excluded.sequence),
       change_request_id = coalesce(excluded.change_request_id, x.change_request_id),
       payload_excerpt = coalesce(excluded.payload_excerpt, x.payload_excerpt),
       blocking = x.blocking or excluded.blocking,
       lock_version = x.lock_version + 1
     returning id::text, record_id::text, (xmax = 0) as created, blocking, domain`,
    [
      arr(rows.map(() => newId())),
      arr(rows.map((r) => r.input.source)),
      arr(rows.map((r) => r.input.systemCode)),
      arr(rows.map((r) => r.input.domain)),
      arr(rows.map((r) => r.input.site)),
      arr(rows.map((r) => r.input.recordId)),
      arr(rows.map((r) => r.input.revision)),
      arr(rows.map((r) => r.input.changeRequestId)),
      arr(rows.map((r) => r.input.sequence)),
      arr(rows.map((r) => r.input.externalId)),
      arr(rows.map((r) => r.input.code)),
      arr(rows.map((r) => r.input.message.slice(0, 2000))),
      arr(rows.map((r) => (r.input.payloadExcerpt ? JSON.stringify(r.input.payloadExcerpt) : null))),
      arr(rows.map((r) => r.input.blocking)),
      arr(rows.map((r) => r.owner.team)),
      arr(rows.map((r) => r.owner.reason)),
      arr(rows.map((r) => r.count)),
      arr(rows.map((r) => r.key)),
    ],
  );
  const quarantining = filed.filter((f) => f.blocking && f.record_id);
  if (quarantining.length > 0) {
    // a released quarantine starts again with a new blocking exception (or a live one turning blocking)
    const started = await executeBound<{ record_id: string; domain: string | null; exception_id: string }>(
      em,
      `insert into record_quarantine as q (record_id, domain, exception_id, since, lock_version)
       select u.record_id::uuid, u.domain, u.exception_id::uuid, clock_timestamp(), 1
         from unnest(?::text[], ?::text[], ?::text[]) as u(record_id, domain, exception_id) order by 1
       on conflict (record_id) do update set exception_id = excluded.exception_id, since = excluded.since,
         released_at = null, released_by = null, release_note = null, lock_version = q.lock_version + 1
        where q.released_at is not null and q.exception_id <> excluded.exception_id
       returning record_id::text, domain, exception_id::text`,
      [
        arr(quarantining.map((f) => f.record_id)),
        arr(quarantining.map((f) => f.domain)),
        arr(quarantining.map((f) => f.id)),
      ],
    );
    const inputOf = new Map(rows.map((r) => [r.input.recordId, r.input]));
    await deps.outbox.appendMany(
      em,
      started.map((q): OutboxInput => {
        const input = inputOf.get(q.record_id);
        return {
          type: 'RECORD_QUARANTINED',
          domain: q.domain ?? undefined,
          subjectId: q.record_id,
          revision: input?.revision ?? undefined,
          payload: {
            exceptionId: q.exception_id,
            systemCode: input?.systemCode ?? '',
            code: input?.code ?? '',
            message: input?.message ?? '',
          },
          origin: originOf(ctx),
        };
      }),
    );
  }
  return filed.map((f) => ({ id: f.id, recordId: f.record_id, created: f.created }));
}

/**
 * The system applied these records (at these revisions): its live exceptions about them from
 * acknowledgements and connector reports up to that revision resolve themselves; quarantines with no
 * live blocking exception left end. Answers the resolved exceptions' ids.
 */
export async function resolveApplied(
  em: Em,
  deps: IntakeDeps,
  ctx: CallContext,
  system: string,
  applied: readonly { recordId: string; revision: number }[],
): Promise<string[]> {
  if (applied.length === 0) return [];
  const resolved = await executeBound<{ id: string }>(
    em,
    `update integration_exception x set state = 'RESOLVED', resolved_at = clock_timestamp(), resolved_by = null,
            resolution = 'AUTO: the system acknowledged revision ' || u.revision || ' as APPLIED', live_key = null,
            lock_version = x.lock_version + 1
       from (select record_id::uuid as record_id, max(revision::int) as revision
               from unnest(?::text[], ?::text[]) as v(record_id, revision) group by 1) u
      where x.system_code = ? and x.record_id = u.record_id and x.state in ('OPEN', 'ACKNOWLEDGED')
        and x.source in ('ACKNOWLEDGEMENT', 'CONNECTOR') and coalesce(x.revision, 0) <= u.revision
     returning x.id::text`,
    [arr(applied.map((a) => a.recordId)), arr(applied.map((a) => a.revision)), system],
  );
  if (resolved.length > 0)
    await endQuarantines(
      em,
      deps,
      ctx,
      applied.map((a) => a.recordId),
    );
  return resolved.map((r) => r.id);
}

/** Quarantines of these records end when no live blocking exception is left on them. */
export async function endQuarantines(
  em: Em,
  deps: IntakeDeps,
  ctx: CallContext,
  recordIds: readonly string[],
): Promise<void> {
  if (recordIds.length === 0) return;
  const ended = await executeBound<{
    record_id: string;
    domain: string | null;
    exception_id: string;
    released: boolean;
  }>(
    em,
    `delete from record_quarantine q where q.record_id = any(?::uuid[])
       and not exists (select 1 from integration_exception x where x.record_id = q.record_id and x.blocking
                        and x.state in ('OPEN', 'ACKNOWLEDGED'))
     returning record_id::text, domain, exception_id::text, released_at is not null as released`,
    [arr(recordIds)],
  );
  // a quarantine a steward had released already let the record through: nothing to announce
  await deps.outbox.appendMany(
    em,
    ended
      .filter((q) => !q.released)
      .map((q) => ({
        type: 'RECORD_RELEASED' as const,
        domain: q.domain ?? undefined,
        subjectId: q.record_id,
        payload: { exceptionId: q.exception_id, reason: 'RESOLVED', note: null },
        origin: originOf(ctx),
      })),
  );
}
