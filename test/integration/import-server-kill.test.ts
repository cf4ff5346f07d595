/**
 * An import uploaded to a server that is killed (SIGKILL) after a committed batch: the restarted
 * server marks the job FAILED (its runner is gone), and uploading the same file again with
 * `resume=true` continues that job after its last committed batch — ending as one clean run, with
 * every row once and every id linked once. Canon runs as a child process (`npm start`'s entry point)
 * on the test's database (PGlite's data directory, or a PostgreSQL database).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openCanonDatabase } from '../../src/startup.ts';
import { testConfig } from '../support/app.ts';
import { childDatabase, freePort, startCanonChild, stopChild } from '../support/child-canon.ts';
import type { TestDatabase } from '../support/db.ts';

vi.setConfig({ testTimeout: 600_000 });

const ROWS = 2_000;
const BATCH = 20;
const KILLS = 3;
const token = `server-kill-admin-${randomBytes(16).toString('hex')}`;

let db: TestDatabase;
let env: Record<string, string>;
let remove: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  ({ db, env, remove } = await childDatabase('canon-import-server-kill-'));
});
afterAll(async () => {
  await remove();
});

const startServer = (port: number) => startCanonChild(port, token, env);
const stop = stopChild;

describe('an import on a server killed mid-way', () => {
  it(`resumes after ${KILLS} SIGKILLs of the server with the result of one clean run`, async () => {
    const file = [
      'externalId,code,name',
      ...Array.from({ length: ROWS }, (_, i) => `s-${i},SKILL-${String(i).padStart(5, '0')},Cell ${i}`),
    ].join('\n');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const gql = async (query: string, variables: Record<string, unknown> = {}) =>
      (await (
        await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        })
      ).json()) as { data: any; errors?: unknown[] };
    const upload = async (resume: boolean) => {
      const res = await fetch(
        `${url}/imports/work-center?mode=apply&system=wms-kill&batch=${BATCH}&name=cells.csv${resume ? '&resume=true' : ''}`,
        {
          method: 'POST',
          headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
          body: file,
        },
      );
      expect(res.status, await res.clone().text()).toBe(202);
      return ((await res.json()) as { importJob: { id: string } }).importJob.id;
    };
    const job = async (id: string) =>
      (
        await gql('query($id: ID!) { importJob(id: $id) { status batchesCommitted rowsDone message } }', {
          id,
        })
      ).data.importJob;

    let server = await startServer(port);
    const registered = await gql(
      'mutation { registerSystem(input: { code: "wms-kill", name: "WMS", kind: WMS }) { ... on RegisterSystemPayload { system { code } } } }',
    );
    expect(registered.errors).toBeUndefined();
    let id = await upload(false);
    // kill at a random moment after each (re)upload; reads may wait behind the import's batches
    // (PGlite has one connection), so the moment is timed, not observed
    let kills = 0;
    let interruptions = 0;
    while (kills < KILLS) {
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 1200));
      await stop(server, 'SIGKILL');
      kills++;
      server = await startServer(port);
      // the restarted server finds the job's runner gone and marks it FAILED
      let state = await job(id);
      for (let i = 0; state.status === 'RUNNING' && i < 400; i++)
        state = await new Promise((r) => setTimeout(r, 50)).then(() => job(id));
      if (state.status === 'COMPLETED') break; // it had finished before the kill
      expect(state.status).toBe('FAILED');
      expect(state.message).toContain('Interrupted');
      interruptions++;
      expect(await upload(true)).toBe(id); // the same job, continued
    }
    for (let i = 0; (await job(id)).status === 'RUNNING' && i < 3000; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await job(id)).toMatchObject({
      status: 'COMPLETED',
      rowsDone: ROWS,
      batchesCommitted: ROWS / BATCH,
    });
    await stop(server, 'SIGTERM');
    expect(interruptions).toBeGreaterThanOrEqual(1);
    console.log(`[import-server-kill] ${kills} SIGKILLs, ${interruptions} interrupted the import`);

    const opened = await openCanonDatabase(
      testConfig(db, env.CANON_DATA_DIR ? { dataDir: env.CANON_DATA_DIR } : {}),
      'test',
    );
    try {
      const conn = opened.orm.em.fork().getConnection();
      const n = async (sql: string) => Number((await conn.execute<{ n: string }[]>(sql))[0].n);
      expect(await n("select count(*)::text as n from golden_record where key like 'SKILL-%'")).toBe(ROWS);
      expect(
        await n(
          "select count(*)::text as n from record_revision r join golden_record g on g.id = r.record_id where g.key like 'SKILL-%'",
        ),
      ).toBe(ROWS);
      expect(await n("select count(*)::text as n from xref where system_code = 'wms-kill'")).toBe(ROWS);
      expect(await n('select count(*)::text as n from import_job')).toBe(1);
      expect(
        await n(
          `select count(*)::text as n from audit_event where action = 'RECORDS_IMPORTED' and subject_id = '${id}'`,
        ),
      ).toBe(ROWS / BATCH);
      id = '';
    } finally {
      await opened.close();
    }
  });
});
