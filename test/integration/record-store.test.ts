/**
 * The record store at scale: the materialised current row of each record (record_current) answers
 * exactly what history answers, for any moment, on random histories with backdated and future
 * revisions; and every list and lookup query plans as index scans on 100,000 records.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentRevisionsSql, recordRowsSql } from '../../src/modules/records/as-of.ts';
import { refreshStaleCurrent } from '../../src/modules/records/record-current.ts';
import { listCountSql, listFilter, listPageSql } from '../../src/modules/records/record-list-query.ts';
import type { ListFilter } from '../../src/modules/records/records.types.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { nodes, propose, setApprovalPolicy, stewardPair, uniqueCode } from '../support/factories.ts';

let t: TestApp;
let proposer: string;

beforeAll(async () => {
  t = await startTestApp();
  [proposer] = await stewardPair(t);
  await setApprovalPolicy(t, 'work-center', 0);
});
afterAll(async () => {
  await t?.close();
});

const sql = <T = any>(text: string, params: unknown[] = []) =>
  t.app.orm.em.fork().getConnection().execute<T[]>(text, params);

/** The reference: the revision in effect at a moment, computed from history alone. */
async function fromHistory(prefix: string, at: Date) {
  const rows = await sql<{ key: string; revision: number; status: string; name: string }>(
    `select g.key, cur.revision, cur.status, cur.data->>'name' as name
       from (${currentRevisionsSql("g0.domain = 'work-center' and g0.key like ?", '?')}) cur
       join golden_record g on g.id = cur.record_id order by g.key`,
    [`${prefix}%`, at],
  );
  return rows.map((r) => ({ code: r.key, revision: r.revision, status: r.status, name: r.name }));
}

async function fromApi(prefix: string, at: Date) {
  const r = await t.gql(
    `query($a: DateTime, $p: String) { workCenters(first: 100, asOf: $a, filter: { keyPrefix: $p, status: ALL }) {
        edges { node { code revision status name } } } }`,
    { a: at.toISOString(), p: prefix },
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return nodes<{ code: string; revision: number; status: string; name: string }>(r.data.workCenters);
}

const DAY = 86_400_000;

describe('record_current', () => {
  it('answers what history answers at every moment, on random histories', async () => {
    const step = fc.record({
      // most changes now, some backdated by up to ten days, some due within a second and a half
      offset: fc.oneof(
        fc.constant(0),
        fc.integer({ min: -10 * DAY, max: -1 }),
        fc.integer({ min: 200, max: 1_500 }),
      ),
      retire: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(step, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }),
        async (histories) => {
          const prefix = uniqueCode('RC').toUpperCase();
          const moments: Date[] = [new Date(Date.now() - 20 * DAY)];
          for (const [i, steps] of histories.entries()) {
            const code = `${prefix}-${i}`;
            const created = await propose(t, { domain: 'work-center', data: { code, name: 'v0' } }, proposer);
            expect(created.status).toBe('APPLIED');
            let revision = created.appliedRevision as number;
            let retired = false;
            for (const [j, s] of steps.entries()) {
              const effectiveFrom = new Date(Date.now() + s.offset);
              moments.push(effectiveFrom, new Date(effectiveFrom.getTime() - 1));
              const retiring: boolean = s.retire && !retired;
              const cr = await propose(
                t,
                {
                  domain: 'work-center',
                  recordId: created.recordId,
                  operation: retiring ? 'RETIRE' : retired ? 'RESTORE' : 'UPDATE',
                  baseRevision: revision,
                  effectiveFrom: effectiveFrom.toISOString(),
                  ...(retiring || retired ? {} : { patch: { name: `v${j + 1}` } }),
                },
                proposer,
              );
              expect(cr.status, JSON.stringify(cr)).toBe('APPLIED');
              revision = cr.appliedRevision;
              retired = retiring;
            }
          }
          // now, while some revisions are still to come, and again once their moment has passed
          // (before and after the scheduler refreshed the rows)
          for (const phase of ['now', 'due', 'refreshed'] as const) {
            if (phase === 'due') await new Promise((r) => setTimeout(r, 1_600));
            if (phase === 'refreshed')
              await t.app.orm.em.fork().transactional((em) => refreshStaleCurrent(em));
            for (const at of [...moments, new Date(), new Date(Date.now() + DAY)]) {
              expect(await fromApi(prefix, at), `${phase} at ${at.toISOString()}`).toEqual(
                await fromHistory(prefix, at),
              );
            }
          }
        },
      ),
      {
        numRuns: Number(process.env.FC_STORE_RUNS ?? 8),
        seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31),
      },
    );
  });

  it('is the same row history computes once the scheduler has refreshed it', async () => {
    await t.app.orm.em.fork().transactional((em) => refreshStaleCurrent(em, 100_000));
    const drift = await sql<{ n: string }>(
      `select count(*)::text as n from record_current c
         left join (${currentRevisionsSql('true', 'now()')}) h on h.record_id = c.record_id
        where c.revision is distinct from h.revision or c.data is distinct from h.data
           or c.status is distinct from h.status`,
    );
    expect(Number(drift[0].n)).toBe(0);
  });
});

