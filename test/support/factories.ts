/**
 * Test data through the public API, so each test builds what it needs and runs alone (`vitest -t`):
 * mutations in their 1.0 shape (one `input`, a `…Payload | Error` result), records approved by two
 * stewards, connectors with their system and system-of-record rule, contract versions.
 */
import { randomBytes } from 'node:crypto';
import type { Role } from '../../src/modules/auth/roles.ts';
import type { TestApp } from './app.ts';

export const ERROR_FIELDS = '... on Error { __typename code message path details { path message keyword } }';

const pascal = (name: string) => `${name[0].toUpperCase()}${name.slice(1)}`;

/**
 * Runs a mutation with one `input` and answers its payload's `field` (or the payload itself when no
 * field is named), or the error member (with `code`, `message`, …). Top-level GraphQL errors throw.
 */
export async function mutate<T = any>(
  t: TestApp,
  name: string,
  input: Record<string, unknown>,
  selection: string,
  options: { token?: string | null; field?: string; errors?: string } = {},
): Promise<T> {
  const payload = `${pascal(name)}Payload`;
  const inner = options.field ? `${options.field} { ${selection} }` : selection;
  const r = await t.gql(
    `mutation($input: ${pascal(name)}Input!) { ${name}(input: $input) { __typename ... on ${payload} { ${inner} } ${ERROR_FIELDS} ${options.errors ?? ''} } }`,
    { input },
    options.token === undefined ? t.adminToken : options.token,
  );
  if (r.errors) throw new Error(`${name}: ${JSON.stringify(r.errors)}`);
  const result = r.data[name];
  if (result.__typename !== payload || !options.field) return result;
  return result[options.field];
}

export const CHANGE_REQUEST_FIELDS =
  'id status recordId appliedRevision requiredApprovals approvals { actorName at } diff { path op before after } conflict baseRevision validation { code path severity message }';

const CR_ERRORS =
  '... on StaleBaseError { currentRevision } ... on NotSystemOfRecordError { ownedFields refusedFields } ... on ValidationError { findings { code path severity message } }';

/** proposeChange: the change request, or the error member. */
export const propose = (t: TestApp, input: Record<string, unknown>, token?: string) =>
  mutate(t, 'proposeChange', input, CHANGE_REQUEST_FIELDS, {
    token,
    field: 'changeRequest',
    errors: CR_ERRORS,
  });

export const approve = (t: TestApp, id: string, token?: string, idempotencyKey?: string) =>
  mutate(t, 'approveChange', { id, idempotencyKey }, CHANGE_REQUEST_FIELDS, {
    token,
    field: 'changeRequest',
    errors: '... on ValidationError { findings { code path severity message } }',
  });

export const reject = (t: TestApp, id: string, reason: string, token?: string, idempotencyKey?: string) =>
  mutate(t, 'rejectChange', { id, reason, idempotencyKey }, CHANGE_REQUEST_FIELDS, {
    token,
    field: 'changeRequest',
  });

export const withdraw = (t: TestApp, id: string, token?: string, idempotencyKey?: string) =>
  mutate(t, 'withdrawChange', { id, idempotencyKey }, CHANGE_REQUEST_FIELDS, {
    token,
    field: 'changeRequest',
  });

export const setApprovalPolicy = (t: TestApp, domain: string, requiredApprovals: number) =>
  mutate(t, 'setApprovalPolicy', { domain, requiredApprovals }, 'domain requiredApprovals', {
    field: 'approvalPolicy',
  });

const stewardPairs = new WeakMap<TestApp, Promise<[string, string]>>();

/** Two stewards of this app: one proposes, the other approves (four eyes). */
export function stewardPair(t: TestApp): Promise<[string, string]> {
  let pair = stewardPairs.get(t);
  if (!pair) {
    const tag = randomBytes(3).toString('hex');
    pair = Promise.all([
      t.tokenFor('steward', { actorName: `steward-a-${tag}` }),
      t.tokenFor('steward', { actorName: `steward-b-${tag}` }),
    ]);
    stewardPairs.set(t, pair);
  }
  return pair;
}

/**
 * A record created through a proposal and, when the domain needs approval, approved by a second
 * steward; answers the applied change request (its `recordId` is the record).
 */
export async function createRecord(t: TestApp, domain: string, data: Record<string, unknown>) {
  const [proposer, approver] = await stewardPair(t);
  const cr = await propose(t, { domain, data }, proposer);
  if (cr.status === 'APPLIED') return cr;
  if (cr.status !== 'PENDING') throw new Error(`could not propose ${domain}: ${JSON.stringify(cr)}`);
  const applied = await approve(t, cr.id, approver);
  if (applied.status !== 'APPLIED') throw new Error(`could not apply ${domain}: ${JSON.stringify(applied)}`);
  return applied;
}

/**
 * A pending proposal gone stale: an edit proposed on revision 1 of a new record, after which a
 * second edit on the same base was approved (revision 2). Approving the stale one ends in CONFLICT.
 */
