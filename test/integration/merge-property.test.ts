/**
 * Merges and unmerges as a property (fast-check): on random forests of locations (parent references)
 * with random xrefs from two systems, any sequence of merges and unmerges keeps every live xref on a
 * live record, a refused merge changes nothing, and a merge undone at once leaves records, references
 * and xrefs exactly as they were.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  mutate,
  propose,
  registerSystem,
  setApprovalPolicy,
  stewardPair,
  uniqueCode,
} from '../support/factories.ts';

let t: TestApp;
let steward: string;
const systems = [uniqueCode('prop-a'), uniqueCode('prop-b')];
beforeAll(async () => {
  t = await startTestApp();
  [steward] = await stewardPair(t);
  await setApprovalPolicy(t, 'location', 0);
  for (const code of systems) await registerSystem(t, { code });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const sql = (text: string, params: unknown[] = []) =>
  t.app.services.orm.em
    .fork()
    .getConnection()
    .execute<Record<string, unknown>[]>(text, params as never);

/** Everything a merge may touch, for the records of one run. */
async function snapshot(ids: string[]) {
  const list = `{${ids.join(',')}}`;
  return {
    records: await sql(
      `select g.id, g.key, g.status, g.merged_into, c.data from golden_record g join record_current c on c.record_id = g.id
        where g.id = any(?::uuid[]) order by g.id`,
      [list],
    ),
    references: await sql(
      'select from_record, field, to_record from record_reference where from_record = any(?::uuid[]) order by 1, 2',
      [list],
    ),
    xrefs: await sql(
      `select system_code, external_id, record_id, record_key, state from xref where system_code = any(?::text[]) and record_id = any(?::uuid[]) order by 1, 2`,
      [`{${systems.join(',')}}`, list],
    ),
  };
}

const graph = fc.record({
  // parent of location i: none, or one of the locations before it (a forest: no cycles to start with)
  parents: fc.array(fc.option(fc.nat(), { nil: null }), { minLength: 3, maxLength: 6 }),
  // per location: which systems know it
  known: fc.array(fc.subarray([0, 1]), { minLength: 6, maxLength: 6 }),
});
const op = fc.oneof(
  fc.record({ kind: fc.constant('merge' as const), survivor: fc.nat(5), merged: fc.nat(5) }),
  fc.record({ kind: fc.constant('mergeAndUndo' as const), survivor: fc.nat(5), merged: fc.nat(5) }),
  fc.record({ kind: fc.constant('unmerge' as const), merged: fc.nat(5) }),
);

it('merge and unmerge keep xrefs on live records, and an unmerge undoes its merge exactly', async () => {
  const seen = { merged: 0, undone: 0, refused: 0, repointed: 0 };
  await fc.assert(
    fc.asyncProperty(graph, fc.array(op, { minLength: 1, maxLength: 6 }), async (g, ops) => {
      const site = uniqueCode('S').toUpperCase().slice(0, 12);
      const ids: string[] = [];
      for (let i = 0; i < g.parents.length; i++) {
        const p = g.parents[i];
        const parent = i > 0 && p !== null ? `L${p % i}` : undefined;
        const cr = await propose(
          t,
          {
            domain: 'location',
            data: { code: `L${i}`, name: `Bin ${i}`, usage: 'internal', site, ...(parent ? { parent } : {}) },
          },
          steward,
        );
        expect(cr.status, JSON.stringify(cr)).toBe('APPLIED');
        ids.push(cr.recordId);
      }
      for (const [s, code] of systems.entries()) {
        const links = ids
          .map((id, i) => ({ id, i }))
          .filter(({ i }) => g.known[i].includes(s))
          .map(({ id, i }) => ({ externalId: `${site}-${i}`, recordId: id }));
        if (links.length > 0)
          await mutate(t, 'linkXrefs', { system: code, domain: 'location', links }, 'linked');
      }
      const pick = (n: number) => ids[n % ids.length];
      for (const o of ops) {
        const before = await snapshot(ids);
        if (o.kind === 'unmerge') {
          const r = await mutate(t, 'unmergeRecord', { merged: pick(o.merged) }, 'status', {
            token: steward,
            field: 'changeRequest',
          });
          if (r.code)
            expect([
              'INVALID_STATE',
              'DUPLICATE_KEY',
              'REFERENCE_NOT_FOUND',
              'CONTRACT_VALIDATION_FAILED',
            ]).toContain(r.code);
          if (r.code) expect(await snapshot(ids)).toEqual(before);
        } else {
          const r = await mutate(
            t,
            'mergeRecords',
            { survivor: pick(o.survivor), merged: pick(o.merged) },
            'status',
            { token: steward, field: 'changeRequest' },
          );
          if (r.code) {
            seen.refused++;
            // refused (the same record, one already merged, a merge that would make a location its own ancestor): nothing changed
            expect(r.code).toMatch(
              /^(MERGE_NOT_ALLOWED|INVALID_STATE|REFERENCE_NOT_FOUND|CONTRACT_VALIDATION_FAILED|BAD_USER_INPUT|DUPLICATE_KEY)$/,
            );
            expect(await snapshot(ids)).toEqual(before);
          } else {
            expect(r.status).toBe('APPLIED');
            seen.merged++;
            const [moved] = await sql(
              `select count(*)::int as n from record_merge where merged_id = ? and jsonb_array_length(moved_references) > 0`,
              [pick(o.merged)],
            );
            if (Number(moved.n) > 0) seen.repointed++;
            if (o.kind === 'mergeAndUndo') {
              seen.undone++;
              const u = await mutate(t, 'unmergeRecord', { merged: pick(o.merged) }, 'status', {
                token: steward,
                field: 'changeRequest',
              });
              expect(u.status, JSON.stringify(u)).toBe('APPLIED');
              expect(await snapshot(ids)).toEqual(before);
            }
          }
        }
        const [dangling] = await sql(
          `select count(*)::int as n from xref x join golden_record g on g.id = x.record_id
            where x.state = 'ACTIVE' and x.system_code = any(?::text[]) and g.status <> 'ACTIVE'`,
          [`{${systems.join(',')}}`],
        );
        expect(dangling.n).toBe(0);
      }
    }),
    { numRuns: 20 },
  );
  // the runs did merge, re-point children, undo and refuse (not only refusals)
  expect(seen.merged).toBeGreaterThan(0);
  expect(seen.undone).toBeGreaterThan(0);
  expect(seen.repointed).toBeGreaterThan(0);
  expect(seen.refused).toBeGreaterThan(0);
}, 600_000);
