/**
 * The authorization matrix: every role against every query and mutation, through real HTTP requests.
 * It fails when the schema gains a root field without an entry here, so a new operation cannot ship
 * without deciding who may use it. docs/authorization.md shows the same matrix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

type Role = 'anonymous' | 'admin' | 'steward' | 'viewer' | 'connector' | 'pipeline';
const ROLES: Role[] = ['anonymous', 'admin', 'steward', 'viewer', 'connector', 'pipeline'];
/** allowed: no authorization error; denied: UNAUTHENTICATED / FORBIDDEN / NOT_SYSTEM_OF_RECORD; hidden: NOT_FOUND (unknown and forbidden look alike). */
type Outcome = 'allowed' | 'denied' | 'hidden';

const DENIED = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_SYSTEM_OF_RECORD']);
const readers: Role[] = ['admin', 'steward', 'viewer', 'connector'];
const everyone: Role[] = ['admin', 'steward', 'viewer', 'connector', 'pipeline'];

interface Entry {
  /** The operation, with `$fixture` placeholders filled from the fixtures. */
  doc: string;
  allowed: Role[];
  /** Roles answered NOT_FOUND rather than FORBIDDEN (ids that are not theirs). */
  hidden?: Role[];
}

const E = '... on Error { code }';

const MATRIX: Record<string, Entry> = {
  // queries
  version: { doc: '{ version }', allowed: ['anonymous', ...everyone] },
  me: { doc: '{ me { name } }', allowed: everyone },
  apiTokens: { doc: '{ apiTokens { prefix } }', allowed: everyone },
  auditEvents: { doc: '{ auditEvents(first: 1) { action } }', allowed: ['admin', 'steward'] },
  verifyAuditChain: {
    doc: `{ verifyAuditChain { ... on AuditChainVerification { valid } ${E} } }`,
    allowed: ['admin'],
  },
  contracts: { doc: '{ contracts(first: 1) { edges { node { name } } } }', allowed: everyone },
  contract: { doc: '{ contract(name: "item") { name } }', allowed: everyone },
  checkCompatibility: {
    doc: `{ checkCompatibility(contract: "item", schema: {type: "object"}) { ... on CompatibilityReport { compatible } ${E} } }`,
    allowed: everyone,
  },
  schemaDiff: {
    doc: `{ schemaDiff(from: {}, to: {}) { ... on SchemaDiff { requiredBump } ${E} } }`,
    allowed: everyone,
  },
  record: { doc: '{ record(id: "$item") { key } }', allowed: readers },
  records: { doc: '{ records(domain: "item", first: 1) { totalCount } }', allowed: readers },
  history: { doc: '{ history(recordId: "$item") { revision } }', allowed: readers },
  uoms: { doc: '{ uoms(first: 1) { totalCount } }', allowed: readers },
  uom: { doc: '{ uom(code: "KGM") { code } }', allowed: readers },
  items: { doc: '{ items(first: 1) { totalCount } }', allowed: readers },
  item: { doc: '{ item(code: "MX-1") { code } }', allowed: readers },
  locations: { doc: '{ locations(first: 1) { totalCount } }', allowed: readers },
  location: { doc: '{ location(code: "X", site: "X") { code } }', allowed: readers },
  lots: { doc: '{ lots(first: 1) { totalCount } }', allowed: readers },
  lot: { doc: '{ lot(item: "MX-1", number: "1") { number } }', allowed: readers },
  workCenters: { doc: '{ workCenters(first: 1) { totalCount } }', allowed: readers },
  workCenter: { doc: '{ workCenter(code: "X") { code } }', allowed: readers },
  changeRequest: { doc: '{ changeRequest(id: "$pending") { status } }', allowed: readers },
  changeRequests: { doc: '{ changeRequests(first: 1) { totalCount } }', allowed: readers },
  approvalPolicies: { doc: '{ approvalPolicies { domain } }', allowed: readers },
  convertQuantity: {
    doc: `{ convertQuantity(quantity: "1", from: "KGM", to: "GRM") { ... on Conversion { quantity } ${E} } }`,
    allowed: readers,
  },
  systems: { doc: '{ systems { code } }', allowed: readers },
  system: { doc: '{ system(code: "odoo-main") { name } }', allowed: readers },
  systemOfRecordRules: { doc: '{ systemOfRecordRules { id } }', allowed: readers },
  resolveXrefs: {
    doc: '{ resolveXrefs(system: "odoo-main", domain: "item", externalIds: ["1"]) { recordId } }',
    allowed: readers,
  },
  translateXrefs: {
    doc: '{ translateXrefs(domain: "item", fromSystem: "odoo-main", toSystem: "plm", externalIds: ["1"]) { targetId } }',
    allowed: readers,
  },
  xrefMap: {
    doc: '{ xrefMap(system: "odoo-main", domain: "item", first: 1) { hasNextPage } }',
    allowed: readers,
  },
  changeFeed: { doc: '{ changeFeed(afterSequence: "0", first: 1) { lastSequence } }', allowed: readers },
  // mutations
  createApiToken: {
    doc: `mutation { createApiToken(input: { role: viewer }) { ... on CreatedApiToken { token } ${E} } }`,
    allowed: ['admin'],
  },
  revokeApiToken: {
    doc: `mutation { revokeApiToken(id: "$foreignToken") { ... on ApiToken { id } ${E} } }`,
    allowed: ['admin'],
    hidden: ['steward', 'viewer', 'connector', 'pipeline'],
  },
  rotateApiToken: {
    doc: `mutation { rotateApiToken(id: "$rotatableToken") { ... on CreatedApiToken { token } ${E} } }`,
    allowed: ['admin'],
    hidden: ['steward', 'viewer', 'connector', 'pipeline'],
  },
  registerContractVersion: {
    doc: `mutation { registerContractVersion(input: { contract: "matrix-c", version: "1.0.0", schema: {type: "object"} }) { ... on ContractVersion { status } ${E} } }`,
    allowed: ['admin'],
  },
  updateContractDraft: {
    doc: `mutation { updateContractDraft(input: { contract: "matrix-d", version: "1.0.0", schema: {type: "string"} }) { ... on ContractVersion { status } ${E} } }`,
    allowed: ['admin'],
  },
  deleteContractDraft: {
    doc: `mutation { deleteContractDraft(contract: "nothing", version: "1.0.0") { ... on DeletedContractDraft { id } ${E} } }`,
    allowed: ['admin'],
  },
  publishContractVersion: {
    doc: `mutation { publishContractVersion(contract: "item", version: "1.0.0") { ... on ContractVersion { status } ${E} } }`,
    allowed: ['admin'],
  },
  deprecateContractVersion: {
    doc: `mutation { deprecateContractVersion(contract: "nothing", version: "1.0.0") { ... on ContractVersion { status } ${E} } }`,
    allowed: ['admin'],
  },
  retireContractVersion: {
    doc: `mutation { retireContractVersion(contract: "nothing", version: "1.0.0") { ... on ContractVersion { status } ${E} } }`,
    allowed: ['admin'],
  },
  updateContract: {
    doc: `mutation { updateContract(input: { name: "item", description: "Items" }) { ... on Contract { name } ${E} } }`,
    allowed: ['admin'],
  },
  proposeChange: {
    doc: `mutation { proposeChange(input: { domain: "item", data: { code: "MXP", name: "x", type: "goods", uom: "KGM", tracking: "none" } }) { ... on ChangeRequest { status } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  approveChange: {
    doc: `mutation { approveChange(id: "00000000-0000-7000-8000-000000000001") { ... on ChangeRequest { status } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  rejectChange: {
    doc: `mutation { rejectChange(id: "00000000-0000-7000-8000-000000000001", reason: "no") { ... on ChangeRequest { status } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  withdrawChange: {
    doc: `mutation { withdrawChange(id: "00000000-0000-7000-8000-000000000001") { ... on ChangeRequest { status } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  setApprovalPolicy: {
    doc: `mutation { setApprovalPolicy(domain: "lot", requiredApprovals: 1) { ... on ApprovalPolicy { domain } ${E} } }`,
    allowed: ['admin'],
  },
  registerSystem: {
    doc: `mutation { registerSystem(input: { code: "plm", name: "PLM", kind: PLM }) { ... on System { name } ${E} } }`,
    allowed: ['admin'],
  },
  updateSystem: {
    doc: `mutation { updateSystem(input: { code: "plm", name: "PLM" }) { ... on System { name } ${E} } }`,
    allowed: ['admin'],
  },
  assignSystemOfRecord: {
    doc: `mutation { assignSystemOfRecord(input: { domain: "lot", system: "nothing" }) { ... on SystemOfRecordRule { id } ${E} } }`,
    allowed: ['admin'],
  },
  removeSystemOfRecord: {
    doc: `mutation { removeSystemOfRecord(id: "00000000-0000-7000-8000-000000000001") { ... on RemovedSystemOfRecordRule { id } ${E} } }`,
    allowed: ['admin'],
  },
  linkXrefs: {
    doc: `mutation { linkXrefs(system: "odoo-main", domain: "item", links: [{ externalId: "M1", recordId: "$item" }]) { ... on LinkXrefsResult { linked } ${E} } }`,
    allowed: ['admin', 'steward', 'connector'],
  },
  unlinkXref: {
    doc: `mutation { unlinkXref(system: "odoo-main", domain: "item", externalId: "none") { ... on Xref { state } ${E} } }`,
    allowed: ['admin', 'steward', 'connector'],
  },
};

/** Root fields checked elsewhere, with where. */
const EXEMPT: Record<string, string> = {
  changes:
    'SSE subscription: test/integration/feed.test.ts (connectors follow changes; anonymous requests are refused by the same scopes as changeFeed)',
};

let t: TestApp;
const tokens: Partial<Record<Role, string | null>> = { anonymous: null };
const fixtures: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  await t.gql(
    'mutation { registerSystem(input: { code: "odoo-main", name: "Odoo", kind: ERP }) { ... on System { name } } }',
  );
  await t.gql(
    'mutation { registerSystem(input: { code: "wms-eu", name: "WMS", kind: WMS }) { ... on System { name } } }',
  );
  tokens.admin = t.adminToken;
  tokens.steward = await t.tokenFor('steward');
  tokens.viewer = await t.tokenFor('viewer');
  tokens.connector = await t.tokenFor('connector', { systemCode: 'odoo-main' });
  tokens.pipeline = await t.tokenFor('pipeline');
  await t.gql(
    'mutation { setApprovalPolicy(domain: "item", requiredApprovals: 0) { ... on ApprovalPolicy { domain } } }',
  );
  const item = await t.gql(
    'mutation { proposeChange(input: { domain: "item", data: { code: "MX-1", name: "x", type: "goods", uom: "KGM", tracking: "none" } }) { ... on ChangeRequest { recordId } } }',
  );
  fixtures.item = item.data.proposeChange.recordId;
  await t.gql(
    'mutation { setApprovalPolicy(domain: "item", requiredApprovals: 1) { ... on ApprovalPolicy { domain } } }',
  );
  const pending = await t.gql(
    'mutation { proposeChange(input: { domain: "item", data: { code: "MX-2", name: "x", type: "goods", uom: "KGM", tracking: "none" } }) { ... on ChangeRequest { id } } }',
  );
  fixtures.pending = pending.data.proposeChange.id;
  const foreign = await t.gql(
    'mutation { createApiToken(input: { role: viewer, actorName: "someone-else" }) { ... on CreatedApiToken { apiToken { id } } } }',
  );
  fixtures.foreignToken = foreign.data.createApiToken.apiToken.id;
  const rotatable = await t.gql(
    'mutation { createApiToken(input: { role: viewer, actorName: "someone-else" }) { ... on CreatedApiToken { apiToken { id } } } }',
  );
  fixtures.rotatableToken = rotatable.data.createApiToken.apiToken.id;
  await t.gql(
    'mutation { registerContractVersion(input: { contract: "matrix-d", version: "1.0.0", schema: {type: "object"} }) { ... on ContractVersion { status } } }',
  );
});
afterAll(async () => {
  await t?.close();
});

function outcomeOf(
  response: { errors?: { extensions?: { code?: string } }[]; data?: any },
  field: string,
): Outcome | string {
  const codes = [response.errors?.[0]?.extensions?.code, response.data?.[field]?.code].filter(
    Boolean,
  ) as string[];
  if (codes.some((c) => DENIED.has(c))) return 'denied';
  if (codes.includes('NOT_FOUND')) return 'hidden';
  return 'allowed';
}

describe('authorization matrix', () => {
  it('has an entry for every query and mutation', () => {
    const fields = [
      ...Object.keys(schema.getQueryType()!.getFields()),
      ...Object.keys(schema.getMutationType()!.getFields()),
      ...Object.keys(schema.getSubscriptionType()?.getFields() ?? {}),
    ];
    const missing = fields.filter((f) => !MATRIX[f] && !EXEMPT[f]);
    expect(missing, 'add these to MATRIX (and docs/authorization.md)').toEqual([]);
    const stale = Object.keys(MATRIX).filter((f) => !fields.includes(f));
    expect(stale).toEqual([]);
  });

  for (const [field, entry] of Object.entries(MATRIX)) {
    it(`${field}`, async () => {
      const doc = entry.doc.replace(/\$(\w+)/g, (_m, name: string) => fixtures[name]);
      const actual: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const role of ROLES) {
        const response = await t.gql(doc, {}, tokens[role] ?? null);
        const outcome = outcomeOf(response, field);
        // an allowed call may still fail for its (dummy) input; only who may call it is checked here
        actual[role] = outcome === 'hidden' && !entry.hidden?.includes(role) ? 'allowed' : outcome;
        expected[role] = entry.allowed.includes(role)
          ? 'allowed'
          : entry.hidden?.includes(role)
            ? 'hidden'
            : 'denied';
      }
      expect(actual).toEqual(expected);
    });
  }

  it("lets a connector manage its own system's ids only", async () => {
    const other = await t.gql(
      `mutation { linkXrefs(system: "wms-eu", domain: "item", links: [{ externalId: "W1", recordId: "${fixtures.item}" }]) { ... on LinkXrefsResult { linked } ${E} } }`,
      {},
      tokens.connector,
    );
    expect(other.data.linkXrefs.code).toBe('FORBIDDEN');
  });
});
