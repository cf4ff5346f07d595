/**
 * Every mutation, the same call sent five times at once — with an idempotency key and without one.
 * No answer is INTERNAL_SERVER_ERROR; with a key there is exactly one effect and every success is
 * the same answer; without a key, calls that name one thing (approve this, rename that) still have
 * one effect, and calls that create (a token, a proposal) have one per success. Either way, each
 * effect is audited exactly once. Effects are read from the tables, audits from the audit log.
 * The test fails when the schema gains a mutation this table does not cover.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.ts';
import { DEFAULT_RATE_LIMITS } from '../../src/http/rate-limit.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  createRecord,
  itemData,
  mutate,
  propose,
  publishVersion,
  registerSystem,
  registerVersion,
  stewardPair,
  uniqueCode,
} from '../support/factories.ts';

let t: TestApp;
let recordId: string;
let stewards: [string, string];

beforeAll(async () => {
  t = await startTestApp({ rateLimits: { ...DEFAULT_RATE_LIMITS, admin: { perSecond: 1e6, burst: 1e6 } } });
  stewards = await stewardPair(t);
  recordId = (await createRecord(t, 'item', itemData(uniqueCode('SWEEP')))).recordId;
  await registerSystem(t, { code: 'sweep-odoo' });
}, 180_000);
afterAll(async () => {
  await t?.close();
});

const sql = async (text: string, params: unknown[] = []): Promise<any[]> =>
  t.app.orm.em
    .fork()
    .getConnection()
    .execute(text, params as never);
const count = async (text: string, params: unknown[] = []) => Number((await sql(text, params))[0].n);
const lockOf = async (table: string, where: string, params: unknown[], column = 'lock_version') =>
  count(`select ${column} as n from ${table} where ${where}`, params);

interface Case {
  input: Record<string, unknown>;
  token?: string;
  /** Effects so far, read from the tables. */
  effects(): Promise<number>;
}

interface Spec {
  action: string;
  /** Without a key, the five calls still have exactly one effect (they name one thing). */
  once: boolean;
  prepare(n: string): Promise<Case>;
}

const SCHEMA = { type: 'object', properties: { code: { type: 'string', description: 'Code.' } } };
const WIDER = {
  type: 'object',
  properties: { ...SCHEMA.properties, name: { type: 'string', description: 'Name.' } },
};

async function pendingProposal(n: string): Promise<string> {
  const cr = await propose(t, { domain: 'item', data: itemData(`SW-${n}`) }, stewards[0]);
  if (cr.status !== 'PENDING') throw new Error(JSON.stringify(cr));
  return cr.id;
}
const statusIs = (id: string, status: string) =>
  count('select count(*)::int as n from change_request where id = ? and status = ?', [id, status]);
async function draft(n: string): Promise<string> {
  const contract = `sweep-${n}`;
  await registerVersion(t, { contract, version: '1.0.0', schema: SCHEMA });
  return contract;
}
async function published(n: string): Promise<string> {
  const contract = await draft(n);
  await publishVersion(t, contract, '1.0.0');
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
    t,
    'createApiToken',
    { role: 'VIEWER', actorName: `sweep-${n}` },
    'id actor { id }',
    {
      field: 'apiToken',
    },
  );
  return token as { id: string; actor: { id: string } };
}