export async function staleProposal(t: TestApp, domain: string, data: Record<string, unknown>) {
  const [proposer, approver] = await stewardPair(t);
  const record = await createRecord(t, domain, data);
  const edit = (name: string) =>
    propose(t, { domain, recordId: record.recordId, patch: { name }, baseRevision: 1 }, proposer);
  const stale = await edit('Stale edit');
  const newer = await approve(t, (await edit('Newer edit')).id, approver);
  if (stale.status !== 'PENDING' || newer.status !== 'APPLIED')
    throw new Error(`could not make a stale proposal: ${JSON.stringify({ stale, newer })}`);
  return { record, stale };
}

/** An item's payload with sensible defaults. */
export const itemData = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  name: `Item ${code}`,
  type: 'goods',
  uom: 'KGM',
  tracking: 'none',
  ...extra,
});

export const uniqueCode = (base: string) => `${base}-${randomBytes(3).toString('hex')}`;

export const registerSystem = (
  t: TestApp,
  input: { code: string; name?: string; kind?: string; sites?: string[]; idempotencyKey?: string },
  token?: string,
) =>
  mutate(
    t,
    'registerSystem',
    { name: input.code, kind: 'OTHER', ...input },
    'code name kind sites active lockVersion',
    { token, field: 'system' },
  );

export const assignSystemOfRecord = (
  t: TestApp,
  input: {
    domain: string;
    system: string;
    site?: string;
    fields?: string[];
    requiredApprovals?: number;
    idempotencyKey?: string;
  },
  token?: string,
) =>
  mutate(
    t,
    'assignSystemOfRecord',
    input,
    'id domain systemCode site fields requiredApprovals system { code }',
    { token, field: 'systemOfRecordRule' },
  );

/**
 * A connector token for a new system of the given kind that owns `domain` (optionally one site or
 * some fields); answers the system code and the token.
 */
export async function connectorFor(
  t: TestApp,
  options: {
    domain?: string;
    code?: string;
    kind?: string;
    sites?: string[];
    site?: string;
    fields?: string[];
    requiredApprovals?: number;
  } = {},
): Promise<{ system: string; token: string }> {
  const system = options.code ?? uniqueCode('sys');
  await registerSystem(t, { code: system, kind: options.kind ?? 'OTHER', sites: options.sites });
  if (options.domain) {
    const rule = await assignSystemOfRecord(t, {
      domain: options.domain,
      system,
      site: options.site,
      fields: options.fields,
      requiredApprovals: options.requiredApprovals,
    });
    if (!rule.id) throw new Error(`could not assign ${options.domain} to ${system}: ${JSON.stringify(rule)}`);
  }
  const token = await t.tokenFor('connector' as Role, { systemCode: system });
  return { system, token };
}

export const VERSION_FIELDS =
  'id contractName version status fingerprint uri lockVersion requiredBump changes { kind path }';

export const registerVersion = (t: TestApp, input: Record<string, unknown>, token?: string) =>
  mutate(t, 'registerContractVersion', input, VERSION_FIELDS, { token, field: 'contractVersion' });

export const publishVersion = (
  t: TestApp,
  contract: string,
  version: string,
  options: { allowBreaking?: boolean; token?: string; idempotencyKey?: string } = {},
) =>
  mutate(
    t,
    'publishContractVersion',
    {
      contract,
      version,
      allowBreaking: options.allowBreaking ?? false,
      idempotencyKey: options.idempotencyKey,
    },
    VERSION_FIELDS,
    { token: options.token, field: 'contractVersion' },
  );

/**
 * A mutation's raw response with its payload unwrapped: `data[name]` becomes the payload's `field`
 * (e.g. the contractVersion) on success, and stays the error member otherwise.
 */
export async function mutation(
  t: TestApp,
  name: string,
  input: Record<string, unknown>,
  field: string,
  selection: string,
  token?: string | null,
) {
  const r = await t.gql(
    `mutation($input: ${pascal(name)}Input!) { ${name}(input: $input) { __typename ... on ${pascal(name)}Payload { ${field} { ${selection} } } ${ERROR_FIELDS} } }`,
    { input },
    token === undefined ? t.adminToken : token,
  );
  const result = r.data?.[name];
  if (result && result.__typename === `${pascal(name)}Payload`) r.data[name] = result[field];
  return r;
}

/** The nodes of a connection. */
export const nodes = <T = any>(connection: { edges: { node: T }[] }): T[] =>
  connection.edges.map((e) => e.node);

/** What acknowledgeChanges answers, entry by entry. */
export const ACK_FIELDS = `systemCode recorded unchanged rejected acknowledgedSequence highestAcknowledgedSequence
  results { index sequence recordId revision status outcome error { code message path } }`;

/** acknowledgeChanges with a connector's token (or an admin's naming `system`): the payload or the error. */
export const acknowledgeChanges = (
  t: TestApp,
  token: string,
  changes: Record<string, unknown>[],
  system?: string,
  idempotencyKey?: string,
) =>
  mutate(
    t,
    'acknowledgeChanges',
    { changes, ...(system ? { system } : {}), ...(idempotencyKey ? { idempotencyKey } : {}) },
    ACK_FIELDS,
    { token },
  );
