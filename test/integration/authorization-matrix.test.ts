/**
 * The authorization matrix: every role against every query and mutation, through real HTTP requests.
 * It fails when the schema gains a root field without an entry here, so a new operation cannot ship
 * without deciding who may use it. docs/authorization.md shows the same matrix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInSchema } from '../../src/graphql/print-schema.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  createRecord,
  itemData,
  mutate,
  propose,
  registerSystem,
  registerVersion,
  stewardPair,
} from '../support/factories.ts';

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
  node: { doc: '{ node(id: "$itemNode") { nodeId } }', allowed: readers },
  nodes: { doc: '{ nodes(ids: ["$itemNode"]) { nodeId } }', allowed: readers },
  me: { doc: '{ me { name } }', allowed: everyone },
  apiTokens: { doc: '{ apiTokens { totalCount } }', allowed: everyone },
  auditEvents: {
    doc: '{ auditEvents(first: 1) { edges { node { action } } } }',
    allowed: ['admin', 'steward'],
  },
  verifyAuditChain: {
    doc: `{ verifyAuditChain { ... on AuditChainVerification { valid } ${E} } }`,
    allowed: ['admin'],
  },
  eventRelay: { doc: `{ eventRelay { ... on EventRelay { state } ${E} } }`, allowed: ['admin'] },
  contracts: { doc: '{ contracts(first: 1) { edges { node { name } } } }', allowed: everyone },
  contract: { doc: '{ contract(name: "item") { name } }', allowed: everyone },
  registrySettings: { doc: '{ registrySettings { defaultCompatibility } }', allowed: everyone },
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
  history: { doc: '{ history(recordId: "$item") { edges { node { revision } } } }', allowed: readers },
  uoms: { doc: '{ uoms(first: 1) { totalCount } }', allowed: readers },
  uom: { doc: `{ uom(code: "KGM") { ... on Uom { key } ${E} } }`, allowed: readers },
  items: { doc: '{ items(first: 1) { totalCount } }', allowed: readers },
  item: { doc: `{ item(code: "MX-1") { ... on Item { key } ${E} } }`, allowed: readers },
  locations: { doc: '{ locations(first: 1) { totalCount } }', allowed: readers },
  location: { doc: `{ location(code: "X", site: "X") { ... on Location { key } ${E} } }`, allowed: readers },
  lots: { doc: '{ lots(first: 1) { totalCount } }', allowed: readers },
  lot: { doc: `{ lot(item: "MX-1", number: "1") { ... on Lot { number } ${E} } }`, allowed: readers },
  workCenters: { doc: '{ workCenters(first: 1) { totalCount } }', allowed: readers },
  workCenter: { doc: `{ workCenter(code: "X") { ... on WorkCenter { key } ${E} } }`, allowed: readers },
  // generated from the bom and routing contracts (records/typed/): the same checks as the hand-written ones
  boms: { doc: '{ boms(first: 1) { totalCount } }', allowed: readers },
  bom: { doc: `{ bom(code: "X") { ... on Bom { key } ${E} } }`, allowed: readers },
  routings: { doc: '{ routings(first: 1) { totalCount } }', allowed: readers },
  routing: { doc: `{ routing(code: "X") { ... on Routing { key } ${E} } }`, allowed: readers },
  bomExplosion: {
    doc: `{ bomExplosion(product: "MX-1") { ... on BomExplosion { day } ${E} } }`,
    allowed: readers,
  },
  bomWhereUsed: { doc: '{ bomWhereUsed(item: "MX-1") { totalCount } }', allowed: readers },
  changeRequest: { doc: '{ changeRequest(id: "$pending") { status } }', allowed: readers },
  changeRequests: { doc: '{ changeRequests(first: 1) { totalCount } }', allowed: readers },
  changeRequestCounts: { doc: '{ changeRequestCounts(status: PENDING) { domain count } }', allowed: readers },
  approvalPolicies: { doc: '{ approvalPolicies { domain } }', allowed: readers },
  keySequences: { doc: '{ keySequences { domain } }', allowed: readers },
  convertQuantity: {
    doc: `{ convertQuantity(quantity: "1", from: "KGM", to: "GRM") { ... on Conversion { quantity } ${E} } }`,
    allowed: readers,
  },
  systems: { doc: '{ systems { totalCount } }', allowed: readers },
  system: { doc: '{ system(code: "odoo-main") { name } }', allowed: readers },
  systemOfRecordRules: { doc: '{ systemOfRecordRules { totalCount } }', allowed: readers },
  resolveXrefs: {
    doc: `{ resolveXrefs(system: "odoo-main", domain: "item", externalIds: ["1"]) { ... on ResolveXrefsPayload { resolutions { recordId } } ${E} } }`,
    allowed: readers,
  },
  resolveExternalKeys: {
    doc: `{ resolveExternalKeys(system: "odoo-main", domain: "item", externalKeys: ["product.x"]) { ... on ResolveExternalKeysPayload { resolutions { recordId } } ${E} } }`,
    allowed: readers,
  },
  translateXrefs: {
    doc: `{ translateXrefs(domain: "item", fromSystem: "odoo-main", toSystem: "plm", externalIds: ["1"]) { ... on TranslateXrefsPayload { translations { targetId } } ${E} } }`,
    allowed: readers,
  },
  xrefMap: {
    doc: '{ xrefMap(system: "odoo-main", domain: "item", first: 1) { pageInfo { hasNextPage } } }',
    allowed: readers,
  },
  changeFeed: {
    doc: '{ changeFeed(afterSequence: "0", first: 1) { edges { node { sequence } } } }',
    allowed: readers,
  },
  importJob: { doc: '{ importJob(id: "00000000-0000-7000-8000-000000000000") { id } }', allowed: readers },
  importJobs: { doc: '{ importJobs(first: 1) { edges { node { id } } } }', allowed: readers },
  reconciliation: {
    doc: '{ reconciliation(id: "00000000-0000-7000-8000-000000000000") { id } }',
    allowed: readers,
  },
  reconciliations: { doc: '{ reconciliations(first: 1) { edges { node { id } } } }', allowed: readers },
  ruleSeverities: { doc: '{ ruleSeverities { rule } }', allowed: readers },
  matchRules: { doc: '{ matchRules(domain: "item") { name } }', allowed: readers },
  matchCandidates: { doc: '{ matchCandidates(domain: "item", first: 1) { totalCount } }', allowed: readers },
  matchCandidate: {
    doc: '{ matchCandidate(id: "00000000-0000-7000-8000-000000000000") { id } }',
    allowed: readers,
  },
  matchJob: { doc: '{ matchJob(id: "00000000-0000-7000-8000-000000000000") { id } }', allowed: readers },
  matchJobs: { doc: '{ matchJobs(first: 1) { edges { node { id } } } }', allowed: readers },
  survivorshipRules: { doc: '{ survivorshipRules(domain: "item") { field } }', allowed: readers },
  bulkChangeRequest: {
    doc: '{ bulkChangeRequest(id: "00000000-0000-7000-8000-000000000000") { id } }',
    allowed: readers,
  },
  bulkChangeRequests: {
    doc: '{ bulkChangeRequests(first: 1) { edges { node { id } } } }',
    allowed: readers,
  },
  // mutations
  cancelImport: {
    doc: `mutation { cancelImport(input: { id: "00000000-0000-7000-8000-000000000000" }) { ... on CancelImportPayload { importJob { id } } ${E} } }`,
    // whoever may import (propose) may cancel their own import; an unknown id is NOT_FOUND for them
    // (a connector only with a system-of-record rule, which the matrix's connector has not)
    allowed: ['admin', 'steward'],
  },
  setMatchRule: {
    doc: `mutation { setMatchRule(input: { domain: "item", name: "matrix-rule", kind: EXACT, fields: ["/code"], score: 0.9, suggestAt: 0.9 }) { ... on SetMatchRulePayload { rule { name } } ${E} } }`,
    allowed: ['admin'],
  },
  removeMatchRule: {
    doc: `mutation { removeMatchRule(input: { domain: "item", name: "no-such-rule" }) { ... on RemoveMatchRulePayload { name } ${E} } }`,
    allowed: ['admin'],
  },
  setSurvivorshipRule: {
    doc: `mutation { setSurvivorshipRule(input: { domain: "item", field: "/name", rule: MOST_RECENT }) { ... on SetSurvivorshipRulePayload { rules { field } } ${E} } }`,
    allowed: ['admin'],
  },
  mergeRecords: {
    doc: `mutation { mergeRecords(input: { survivor: "00000000-0000-7000-8000-000000000001", merged: "00000000-0000-7000-8000-000000000002" }) { ... on MergeRecordsPayload { changeRequest { id } } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  unmergeRecord: {
    doc: `mutation { unmergeRecord(input: { merged: "00000000-0000-7000-8000-000000000002" }) { ... on UnmergeRecordPayload { changeRequest { id } } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  markNotDuplicate: {
    doc: `mutation { markNotDuplicate(input: { id: "00000000-0000-7000-8000-000000000002" }) { ... on MarkNotDuplicatePayload { candidate { id } } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  startMatchJob: {
    doc: `mutation { startMatchJob(input: { domain: "uom" }) { ... on StartMatchJobPayload { job { id } } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  // propagation and exceptions
  subscriptions: { doc: '{ subscriptions { totalCount } }', allowed: readers },
  propagationBacklog: {
    doc: '{ propagationBacklog(system: "odoo-main", state: BEHIND) { edges { node { recordId } } } }',
    allowed: readers,
  },
  exceptions: { doc: '{ exceptions { totalCount } }', allowed: readers },
  exception: { doc: '{ exception(id: "00000000-0000-7000-8000-000000000001") { id } }', allowed: readers },
  exceptionSummary: { doc: '{ exceptionSummary { owner } }', allowed: readers },
  quarantines: { doc: '{ quarantines { edges { node { recordId } } } }', allowed: readers },
  acknowledgeChanges: {
    doc: `mutation { acknowledgeChanges(input: { system: "odoo-main", changes: [] }) { ... on AcknowledgeChangesPayload { recorded } ${E} } }`,
    allowed: ['admin', 'connector'],
  },
  setSubscription: {
    doc: `mutation { setSubscription(input: { system: "odoo-main", domain: "uom" }) { ... on SetSubscriptionPayload { subscription { id } } ${E} } }`,
    allowed: ['admin'],
  },
  removeSubscription: {
    doc: `mutation { removeSubscription(input: { id: "00000000-0000-7000-8000-000000000001" }) { ... on RemoveSubscriptionPayload { removedSubscriptionId } ${E} } }`,
    allowed: ['admin'],
  },
  reportException: {
    doc: `mutation { reportException(input: { system: "odoo-main", domain: "item", externalId: "LOT-9", code: "MISSING_ITEM", message: "no item" }) { ... on ReportExceptionPayload { exception { id } } ${E} } }`,
    allowed: ['admin', 'steward', 'connector'],
  },
  acknowledgeException: {
    doc: `mutation { acknowledgeException(input: { id: "00000000-0000-7000-8000-000000000001" }) { ... on AcknowledgeExceptionPayload { exception { id } } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  assignException: {
    doc: `mutation { assignException(input: { id: "00000000-0000-7000-8000-000000000001", assignee: "ana" }) { ... on AssignExceptionPayload { exception { id } } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  commentOnException: {
    doc: `mutation { commentOnException(input: { id: "00000000-0000-7000-8000-000000000001", text: "hm" }) { ... on CommentOnExceptionPayload { exception { id } } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  resolveException: {
    doc: `mutation { resolveException(input: { id: "00000000-0000-7000-8000-000000000001", note: "done" }) { ... on ResolveExceptionPayload { exception { id } } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  reopenException: {
    doc: `mutation { reopenException(input: { id: "00000000-0000-7000-8000-000000000001", note: "again" }) { ... on ReopenExceptionPayload { exception { id } } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  resolveExceptions: {
    doc: `mutation { resolveExceptions(input: { ids: ["00000000-0000-7000-8000-000000000001"], note: "done" }) { ... on ResolveExceptionsPayload { exceptions { id } } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  releaseQuarantine: {
    doc: `mutation { releaseQuarantine(input: { recordId: "00000000-0000-7000-8000-000000000001", note: "ok" }) { ... on ReleaseQuarantinePayload { recordId } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  contractImpact: {
    doc: `{ contractImpact(contract: "item", version: "9.9.9") { ... on ContractImpact { state } ${E} } }`,
    allowed: everyone,
  },
  acknowledgeContractImpact: {
    doc: `mutation { acknowledgeContractImpact(input: { contract: "item", version: "9.9.9", system: "odoo-main" }) { ... on AcknowledgeContractImpactPayload { impact { state } } ${E} } }`,
    allowed: ['admin', 'steward', 'connector'],
  },
  overrideContractImpact: {
    doc: `mutation { overrideContractImpact(input: { contract: "item", version: "9.9.9", reason: "no" }) { ... on OverrideContractImpactPayload { impact { state } } ${E} } }`,
    allowed: ['admin'],
  },
  setContractImpactPolicy: {
    doc: `mutation { setContractImpactPolicy(input: { contract: "item", waitOn: ["MAJOR"] }) { ... on SetContractImpactPolicyPayload { contract } ${E} } }`,
    allowed: ['admin'],
  },
  setRuleSeverity: {
    doc: `mutation { setRuleSeverity(input: { domain: "item", rule: "item.gtin-check-digit", severity: BLOCKING }) { ... on SetRuleSeverityPayload { ruleSeverity { rule } } ${E} } }`,
    allowed: ['admin'],
  },
  approveBulkChange: {
    doc: `mutation { approveBulkChange(input: { id: "00000000-0000-7000-8000-000000000001" }) { ... on ApproveBulkChangePayload { decidedCount } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  rejectBulkChange: {
    doc: `mutation { rejectBulkChange(input: { id: "00000000-0000-7000-8000-000000000001", reason: "no" }) { ... on RejectBulkChangePayload { decidedCount } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  createApiToken: {
    doc: `mutation { createApiToken(input: { role: VIEWER }) { ... on CreateApiTokenPayload { token } ${E} } }`,
    allowed: ['admin'],
  },
  revokeApiToken: {
    doc: `mutation { revokeApiToken(input: { id: "$foreignToken" }) { ... on RevokeApiTokenPayload { apiToken { id } } ${E} } }`,
    allowed: ['admin'],
    hidden: ['steward', 'viewer', 'connector', 'pipeline'],
  },
  rotateApiToken: {
    doc: `mutation { rotateApiToken(input: { id: "$rotatableToken" }) { ... on RotateApiTokenPayload { token } ${E} } }`,
    allowed: ['admin'],
    hidden: ['steward', 'viewer', 'connector', 'pipeline'],
  },
  registerContractVersion: {
    doc: `mutation { registerContractVersion(input: { contract: "matrix-c", version: "1.0.0", schema: {type: "object"} }) { ... on RegisterContractVersionPayload { contractVersion { status } } ${E} } }`,
    allowed: ['admin'],
  },
  updateContractDraft: {
    doc: `mutation { updateContractDraft(input: { contract: "matrix-d", version: "1.0.0", schema: {type: "string"} }) { ... on UpdateContractDraftPayload { contractVersion { status } } ${E} } }`,
    allowed: ['admin'],
  },
  deleteContractDraft: {
    doc: `mutation { deleteContractDraft(input: { contract: "nothing", version: "1.0.0" }) { ... on DeleteContractDraftPayload { deletedContractVersionId } ${E} } }`,
    allowed: ['admin'],
  },
  pushContractVersions: {
    doc: `mutation { pushContractVersions(input: { versions: [{ contract: "nothing", version: "1.0.0", schema: { type: "string" } }] }) { ... on PushContractVersionsPayload { results { outcome } } ${E} } }`,
    allowed: ['admin'],
  },
  publishContractVersion: {
    doc: `mutation { publishContractVersion(input: { contract: "item", version: "1.0.0" }) { ... on PublishContractVersionPayload { contractVersion { status } } ${E} } }`,
    allowed: ['admin'],
  },
  deprecateContractVersion: {
    doc: `mutation { deprecateContractVersion(input: { contract: "nothing", version: "1.0.0" }) { ... on DeprecateContractVersionPayload { contractVersion { status } } ${E} } }`,
    allowed: ['admin'],
  },
  retireContractVersion: {
    doc: `mutation { retireContractVersion(input: { contract: "nothing", version: "1.0.0" }) { ... on RetireContractVersionPayload { contractVersion { status } } ${E} } }`,
    allowed: ['admin'],
  },
  updateRegistrySettings: {
    doc: `mutation { updateRegistrySettings(input: { defaultCompatibility: BACKWARD }) { ... on UpdateRegistrySettingsPayload { registrySettings { defaultCompatibility } } ${E} } }`,
    allowed: ['admin'],
  },
  updateContract: {
    doc: `mutation { updateContract(input: { name: "item", description: "Items" }) { ... on UpdateContractPayload { contract { name } } ${E} } }`,
    allowed: ['admin'],
  },
  proposeChange: {
    doc: `mutation { proposeChange(input: { domain: "item", data: { code: "MXP", name: "x", type: "goods", uom: "KGM", tracking: "none" } }) { ... on ProposeChangePayload { changeRequest { status } } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  proposeBomChange: {
    doc: `mutation { proposeBomChange(input: { data: { code: "MXB", product: "MX-1", type: NORMAL, quantity: "1", uom: "KGM", validFrom: "2026-01-01", lines: [{ component: "MX-2", quantity: "1", uom: "KGM" }] } }) { ... on ProposeBomChangePayload { changeRequest { status } } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  proposeRoutingChange: {
    doc: `mutation { proposeRoutingChange(input: { data: { code: "MXR", name: "x", validFrom: "2026-01-01", operations: [{ code: "10", sequence: 10, name: "x", workCenter: "MX-WC", runMinutes: "1" }] } }) { ... on ProposeRoutingChangePayload { changeRequest { status } } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  approveChange: {
    doc: `mutation { approveChange(input: { id: "00000000-0000-7000-8000-000000000001" }) { ... on ApproveChangePayload { changeRequest { status } } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  rejectChange: {
    doc: `mutation { rejectChange(input: { id: "00000000-0000-7000-8000-000000000001", reason: "no" }) { ... on RejectChangePayload { changeRequest { status } } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  approveChanges: {
    doc: `mutation { approveChanges(input: { ids: ["00000000-0000-7000-8000-000000000001"] }) { ... on ApproveChangesPayload { failedCount } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  rejectChanges: {
    doc: `mutation { rejectChanges(input: { ids: ["00000000-0000-7000-8000-000000000001"], reason: "no" }) { ... on RejectChangesPayload { failedCount } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  withdrawChange: {
    doc: `mutation { withdrawChange(input: { id: "00000000-0000-7000-8000-000000000001" }) { ... on WithdrawChangePayload { changeRequest { status } } ${E} } }`,
    allowed: ['admin', 'steward'],
  },
  setApprovalPolicy: {
    doc: `mutation { setApprovalPolicy(input: { domain: "lot", requiredApprovals: 1 }) { ... on SetApprovalPolicyPayload { approvalPolicy { domain } } ${E} } }`,
    allowed: ['admin'],
  },
  replayEvents: {
    doc: `mutation { replayEvents(input: { fromSequence: "1" }) { ... on ReplayEventsPayload { published } ${E} } }`,
    allowed: ['admin'],
  },
  setKeySequence: {
    doc: `mutation { setKeySequence(input: { domain: "lot", prefix: "LOT-" }) { ... on SetKeySequencePayload { keySequence { domain } } ${E} } }`,
    allowed: ['admin'],
  },
  registerSystem: {
    doc: `mutation { registerSystem(input: { code: "plm", name: "PLM", kind: PLM }) { ... on RegisterSystemPayload { system { name } } ${E} } }`,
    allowed: ['admin'],
  },
  updateSystem: {
    doc: `mutation { updateSystem(input: { code: "plm", name: "PLM" }) { ... on UpdateSystemPayload { system { name } } ${E} } }`,
    allowed: ['admin'],
  },
  assignSystemOfRecord: {
    doc: `mutation { assignSystemOfRecord(input: { domain: "lot", system: "nothing" }) { ... on AssignSystemOfRecordPayload { systemOfRecordRule { id } } ${E} } }`,
    allowed: ['admin'],
  },
  removeSystemOfRecord: {
    doc: `mutation { removeSystemOfRecord(input: { id: "00000000-0000-7000-8000-000000000001" }) { ... on RemoveSystemOfRecordPayload { removedRuleId } ${E} } }`,
    allowed: ['admin'],
  },
  linkXrefs: {
    doc: `mutation { linkXrefs(input: { system: "odoo-main", domain: "item", links: [{ externalId: "M1", recordId: "$item" }] }) { ... on LinkXrefsPayload { linked } ${E} } }`,
    allowed: ['admin', 'steward', 'connector'],
  },
  unlinkXref: {
    doc: `mutation { unlinkXref(input: { system: "odoo-main", domain: "item", externalId: "none" }) { ... on UnlinkXrefPayload { xref { state } } ${E} } }`,
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
  await registerSystem(t, { code: 'odoo-main', name: 'Odoo', kind: 'ERP' });
  await registerSystem(t, { code: 'wms-eu', name: 'WMS', kind: 'WMS' });
  tokens.admin = t.adminToken;
  tokens.steward = await t.tokenFor('steward');
  tokens.viewer = await t.tokenFor('viewer');
  tokens.connector = await t.tokenFor('connector', { systemCode: 'odoo-main' });
  tokens.pipeline = await t.tokenFor('pipeline');
  const item = await createRecord(t, 'item', itemData('MX-1'));
  fixtures.item = item.recordId;
  fixtures.itemNode = (await t.gql(`{ record(id: "${item.recordId}") { nodeId } }`)).data.record.nodeId;
  const [proposer] = await stewardPair(t);
  fixtures.pending = (await propose(t, { domain: 'item', data: itemData('MX-2') }, proposer)).id;
  const token = (name: string) =>
    mutate(t, 'createApiToken', { role: 'VIEWER', actorName: name }, 'apiToken { id }');
  fixtures.foreignToken = (await token('someone-else')).apiToken.id;
  fixtures.rotatableToken = (await token('someone-else')).apiToken.id;
  await registerVersion(t, { contract: 'matrix-d', version: '1.0.0', schema: { type: 'object' } });
});
afterAll(async () => {
  await t?.close();
});

/**
 * What a role got: denied, hidden (NOT_FOUND), allowed — or, for anything else that went wrong at the
 * top level (an INTERNAL_SERVER_ERROR, a document the schema refuses), the error itself, which never
 * matches an expectation: a broken entry or a crash is a failure, not "allowed".
 */
function outcomeOf(
  response: { errors?: { message: string; extensions?: { code?: string } }[]; data?: any },
  field: string,
): Outcome | string {
  const topLevel = response.errors?.[0];
  const codes = [topLevel?.extensions?.code, response.data?.[field]?.code].filter(Boolean) as string[];
  if (codes.some((c) => DENIED.has(c))) return 'denied';
  if (codes.includes('NOT_FOUND')) return 'hidden';
  if (topLevel) return `error ${topLevel.extensions?.code}: ${topLevel.message}`;
  return 'allowed';
}

describe('authorization matrix', () => {
  it('has an entry for every query and mutation', () => {
    const schema = builtInSchema();
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
      `mutation { linkXrefs(input: { system: "wms-eu", domain: "item", links: [{ externalId: "W1", recordId: "${fixtures.item}" }] }) { ... on LinkXrefsPayload { linked } ${E} } }`,
      {},
      tokens.connector,
    );
    expect(other.data.linkXrefs.code).toBe('FORBIDDEN');
  });
});