const SPECS: Record<string, Spec> = {
  approveChange: {
    action: 'CHANGE_APPROVED',
    once: true,
    prepare: async (n) => {
      const id = await pendingProposal(n);
      return {
        input: { id },
        token: stewards[1],
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
        token: stewards[1],
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
      return { input: { id, reason: 'no' }, token: stewards[1], effects: () => statusIs(id, 'REJECTED') };
    },
  },
  rejectChanges: {
    action: 'CHANGE_REJECTED',
    once: true,
    prepare: async (n) => {
      const id = await pendingProposal(n);
      return {
        input: { ids: [id], reason: 'no' },
        token: stewards[1],
        effects: () => statusIs(id, 'REJECTED'),
      };
    },
  },
  withdrawChange: {
    action: 'CHANGE_WITHDRAWN',
    once: true,
    prepare: async (n) => {
      const id = await pendingProposal(n);
      return { input: { id }, token: stewards[0], effects: () => statusIs(id, 'WITHDRAWN') };
    },
  },
  proposeChange: {
    action: 'CHANGE_PROPOSED',
    once: false,
    prepare: async (n) => ({
      input: { domain: 'item', data: itemData(`SWP-${n}`) },
      token: stewards[0],
      effects: () =>
        count(
          `select count(*)::int as n from change_request where domain = 'item' and proposed->>'code' = ?`,
          [`SWP-${n}`],
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
      const rule = await mutate(t, 'assignSystemOfRecord', { domain, system: 'sweep-odoo' }, 'id', {
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
      await registerSystem(t, { code: `sweep-${n}` });
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
  deleteContractDraft: {
    action: 'CONTRACT_DRAFT_DELETED',
    once: true,
    prepare: async (n) => {
      const contract = await published(n);
      await registerVersion(t, { contract, version: '1.1.0', schema: WIDER });
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
        t,
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
      input: { system: 'sweep-odoo', domain: 'item', links: [{ externalId: `x-${n}`, recordId }] },
      effects: () => count('select count(*)::int as n from xref where external_id = ?', [`x-${n}`]),
    }),
  },
  unlinkXref: {
    action: 'XREF_UNLINKED',
    once: true,
    prepare: async (n) => {
      await mutate(
        t,
        'linkXrefs',
        { system: 'sweep-odoo', domain: 'item', links: [{ externalId: `u-${n}`, recordId }] },
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
};

const auditsSince = (action: string, sequence: number) =>
  count('select count(*)::int as n from audit_event where action = ? and sequence > ?', [action, sequence]);
const lastSequence = () => count('select coalesce(max(sequence), 0)::int as n from audit_event');

async function fiveAtOnce(name: string, c: Case, idempotencyKey?: string) {
  const input = idempotencyKey ? { ...c.input, idempotencyKey } : c.input;
  return Promise.all(
    Array.from({ length: 5 }, async () => {
      const r = await t.gql(
        `mutation($input: ${name[0].toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) {
          __typename ... on Error { code message } } }`,
        { input },
        c.token ?? t.adminToken,
      );
      return r.data?.[name] ?? { __typename: 'top-level', code: r.errors?.[0]?.extensions?.code };
    }),
  );
}

describe('every mutation five times at once', () => {
  it('covers every mutation of the schema', () => {
    expect(Object.keys(schema.getMutationType()?.getFields() ?? {}).sort()).toEqual(
      Object.keys(SPECS).sort(),
    );
  });

  for (const [name, spec] of Object.entries(SPECS)) {
    for (const keyed of [true, false]) {
      it(`${name} ${keyed ? 'with' : 'without'} an idempotency key`, async () => {
        const c = await spec.prepare(randomBytes(4).toString('hex'));
        const since = await lastSequence();
        const effectsBefore = await c.effects();
        const answers = await fiveAtOnce(
          name,
          c,
          keyed ? `sweep-${randomBytes(6).toString('hex')}` : undefined,
        );
        for (const a of answers) expect(a.code, JSON.stringify(a)).not.toBe('INTERNAL_SERVER_ERROR');
        const successes = answers.filter((a) => !a.code);
        expect(successes.length, JSON.stringify(answers)).toBeGreaterThan(0);
        const effects = (await c.effects()) - effectsBefore;
        const audits = await auditsSince(spec.action, since);
        if (keyed || spec.once) expect(effects, JSON.stringify(answers)).toBe(1);
        else expect(effects).toBe(successes.length);
        expect(audits, `${spec.action} events for ${effects} effect(s)`).toBe(effects);
      });
    }
  }
});