describe('query plans on 100,000 records', () => {
  const domain = 'plan-probe';
  beforeAll(async () => {
    // a domain of its own, filled in SQL (the plans are what is under test, not the writer)
    await sql(
      `with g as (
         insert into golden_record (id, domain, key, site, key_scope, status, latest_revision, created_at, updated_at, lock_version)
         select gen_random_uuid(), ?, 'K' || lpad(i::text, 7, '0'), 'S' || (i % 20), '', 'ACTIVE', 1, now(), now(), 1
           from generate_series(1, 100000) i returning id, key, site)
       , rv as (
         insert into record_revision (id, record_id, revision, data, status, operation, contract_version,
                                      contract_version_id, effective_from, created_at)
         select gen_random_uuid(), g.id, 1,
                jsonb_build_object('code', g.key, 'name', 'Name ' || g.key, 'tracking', case when right(g.key, 1) = '7' then 'lot' else 'none' end),
                'ACTIVE', 'CREATE', 'plan-probe@1.0.0', gen_random_uuid(), now() - interval '1 day', now()
           from g returning record_id, data, effective_from)
       insert into record_current (record_id, domain, key, key_scope, site, revision, data, status, effective_from, contract_version)
       select g.id, ?, g.key, '', g.site, 1, rv.data, 'ACTIVE', rv.effective_from, 'plan-probe@1.0.0'
         from g join rv on rv.record_id = g.id`,
      [domain, domain],
    );
    await sql('analyze golden_record');
    await sql('analyze record_revision');
    await sql('analyze record_current');
  }, 300_000);

  async function plan(text: string, params: unknown[]): Promise<string[]> {
    const rows = await sql<{ 'QUERY PLAN': unknown }>(`explain (format json) ${text}`, params);
    const raw = rows[0]['QUERY PLAN'];
    const tree = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
    const scans: string[] = [];
    const walk = (n: PlanNode) => {
      if (n['Relation Name']) scans.push(`${n['Node Type']} on ${n['Relation Name']}`);
      for (const c of n.Plans ?? []) walk(c);
    };
    walk(tree[0].Plan);
    return scans;
  }
  type PlanNode = { 'Node Type': string; 'Relation Name'?: string; Plans?: PlanNode[] };

  const filters: [string, Omit<ListFilter, 'domain'>][] = [
    ['no filter', {}],
    ['any status', { status: 'ALL' }],
    ['site', { site: 'S7' }],
    ['key prefix', { keyPrefix: 'K00042' }],
    ['search', { search: 'K0004217' }],
    ['data contains', { dataContains: { tracking: 'lot' } }],
  ];

  it.each(filters)('a page with %s scans no table sequentially', async (_name, f) => {
    const filter = { domain, ...f };
    const first = listPageSql(filter, { limit: 100, withTotal: false });
    const next = listPageSql(filter, {
      limit: 100,
      withTotal: false,
      after: ['K0050000', '', '00000000-0000-0000-0000-000000000000'],
    });
    for (const q of [first, next]) {
      const scans = await plan(q.sql, q.params);
      expect(
        scans.filter((s) => s.startsWith('Seq Scan')),
        scans.join(', '),
      ).toEqual([]);
    }
  });

  it('counts without a sequential scan of revisions', async () => {
    for (const [, f] of filters) {
      const q = listCountSql({ domain, ...f });
      const scans = await plan(q.sql, q.params);
      expect(scans, scans.join(', ')).not.toContain('Seq Scan on record_revision');
    }
  });

  it('looks records up by id, by key and by payload without a sequential scan', async () => {
    const [some] = await sql<{ record_id: string }>(
      "select record_id from record_current where domain = ? and key = 'K0001234'",
      [domain],
    );
    const lookups = [
      recordRowsSql(new Date(), (_r, k) => ({ sql: `${k}.record_id in (?)`, params: [some.record_id] })),
      recordRowsSql(new Date(), (_r, k) => ({
        sql: `${k}.domain = ? and ${k}.key = ?`,
        params: [domain, 'K0001234'],
      })),
      recordRowsSql(new Date(), (r, k) => ({
        sql: `${k}.domain = ? and ${r}.data @> ?::jsonb`,
        params: [domain, JSON.stringify({ code: 'K0001234' })],
      })),
      recordRowsSql(new Date(), listFilter({ domain, search: 'Name K00012' })),
    ];
    for (const q of lookups) {
      const scans = await plan(`${q.sql} limit 20`, q.params);
      expect(
        scans.filter((s) => s.startsWith('Seq Scan')),
        scans.join(', '),
      ).toEqual([]);
    }
  });
});
