/**
 * An Odoo connector and a PLM connector kept in step through Canon's feed, as docs/connectors.md
 * tells them to: PLM owns items and writes them; Odoo creates what the feed announces and links its
 * ids. Along the way a rekey, a future-dated change, the echo of each one's writes, a new major of
 * the item contract and a typo'd system. At the end both systems' own stores equal Canon's maps.
 */

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  connectorFor,
  mutate,
  nodes,
  propose,
  publishVersion,
  registerVersion,
} from '../support/factories.ts';

let t: TestApp;
let plm: { system: string; token: string };
let odoo: { system: string; token: string };

/** What a connector keeps on its side: its ids, and the Canon record and key each stands for. */
interface LocalStore {
  byRecord: Map<string, { externalId: string; key: string; name: string }>;
  cursor: string;
}
const odooStore: LocalStore = { byRecord: new Map(), cursor: '0' };
const plmStore: LocalStore = { byRecord: new Map(), cursor: '0' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  t = await startTestApp();
  plm = await connectorFor(t, { domain: 'item', kind: 'PLM', code: 'plm-sc', requiredApprovals: 0 });
  odoo = await connectorFor(t, { kind: 'ERP', code: 'odoo-sc' });
});
afterAll(async () => {
  await t?.close();
});

/** The connector's feed loop: every change since its cursor except the echo of its own writes. */
async function poll(system: { system: string; token: string }, store: LocalStore) {
  const r = await t.gql(
    `query($after: BigIntString!, $me: String!) { changeFeed(afterSequence: $after, first: 1000, domain: "item", excludeOriginSystem: $me,
      types: [RECORD_CHANGED, RECORD_REKEYED, RECORD_EFFECTIVE, XREF_LINKED, XREF_UNLINKED]) {
      edges { node { sequence type subjectId effectiveFrom payload contractVersion origin { systemCode idempotencyKey } } } } }`,
    { after: store.cursor, me: system.system },
    system.token,
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  const events = nodes(r.data.changeFeed);
  if (events.length > 0) store.cursor = events.at(-1).sequence;
  return events;
}

/** Odoo's handler: create unknown products, apply what is in force now, follow renames. */
async function odooHandles(events: any[]) {
  let next = 1000 + odooStore.byRecord.size;
  for (const e of events) {
    const known = odooStore.byRecord.get(e.subjectId);
    // a change recorded for later is acted on when RECORD_EFFECTIVE says it is in force
    const inForce =
      e.type === 'RECORD_EFFECTIVE' ||
      (e.type === 'RECORD_CHANGED' && Date.parse(e.effectiveFrom) <= Date.now());
    if (inForce && !known) {
      const externalId = String(next++);
      odooStore.byRecord.set(e.subjectId, { externalId, key: e.payload.key, name: e.payload.data.name });
      const linked = await mutate(
        t,
        'linkXrefs',
        {
          system: odoo.system,
          domain: 'item',
          links: [{ externalId, externalKey: `product.p_${externalId}`, recordId: e.subjectId }],
        },
        'linked',
        { token: odoo.token },
      );
      expect(linked.linked).toBe(1);
    } else if (inForce && known) {
      known.key = e.payload.key;
      known.name = e.payload.data.name;
    } else if (e.type === 'RECORD_REKEYED' && known) {
      known.key = e.payload.newKey;
    }
  }
}

const plmPropose = (input: Record<string, unknown>) => propose(t, { domain: 'item', ...input }, plm.token);

/** A system's map in Canon, as the bulk download gives it: external id → record and key. */
async function canonMap(system: string, token: string) {
  const res = await fetch(`${t.url}/maps/${system}/item?format=ndjson`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  const lines = (await res.text()).split('\n').filter(Boolean);
  return new Map(
    lines
      .map((l) => JSON.parse(l))
      .filter((row) => row.externalId)
      .map((row) => [row.recordId, { externalId: row.externalId, key: row.key }]),
  );
}

describe('Odoo and PLM through the feed', () => {
  it('ends with both systems holding exactly what Canon maps', async () => {
    // PLM creates two items and links its own ids; its requests carry idempotency keys
    const created: string[] = [];
    for (const [code, plmId] of [
      ['SC-DESK 001', 'PLM-1'],
      ['[SC-LEG]', 'PLM-2'],
    ]) {
      const cr = await plmPropose({
        data: { code, name: code, type: 'goods', uom: 'C62', tracking: 'none' },
        idempotencyKey: `plm-create-${plmId}`,
      });
      expect(cr.status).toBe('APPLIED');
      created.push(cr.recordId);
      plmStore.byRecord.set(cr.recordId, { externalId: plmId, key: code, name: code });
      await mutate(
        t,
        'linkXrefs',
        { system: plm.system, domain: 'item', links: [{ externalId: plmId, recordId: cr.recordId }] },
        'linked',
        {
          token: plm.token,
        },
      );
    }

    // Odoo sees both and creates them; PLM sees none of its own writes come back (no echo)
    await odooHandles(await poll(odoo, odooStore));
    expect(odooStore.byRecord.size).toBe(2);
    const plmEvents = await poll(plm, plmStore);
    expect(plmEvents.every((e: any) => e.origin?.systemCode !== plm.system)).toBe(true);
    expect(plmEvents.map((e: any) => e.type)).toEqual(['XREF_LINKED', 'XREF_LINKED']);
    // the unfiltered feed says whose write each was, with the request's idempotency key
    const all = await t.gql(
      '{ changeFeed(afterSequence: "0", first: 1000, types: [RECORD_CHANGED], domain: "item") { edges { node { subjectId contractVersion origin { systemCode idempotencyKey } } } } }',
    );
    expect(nodes(all.data.changeFeed).find((e: any) => e.subjectId === created[0])).toMatchObject({
      contractVersion: 'item@1.1.0',
      origin: { systemCode: plm.system, idempotencyKey: 'plm-create-PLM-1' },
    });

    // a new major of the item contract is published: PLM's proposals stay on 1.x until moved
    const v110 = JSON.parse(
      readFileSync(new URL('../../contracts/item/1.1.0.schema.json', import.meta.url), 'utf8'),
    );
    delete v110.$id;
    delete v110.$schema;
    v110.required = [...v110.required, 'brand'];
    v110.properties.brand = { type: 'string', description: 'Brand.' };
    await registerVersion(t, { contract: 'item', version: '2.0.0', schema: v110 });
    await publishVersion(t, 'item', '2.0.0', { allowBreaking: true });

    // PLM renames the desk: Odoo follows the rekey, its xref keeps pointing at the same record
    const desk = created[0];
    const renamed = await plmPropose({
      recordId: desk,
      patch: { code: 'SC-DESK 002' },
      idempotencyKey: 'plm-rekey-1',
    });
    expect(renamed.status).toBe('APPLIED');
    plmStore.byRecord.get(desk)!.key = 'SC-DESK 002';
    const afterRekey = await poll(odoo, odooStore);
    expect(afterRekey.map((e: any) => e.type)).toEqual(['RECORD_CHANGED', 'RECORD_REKEYED']);
    expect(afterRekey[0].contractVersion).toBe('item@1.1.0');
    await odooHandles(afterRekey);

    // a change for later: announced now, in force (and acted on) when RECORD_EFFECTIVE arrives
    const at = new Date(Date.now() + 1500).toISOString();
    const later = await plmPropose({
      recordId: created[1],
      patch: { name: 'Leg, steel' },
      effectiveFrom: at,
    });
    expect(later.status).toBe('APPLIED');
    plmStore.byRecord.get(created[1])!.name = 'Leg, steel';
    const scheduled = await poll(odoo, odooStore);
    expect(scheduled).toMatchObject([{ type: 'RECORD_CHANGED', effectiveFrom: at }]);
    await odooHandles(scheduled);
    expect(odooStore.byRecord.get(created[1])!.name).toBe('[SC-LEG]');
    let effective: any[] = [];
    for (let i = 0; i < 100 && effective.length === 0; i++) {
      await sleep(100);
      effective = await poll(odoo, odooStore);
    }
    expect(effective).toMatchObject([{ type: 'RECORD_EFFECTIVE', subjectId: created[1] }]);
    await odooHandles(effective);
    expect(odooStore.byRecord.get(created[1])!.name).toBe('Leg, steel');

    // a typo in the system name is an error, never an empty map to "fill in"
    const typo = await t.gql(
      '{ resolveXrefs(system: "odoo-cs", domain: "item", externalIds: ["1000"]) { __typename ... on Error { code path } } }',
      {},
      odoo.token,
    );
    expect(typo.data.resolveXrefs).toMatchObject({ code: 'NOT_FOUND', path: ['system'] });
    expect(
      (await fetch(`${t.url}/maps/odoo-cs/item`, { headers: { authorization: `Bearer ${odoo.token}` } }))
        .status,
    ).toBe(404);

    // both systems' stores equal Canon's maps
    for (const [system, token, store] of [
      [odoo.system, odoo.token, odooStore],
      [plm.system, plm.token, plmStore],
    ] as const) {
      const map = await canonMap(system, token);
      expect(
        new Map([...store.byRecord].map(([id, v]) => [id, { externalId: v.externalId, key: v.key }])),
      ).toEqual(map);
    }
    // and what Odoo shows is what Canon holds now
    for (const [id, local] of odooStore.byRecord) {
      const r = await t.gql('query($id: ID!) { item(id: $id) { ... on Item { code name } } }', { id });
      expect(r.data.item).toEqual({ code: local.key, name: local.name });
    }
  });
});
