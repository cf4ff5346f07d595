/**
 * The mutations of the concurrency sweep (test/integration/concurrency-sweep.test.ts): for each, how
 * to prepare a fresh call, which audit action it writes, and how to read its effects from the tables.
 */
import type { TestApp } from './app.ts';
import { itemData, mutate, propose, publishVersion, registerSystem, registerVersion } from './factories.ts';

export interface Case {
  input: Record<string, unknown>;
  token?: string;
  /** Effects so far, read from the tables. */
  effects(): Promise<number>;
}

export interface Spec {
  action: string;
  /** Without a key, the five calls still have exactly one effect (they name one thing). */
  once: boolean;
  prepare(n: string): Promise<Case>;
}

/** What the specs run against; filled in by the test's beforeAll, read only when a case is prepared. */
export interface SweepEnv {
  t: TestApp;
  stewards: [string, string];
  recordId: string;
  /** Two live items (the first is recordId's), and a live work center: what typed BOM and routing proposals name. */
  itemCodes: [string, string];
  workCenterCode: string;
}

export function mutationSpecs(env: SweepEnv) {
  const sql = async (text: string, params: unknown[] = []): Promise<any[]> =>
    env.t.app.orm.em
      .fork()
      .getConnection()
      .execute(text, params as never);
  const count = async (text: string, params: unknown[] = []) => Number((await sql(text, params))[0].n);
  const lockOf = async (table: string, where: string, params: unknown[], column = 'lock_version') =>
    count(`select ${column} as n from ${table} where ${where}`, params);

  const SCHEMA = { type: 'object', properties: { code: { type: 'string', description: 'Code.' } } };
  const WIDER = {
    type: 'object',
    properties: { ...SCHEMA.properties, name: { type: 'string', description: 'Name.' } },
  };

  async function pendingProposal(n: string): Promise<string> {
    const cr = await propose(env.t, { domain: 'item', data: itemData(`SW-${n}`) }, env.stewards[0]);
    if (cr.status !== 'PENDING') throw new Error(JSON.stringify(cr));
    return cr.id;
  }
  /** A bulk change request of one pending item proposal (an import in propose mode, over HTTP). */
  async function pendingBulk(n: string): Promise<{ id: string; members: string[] }> {
    const res = await fetch(`${env.t.url}/imports/work-center?batch=10`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${env.stewards[0]}` },
      body: `code,name\nSWB-${n},Bulk ${n}\n`,
    });
    if (res.status !== 202) throw new Error(await res.text());
    const { importJob } = (await res.json()) as { importJob: { id: string } };
    for (let i = 0; i < 300; i++) {
      const rows = await sql(
        `select b.id, array_agg(c.id::text) as members from bulk_change_request b
           join change_request c on c.bulk_id = b.id where b.import_job_id = ? group by b.id`,
        [importJob.id],
      );
      if (rows.length > 0) return { id: rows[0].id, members: rows[0].members };
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`import ${importJob.id} made no bulk change request`);
  }
  const relaxable: [string, string][] = [
    ['lot', 'lot.date-order'],
    ['location', 'location.view-usage'],
    ['uom', 'uom.rec20'],
    ['lot', 'lot.quality-transition'],
  ];
  const statusIs = (id: string, status: string) =>
    count('select count(*)::int as n from change_request where id = ? and status = ?', [id, status]);
  async function draft(n: string): Promise<string> {
    const contract = `sweep-${n}`;
    await registerVersion(env.t, { contract, version: '1.0.0', schema: SCHEMA });
    return contract;
  }
  async function published(n: string): Promise<string> {
    const contract = await draft(n);
    await publishVersion(env.t, contract, '1.0.0');
    return contract;
  }
  /** A contract whose 2.0.0 waits for sweep-odoo (a subscriber) to acknowledge it. */
  async function waitingVersion(n: string): Promise<string> {
    const contract = await published(`impact-${n}`);
    await mutate(env.t, 'setSubscription', { system: 'sweep-odoo', domain: contract }, 'id', {
      field: 'subscription',
    });
    await registerVersion(env.t, {
      contract,
      version: '2.0.0',
      schema: { ...SCHEMA, required: ['code'] },
    });
    const held = await publishVersion(env.t, contract, '2.0.0', { allowBreaking: true });
    if (held.code !== 'IMPACT_PENDING') throw new Error(JSON.stringify(held));
    return contract;
  }
  const versionLock = (contract: string, version: string) =>
    lockOf(
      'contract_version v join contract c on c.id = v.contract_id',
      'c.name = ? and v.version = ?',
      [contract, version],
      'v.lock_version',
    );
  async function newToken(n: string) {
    const token = await mutate(
      env.t,
      'createApiToken',
      { role: 'VIEWER', actorName: `sweep-${n}` },
      'id actor { id }',
      {
        field: 'apiToken',
      },
    );
    return token as { id: string; actor: { id: string } };
  }

  /** Two live items that duplicate each other (ids). */
  async function twoItems(n: string): Promise<[string, string]> {
    const ids: string[] = [];
    for (const code of [`SWM-${n}`, `swm${n}`]) {
      const cr = await propose(env.t, { domain: 'item', data: itemData(code) }, env.stewards[0]);
      const applied = await mutate(env.t, 'approveChange', { id: cr.id }, 'recordId', {
        token: env.stewards[1],
        field: 'changeRequest',
      });
      ids.push(applied.recordId);
    }
    return ids as [string, string];
  }

  /** A live exception of sweep-odoo, filed by an admin's report. */
  async function liveException(n: string): Promise<string> {
    const x = await mutate(
      env.t,
      'reportException',
      {
        system: 'sweep-odoo',
        domain: 'item',
        externalId: `SWX-${n}`,
        code: 'SWEEP',
        message: 'Sweep failure.',
      },
      'id',
      { field: 'exception' },
    );
    if (!x.id) throw new Error(JSON.stringify(x));
    return x.id;
  }

  const specs: Record<string, Spec> = {
    approveChange: {
      action: 'CHANGE_APPROVED',
      once: true,
      prepare: async (n) => {
        const id = await pendingProposal(n);
        return {
          input: { id },
          token: env.stewards[1],
          effects: () =>
            count('select count(*)::int as n from record_revision where change_request_id = ?', [id]),
        };
      },
    },
    approveChanges: {
      action: 'CHANGE_APPROVED',
      once: true,
      prepare: async (n) => {
        const id = await pendingProposal(n);
        return {
          input: { ids: [id] },
          token: env.stewards[1],
          effects: () =>
            count('select count(*)::int as n from record_revision where change_request_id = ?', [id]),
        };
      },
    },
    rejectChange: {
      action: 'CHANGE_REJECTED',
      once: true,
      prepare: async (n) => {
        const id = await pendingProposal(n);
        return {
          input: { id, reason: 'no' },
          token: env.stewards[1],
          effects: () => statusIs(id, 'REJECTED'),
        };
      },
    },
    rejectChanges: {
      action: 'CHANGE_REJECTED',
      once: true,
      prepare: async (n) => {
        const id = await pendingProposal(n);
        return {
          input: { ids: [id], reason: 'no' },
          token: env.stewards[1],
          effects: () => statusIs(id, 'REJECTED'),
        };
      },
    },
    withdrawChange: {
      action: 'CHANGE_WITHDRAWN',
      once: true,
      prepare: async (n) => {
        const id = await pendingProposal(n);
        return { input: { id }, token: env.stewards[0], effects: () => statusIs(id, 'WITHDRAWN') };
      },
    },
    proposeChange: {
      action: 'CHANGE_PROPOSED',
      once: false,
      prepare: async (n) => ({
        input: { domain: 'item', data: itemData(`SWP-${n}`) },
        token: env.stewards[0],
        effects: () =>
          count(
            `select count(*)::int as n from change_request where domain = 'item' and proposed->>'code' = ?`,
            [`SWP-${n}`],
          ),
      }),
    },
    proposeBomChange: {
      action: 'CHANGE_PROPOSED',
      once: false,
      prepare: async (n) => ({
        input: {
          data: {
            code: `SWB-${n}`,
            product: env.itemCodes[0],
            type: 'NORMAL',
            quantity: '1',
            uom: 'KGM',
            validFrom: '2026-01-01',
            lines: [{ component: env.itemCodes[1], quantity: '2.5', uom: 'KGM' }],
          },
        },
        token: env.stewards[0],
        effects: () =>
          count(
            `select count(*)::int as n from change_request where domain = 'bom' and proposed->>'code' = ?`,
            [`SWB-${n}`],
          ),
      }),
    },
    proposeRoutingChange: {
      action: 'CHANGE_PROPOSED',
      once: false,
      prepare: async (n) => ({
        input: {
          data: {
            code: `SWR-${n}`,
            name: 'Sweep routing',
            validFrom: '2026-01-01',
            operations: [
              { code: '10', sequence: 10, name: 'Cut', workCenter: env.workCenterCode, runMinutes: '1' },
            ],
          },
        },
        token: env.stewards[0],
        effects: () =>
          count(
            `select count(*)::int as n from change_request where domain = 'routing' and proposed->>'code' = ?`,
            [`SWR-${n}`],
          ),
      }),
    },
    assignSystemOfRecord: {
      action: 'SYSTEM_OF_RECORD_ASSIGNED',
      once: true,
      prepare: async (n) => {
        const domain = await published(n);
        return {
          input: { domain, system: 'sweep-odoo' },
          effects: () => count('select count(*)::int as n from sor_rule where domain = ?', [domain]),
        };
      },
    },
    removeSystemOfRecord: {
      action: 'SYSTEM_OF_RECORD_REMOVED',
      once: true,
      prepare: async (n) => {
        const domain = await published(n);
        const rule = await mutate(env.t, 'assignSystemOfRecord', { domain, system: 'sweep-odoo' }, 'id', {
          field: 'systemOfRecordRule',
        });
        return {
          input: { id: rule.id },
          effects: async () =>
            1 - (await count('select count(*)::int as n from sor_rule where id = ?', [rule.id])),
        };
      },
    },
    createApiToken: {
      action: 'API_TOKEN_CREATED',
      once: false,
      prepare: async (n) => ({
        input: { role: 'VIEWER', actorName: `sweep-${n}` },
        effects: () =>
          count(
            'select count(*)::int as n from api_token t join actor a on a.id = t.actor_id where a.name = ?',
            [`sweep-${n}`],
          ),
      }),
    },
    revokeApiToken: {
      action: 'API_TOKEN_REVOKED',
      once: true,
      prepare: async (n) => {
        const token = await newToken(n);
        return {
          input: { id: token.id },
          effects: () =>
            count('select count(*)::int as n from api_token where id = ? and revoked_at is not null', [
              token.id,
            ]),
        };
      },
    },
    rotateApiToken: {
      action: 'API_TOKEN_ROTATED',
      once: true,
      prepare: async (n) => {
        const token = await newToken(n);
        return {
          input: { id: token.id },
          effects: () =>
            count('select count(*)::int as n from api_token where actor_id = ? and id <> ?', [
              token.actor.id,
              token.id,
            ]),
        };
      },
    },
    registerSystem: {
      action: 'SYSTEM_REGISTERED',
      once: true,
      prepare: async (n) => ({
        input: { code: `sweep-${n}`, name: 'Sweep', kind: 'MES' },
        effects: () => count('select count(*)::int as n from system where code = ?', [`sweep-${n}`]),
      }),
    },
    updateSystem: {
      action: 'SYSTEM_UPDATED',
      once: true,
      prepare: async (n) => {
        await registerSystem(env.t, { code: `sweep-${n}` });
        const before = await lockOf('system', 'code = ?', [`sweep-${n}`]);
        return {
          input: { code: `sweep-${n}`, name: 'Renamed' },
          effects: async () => (await lockOf('system', 'code = ?', [`sweep-${n}`])) - before,
        };
      },
    },
    setApprovalPolicy: {
      action: 'APPROVAL_POLICY_SET',
      once: true,
      prepare: async (n) => {
        const domain = await published(n);
        return {
          input: { domain, requiredApprovals: 2 },
          effects: () =>
            count(
              'select count(*)::int as n from approval_policy where domain = ? and required_approvals = 2',
              [domain],
            ),
        };
      },
    },
    setRuleSeverity: {
      action: 'RULE_SEVERITY_SET',
      once: true,
      prepare: async () => {
        // each run relaxes a rule not relaxed yet (the catalogue is fixed)
        const [domain, rule] = relaxable.shift()!;
        return {
          input: { domain, rule, severity: 'WARNING' },
          effects: () =>
            count(
              "select count(*)::int as n from rule_severity where domain = ? and rule = ? and severity = 'WARNING'",
              [domain, rule],
            ),
        };
      },
    },
    approveBulkChange: {
      action: 'CHANGES_APPROVED',
      once: true,
      prepare: async (n) => {
        const bulk = await pendingBulk(n);
        return {
          input: { id: bulk.id },
          token: env.stewards[1],
          effects: () =>
            count('select count(*)::int as n from record_revision where change_request_id = any(?::uuid[])', [
              `{${bulk.members.join(',')}}`,
            ]),
        };
      },
    },
    rejectBulkChange: {
      action: 'CHANGE_REJECTED',
      once: true,
      prepare: async (n) => {
        const bulk = await pendingBulk(n);
        return {
          input: { id: bulk.id, reason: 'not this catalogue' },
          token: env.stewards[1],
          effects: () =>
            count(
              "select count(*)::int as n from change_request where id = any(?::uuid[]) and status = 'REJECTED'",
              [`{${bulk.members.join(',')}}`],
            ),
        };
      },
    },
    cancelImport: {
      action: 'IMPORT_CANCELLED',
      once: true,
      prepare: async (n) => {
        // a running import (its runner is not needed: cancelling only records the request)
        const [job] = await sql(
          `insert into import_job (id, domain, mode, status, source, format, mapping, fingerprint, batch_size, created_at, updated_at)
           values (gen_random_uuid(), 'item', 'APPLY', 'RUNNING', ?, 'csv', 'canon', ?, 100, now(), now()) returning id`,
          [`sweep-${n}.csv`, `sweep-${n}`],
        );
        return {
          input: { id: job.id },
          effects: () =>
            count(
              'select count(*)::int as n from import_job where id = ? and cancel_requested_at is not null',
              [job.id],
            ),
        };
      },
    },
    setKeySequence: {
      action: 'KEY_SEQUENCE_SET',
      once: true,
      prepare: async (n) => {
        const domain = await published(n);
        return {
          input: { domain, prefix: 'SW-', padding: 5 },
          effects: () => count('select count(*)::int as n from key_sequence where domain = ?', [domain]),
        };
      },
    },
    updateContract: {
      action: 'CONTRACT_UPDATED',
      once: true,
      prepare: async (n) => {
        const contract = await published(n);
        const before = await lockOf('contract', 'name = ?', [contract]);
        return {
          input: { name: contract, description: 'Swept.' },
          effects: async () => (await lockOf('contract', 'name = ?', [contract])) - before,
        };
      },
    },
    registerContractVersion: {
      action: 'CONTRACT_VERSION_REGISTERED',
      once: true,
      prepare: async (n) => {
        const contract = await published(n);
        return {
          input: { contract, version: '1.1.0', schema: WIDER },
          effects: async () =>
            count(
              'select count(*)::int as n from contract_version v join contract c on c.id = v.contract_id where c.name = ?',
              [contract],
            ).then((rows) => rows - 1),
        };
      },
    },
    updateContractDraft: {
      action: 'CONTRACT_DRAFT_UPDATED',
      once: true,
      prepare: async (n) => {
        const contract = await draft(n);
        const before = await versionLock(contract, '1.0.0');
        return {
          input: { contract, version: '1.0.0', schema: WIDER },
          effects: async () => (await versionLock(contract, '1.0.0')) - before,
        };
      },
    },
    pushContractVersions: {
      action: 'CONTRACT_VERSION_PUBLISHED',
      once: true,
      prepare: async (n) => {
        // a new contract's first version: five pushes at once publish it once
        const contract = `sweep-push-${n}`;
        return {
          input: { versions: [{ contract, version: '1.0.0', schema: SCHEMA }] },
          effects: () =>
            count(
              "select count(*)::int as n from contract_version v join contract c on c.id = v.contract_id where c.name = ? and v.status = 'PUBLISHED'",
              [contract],
            ),
        };
      },
    },
    deleteContractDraft: {
      action: 'CONTRACT_DRAFT_DELETED',
      once: true,
      prepare: async (n) => {
        const contract = await published(n);
        await registerVersion(env.t, { contract, version: '1.1.0', schema: WIDER });
        return {
          input: { contract, version: '1.1.0' },
          effects: async () =>
            1 -
            (await count(
              'select count(*)::int as n from contract_version v join contract c on c.id = v.contract_id where c.name = ?',
              [contract],
            )) +
            1,
        };
      },
    },
    publishContractVersion: {
      action: 'CONTRACT_VERSION_PUBLISHED',
      once: true,
      prepare: async (n) => {
        const contract = await draft(n);
        const before = await versionLock(contract, '1.0.0');
        return {
          input: { contract, version: '1.0.0' },
          effects: async () => (await versionLock(contract, '1.0.0')) - before,
        };
      },
    },
    deprecateContractVersion: {
      action: 'CONTRACT_VERSION_DEPRECATED',
      once: true,
      prepare: async (n) => {
        const contract = await published(n);
        const before = await versionLock(contract, '1.0.0');
        return {
          input: { contract, version: '1.0.0', reason: 'old' },
          effects: async () => (await versionLock(contract, '1.0.0')) - before,
        };
      },
    },
    retireContractVersion: {
      action: 'CONTRACT_VERSION_RETIRED',
      once: true,
      prepare: async (n) => {
        const contract = await published(n);
        await mutate(
          env.t,
          'deprecateContractVersion',
          { contract, version: '1.0.0', reason: 'old' },
          '__typename',
        );
        const before = await versionLock(contract, '1.0.0');
        return {
          input: { contract, version: '1.0.0' },
          effects: async () => (await versionLock(contract, '1.0.0')) - before,
        };
      },
    },
    linkXrefs: {
      action: 'XREFS_LINKED',
      once: true,
      prepare: async (n) => ({
        input: {
          system: 'sweep-odoo',
          domain: 'item',
          links: [{ externalId: `x-${n}`, recordId: env.recordId }],
        },
        effects: () => count('select count(*)::int as n from xref where external_id = ?', [`x-${n}`]),
      }),
    },
    unlinkXref: {
      action: 'XREF_UNLINKED',
      once: true,
      prepare: async (n) => {
        await mutate(
          env.t,
          'linkXrefs',
          { system: 'sweep-odoo', domain: 'item', links: [{ externalId: `u-${n}`, recordId: env.recordId }] },
          'linked',
        );
        return {
          input: { system: 'sweep-odoo', domain: 'item', externalId: `u-${n}` },
          effects: () =>
            count(`select count(*)::int as n from xref where external_id = ? and state = 'RETIRED'`, [
              `u-${n}`,
            ]),
        };
      },
    },
    updateRegistrySettings: {
      action: 'REGISTRY_SETTINGS_UPDATED',
      once: true,
      prepare: async () => {
        // another mode than the current one, so each call pair is a change
        const [{ mode }] = await sql(
          `select default_compatibility as mode from registry_settings where id = 1`,
        );
        return {
          input: { defaultCompatibility: mode === 'FULL' ? 'FORWARD' : 'FULL' },
          effects: () =>
            count(`select count(*)::int as n from audit_event where action = 'REGISTRY_SETTINGS_UPDATED'`),
        };
      },
    },
    mergeRecords: {
      action: 'CHANGE_PROPOSED',
      // each call is a proposal of its own (stewards decide): one with a key
      once: false,
      prepare: async (n) => {
        const [a, b] = await twoItems(n);
        return {
          input: { survivor: a, merged: b },
          token: env.stewards[0],
          effects: () =>
            count(
              "select count(*)::int as n from change_request where operation = 'MERGE' and record_id = ?",
              [a],
            ),
        };
      },
    },
    unmergeRecord: {
      action: 'RECORD_UNMERGED',
      once: true,
      prepare: async (n) => {
        const [a, b] = await twoItems(n);
        const cr = await mutate(env.t, 'mergeRecords', { survivor: a, merged: b }, 'id', {
          token: env.stewards[0],
          field: 'changeRequest',
        });
        await mutate(env.t, 'approveChange', { id: cr.id }, 'status', {
          token: env.stewards[1],
          field: 'changeRequest',
        });
        return {
          input: { merged: b },
          token: env.stewards[0],
          effects: () =>
            count("select count(*)::int as n from record_merge where merged_id = ? and state = 'UNMERGED'", [
              b,
            ]),
        };
      },
    },
    markNotDuplicate: {
      action: 'MATCH_CANDIDATE_DISMISSED',
      once: true,
      prepare: async (n) => {
        const [a, b] = await twoItems(n);
        const [x, y] = a < b ? [a, b] : [b, a];
        const [row] = await sql(
          `insert into match_candidate (id, domain, record_a, record_b, score, rule, reasons, status, found_by, found_at, lock_version)
           values (gen_random_uuid(), 'item', ?, ?, 0.9, 'same-code', '[]'::jsonb, 'OPEN', 'JOB', now(), 1) on conflict (domain, record_a, record_b) do update set status = 'OPEN' returning id`,
          [x, y],
        );
        return {
          input: { id: row.id },
          token: env.stewards[0],
          effects: () =>
            count(
              "select count(*)::int as n from match_candidate where id = ? and status = 'NOT_DUPLICATE'",
              [row.id],
            ),
        };
      },
    },
    startMatchJob: {
      action: 'MATCH_JOB_STARTED',
      // one match of a domain at a time; nothing changed since, the last one's answer stands
      once: true,
      prepare: async (n) => {
        await twoItems(n); // a write in the domain: a new match is due
        const [{ n: before }] = await sql("select count(*)::int as n from match_job where domain = 'item'");
        return {
          input: { domain: 'item' },
          token: env.stewards[0],
          effects: async () =>
            (await count("select count(*)::int as n from match_job where domain = 'item'")) - before,
        };
      },
    },
    setMatchRule: {
      action: 'MATCH_RULE_SET',
      // each call sets the rule again (a new version): one with a key
      once: false,
      prepare: async (n) => ({
        input: {
          domain: 'item',
          name: `sweep-${n}`,
          kind: 'EXACT',
          fields: ['/code'],
          score: 0.9,
          suggestAt: 0.9,
        },
        effects: () =>
          count('select coalesce(max(lock_version), 0)::int as n from match_rule where name = ?', [
            `sweep-${n}`,
          ]),
      }),
    },
    removeMatchRule: {
      action: 'MATCH_RULE_REMOVED',
      once: true,
      prepare: async (n) => {
        await mutate(
          env.t,
          'setMatchRule',
          {
            domain: 'item',
            name: `sweep-rm-${n}`,
            kind: 'EXACT',
            fields: ['/code'],
            score: 0.9,
            suggestAt: 0.9,
          },
          'rule { name }',
        );
        return {
          input: { domain: 'item', name: `sweep-rm-${n}` },
          effects: async () =>
            1 - (await count('select count(*)::int as n from match_rule where name = ?', [`sweep-rm-${n}`])),
        };
      },
    },
    setSurvivorshipRule: {
      action: 'SURVIVORSHIP_RULE_SET',
      once: true,
      prepare: async (n) => ({
        input: { domain: 'item', field: `/sweep${n}`, rule: 'MOST_RECENT' },
        effects: () =>
          count('select count(*)::int as n from survivorship_rule where field = ?', [`/sweep${n}`]),
      }),
    },
    acknowledgeChanges: {
      action: 'CHANGES_ACKNOWLEDGED_ON_BEHALF',
      // idempotent per (system, sequence): the first records it, the repeats change nothing
      once: true,
      prepare: async (n) => {
        const [item] = await twoItems(n);
        const [event] = await sql(
          "select sequence::text as s from outbox_event where type = 'RECORD_CHANGED' and subject_id = ?",
          [item],
        );
        return {
          input: { system: 'sweep-odoo', changes: [{ sequence: event.s, status: 'APPLIED' }] },
          effects: () =>
            count(
              "select count(*)::int as n from change_ack where system_code = 'sweep-odoo' and sequence = ?",
              [event.s],
            ),
        };
      },
    },
    setSubscription: {
      action: 'SUBSCRIPTION_SET',
      once: true,
      prepare: async (n) => {
        const code = `sweep-sub-${n}`;
        await registerSystem(env.t, { code });
        return {
          input: { system: code, domain: 'item' },
          effects: () =>
            count('select count(*)::int as n from system_subscription where system_code = ?', [code]),
        };
      },
    },
    removeSubscription: {
      action: 'SUBSCRIPTION_REMOVED',
      once: true,
      prepare: async (n) => {
        const code = `sweep-unsub-${n}`;
        await registerSystem(env.t, { code });
        const sub = await mutate(env.t, 'setSubscription', { system: code, domain: 'item' }, 'id', {
          field: 'subscription',
        });
        return {
          input: { id: sub.id },
          effects: async () =>
            1 - (await count('select count(*)::int as n from system_subscription where id = ?', [sub.id])),
        };
      },
    },
    reportException: {
      action: 'EXCEPTION_REPORTED',
      // the same failure again is counted on the live exception, not filed again
      once: true,
      prepare: async (n) => ({
        input: {
          system: 'sweep-odoo',
          domain: 'item',
          externalId: `SW-LOT-${n}`,
          code: 'MISSING_ITEM',
          message: 'Odoo has no such item',
        },
        effects: () =>
          count('select count(*)::int as n from integration_exception where external_id = ?', [
            `SW-LOT-${n}`,
          ]),
      }),
    },
    acknowledgeException: {
      action: 'EXCEPTION_ACKNOWLEDGED',
      once: true,
      prepare: async (n) => {
        const id = await liveException(n);
        return {
          input: { id },
          token: env.stewards[0],
          effects: () =>
            count(
              "select count(*)::int as n from integration_exception where id = ? and state = 'ACKNOWLEDGED'",
              [id],
            ),
        };
      },
    },
    assignException: {
      action: 'EXCEPTION_ASSIGNED',
      once: true,
      prepare: async (n) => {
        const id = await liveException(n);
        return {
          input: { id, assignee: `someone-${n}` },
          token: env.stewards[0],
          effects: () =>
            count('select count(*)::int as n from integration_exception where id = ? and assignee = ?', [
              id,
              `someone-${n}`,
            ]),
        };
      },
    },
    commentOnException: {
      action: 'EXCEPTION_COMMENTED',
      // each comment is a comment: one per success, one with a key
      once: false,
      prepare: async (n) => {
        const id = await liveException(n);
        return {
          input: { id, text: 'Looked at it.' },
          token: env.stewards[0],
          effects: () =>
            count('select count(*)::int as n from integration_exception_comment where exception_id = ?', [
              id,
            ]),
        };
      },
    },
    resolveException: {
      action: 'EXCEPTION_RESOLVED',
      once: true,
      prepare: async (n) => {
        const id = await liveException(n);
        return {
          input: { id, note: 'Fixed the item.' },
          token: env.stewards[0],
          effects: () =>
            count(
              "select count(*)::int as n from integration_exception where id = ? and state = 'RESOLVED'",
              [id],
            ),
        };
      },
    },
    reopenException: {
      action: 'EXCEPTION_REOPENED',
      once: true,
      prepare: async (n) => {
        const id = await liveException(n);
        await mutate(env.t, 'resolveException', { id, note: 'Done.' }, 'id', { field: 'exception' });
        return {
          input: { id, note: 'Happened again.' },
          token: env.stewards[0],
          effects: () =>
            count("select count(*)::int as n from integration_exception where id = ? and state = 'OPEN'", [
              id,
            ]),
        };
      },
    },
    resolveExceptions: {
      action: 'EXCEPTION_RESOLVED',
      once: true,
      prepare: async (n) => {
        const id = await liveException(n);
        return {
          input: { ids: [id], note: 'Bulk fixed.', resolution: 'WONT_FIX' },
          token: env.stewards[0],
          effects: () =>
            count(
              "select count(*)::int as n from integration_exception where id = ? and state = 'WONT_FIX'",
              [id],
            ),
        };
      },
    },
    releaseQuarantine: {
      action: 'QUARANTINE_RELEASED',
      once: true,
      prepare: async (n) => {
        const [item] = await twoItems(n);
        await mutate(
          env.t,
          'reportException',
          {
            system: 'sweep-odoo',
            domain: 'item',
            recordId: item,
            code: 'BLOCKED',
            message: 'No.',
            blocking: true,
          },
          'id',
          { field: 'exception' },
        );
        return {
          input: { recordId: item, note: 'Let it through.' },
          token: env.stewards[0],
          effects: () =>
            count(
              'select count(*)::int as n from record_quarantine where record_id = ? and released_at is not null',
              [item],
            ),
        };
      },
    },
    setContractImpactPolicy: {
      action: 'CONTRACT_IMPACT_POLICY_SET',
      once: true,
      prepare: async (n) => {
        const contract = await published(`policy-${n}`);
        return {
          input: { contract, waitOn: ['MAJOR', 'ENUM_ARRAY_NARROWED'] },
          effects: () =>
            count('select count(*)::int as n from contract_impact_policy where contract = ?', [contract]),
        };
      },
    },
    acknowledgeContractImpact: {
      action: 'CONTRACT_IMPACT_ACKNOWLEDGED',
      once: true,
      prepare: async (n) => {
        const contract = await waitingVersion(n);
        return {
          input: { contract, version: '2.0.0', system: 'sweep-odoo' },
          token: env.stewards[0],
          effects: () =>
            count(
              'select count(*)::int as n from contract_impact_ack a join contract_impact i on i.id = a.impact_id where i.contract = ?',
              [contract],
            ),
        };
      },
    },
    overrideContractImpact: {
      action: 'CONTRACT_IMPACT_OVERRIDDEN',
      once: true,
      prepare: async (n) => {
        const contract = await waitingVersion(n);
        return {
          input: { contract, version: '2.0.0', reason: 'The consumer is retired next week.' },
          effects: () =>
            count(
              "select count(*)::int as n from contract_impact where contract = ? and state = 'OVERRIDDEN'",
              [contract],
            ),
        };
      },
    },
    replayEvents: {
      action: 'EVENTS_REPLAYED',
      // each call replays (JetStream drops the repeats): one audit per success, one with a key
      once: false,
      prepare: async () => ({
        input: { fromSequence: '1', limit: 3 },
        effects: () => count(`select count(*)::int as n from audit_event where action = 'EVENTS_REPLAYED'`),
      }),
    },
  };
  return { specs, count };
}
