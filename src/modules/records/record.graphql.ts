/**
 * Golden records over GraphQL, what every domain shares: the `GoldenRecord` interface (a Node), the
 * record of a custom domain, revisions and their field changes, batched loaders by business key,
 * keyset connections with filters, and the `record` / `records` / `history` queries. Each built-in
 * domain adds its own type and queries in its folder (`uom/uom.graphql.ts`, …).
 */
import type { GraphQLResolveInfo } from 'graphql';
import { builder } from '../../graphql/builder.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import {
  type ConnectionArgs,
  connectionOf,
  encodeCursor,
  forwardPage,
  selectsField,
} from '../../graphql/cursors.ts';
import { ValidationFindingRef } from '../../graphql/errors.ts';
import { connectionNames } from '../../graphql/naming.ts';
import { assertTextLength } from '../../text-limits.ts';
import { can } from '../auth/ability.ts';
import { ActorRef } from '../auth/auth.graphql.ts';
import { momentOf } from './as-of.ts';
import type { FieldChange } from './field-diff.ts';
import type { KeyAliasRow } from './keys/key-aliases.ts';
import {
  ChangeOperationEnum,
  FieldChangeOpEnum,
  RecordStatusEnum,
  RecordStatusFilterEnum,
} from './record-enums.ts';
import type { HistoryEntry, ListFilter, RecordView } from './records.types.ts';

/** A record at one moment: now, or the `asOf` a query asked for (its relations follow that moment). */
export type View = RecordView & { asOf?: Date };

export const str = (v: unknown) => (typeof v === 'string' ? v : null);
export const num = (v: unknown) => (typeof v === 'number' ? v : null);
export const withAsOf = (views: (RecordView | null)[], asOf?: Date): (View | null)[] =>
  views.map((v) => (v ? { ...v, asOf } : null));

/** GraphQL type of each built-in domain; records of other domains are `GenericRecord`s. */
export const DOMAIN_TYPES: Record<string, string> = {
  uom: 'Uom',
  item: 'Item',
  location: 'Location',
  lot: 'Lot',
  'work-center': 'WorkCenter',
};

const FieldChangeRef = builder.objectRef<FieldChange>('FieldChange').implement({
  description: 'One changed field: JSON pointer, kind of change, values before and after.',
  fields: (t) => ({
    path: t.exposeString('path', { description: 'JSON pointer of the field.' }),
    op: t.field({ type: FieldChangeOpEnum, description: 'How it changed.', resolve: (c) => c.op }),
    before: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The value before.',
      resolve: (c) => c.before ?? null,
    }),
    after: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The value after.',
      resolve: (c) => c.after ?? null,
    }),
  }),
});

export { FieldChangeRef };

export const RecordRevisionRef = builder.objectRef<HistoryEntry>('RecordRevision').implement({
  description:
    'One revision of a record: who, when, why, and the field-level changes against the previous one.',
  fields: (t) => ({
    revision: t.exposeInt('revision', { description: 'Its number: 1, 2, …' }),
    operation: t.field({
      type: ChangeOperationEnum,
      description: 'What the change did.',
      resolve: (h) => h.operation as 'CREATE',
    }),
    status: t.field({
      type: RecordStatusEnum,
      description: 'The record status it set.',
      resolve: (h) => h.status as 'ACTIVE',
    }),
    data: t.field({ type: 'JSON', description: 'The full payload.', resolve: (h) => h.data }),
    effectiveFrom: t.expose('effectiveFrom', { type: 'DateTime', description: 'When it takes effect.' }),
    contractVersion: t.exposeString('contractVersion', {
      description: 'The contract version that validated it.',
    }),
    changeRequestId: t.exposeID('changeRequestId', {
      nullable: true,
      description: 'The change request it applied.',
    }),
    createdById: t.exposeID('createdBy', { nullable: true, description: 'Id of the actor who proposed it.' }),
    createdBy: t.loadable({
      type: ActorRef,
      nullable: true,
      description: 'Who proposed it.',
      load: (ids: string[], ctx) => ctx.services.auth.actorsByIds(ctx, ids),
      resolve: (h) => h.createdBy,
    }),
    createdByName: t.exposeString('createdByName', { nullable: true, description: 'Their name then.' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why.' }),
    createdAt: t.expose('createdAt', {
      type: 'DateTime',
      description: 'When it was recorded (as recordedAt).',
    }),
    recordedAt: t.expose('createdAt', {
      type: 'DateTime',
      description:
        'Transaction time: when Canon recorded it. A read with knownAt before this moment does not see it; effectiveFrom is its valid time.',
    }),
    changes: t.field({
      type: [FieldChangeRef],
      description: 'Field-level changes against the previous revision.',
      resolve: (h) => h.changes,
    }),
  }),
});

/** Node loading for record types: by id, current value. */
export const recordNodeOptions = (domain: string | null) => ({
  id: { resolve: (v: View) => v.id },
  loadMany: async (ids: string[], ctx: GraphQLContext) =>
    (withAsOf(await ctx.services.records.recordsByIds(ctx, ids)) as (View | null)[]).map((v) =>
      v && (domain ? v.domain === domain : !DOMAIN_TYPES[v.domain]) ? v : null,
    ),
});

// ------------------------------------------------------------------ the interface

const KeyAliasRef = builder.objectRef<KeyAliasRow>('KeyAlias').implement({
  description:
    'A business key a record gave up in a rekey; it stays reserved for the record while it is live.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The old key.' }),
    keyScope: t.exposeString('keyScope', {
      description: "The site it was unique within ('' for global keys).",
    }),
    renamedTo: t.exposeString('renamedTo', { description: 'The key the record got in that rekey.' }),
    revision: t.exposeInt('revision', { description: 'The revision that changed the key.' }),
    renamedAt: t.expose('createdAt', { type: 'DateTime', description: 'When the rekey was recorded.' }),
  }),
});

export const RecordInterface = builder.interfaceRef<View>('GoldenRecord').implement({
  description: 'A golden record at one moment (now, or the asOf asked for).',
  interfaces: [builder.nodeInterfaceRef()],
  resolveType: (v) => DOMAIN_TYPES[v.domain] ?? 'GenericRecord',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The record id (UUID), stable across revisions.' }),
    domain: t.exposeString('domain', { description: 'The domain (contract name).' }),
    key: t.exposeString('key', { description: 'The business key.' }),
    renamedFrom: t.string({
      nullable: true,
      description:
        'Set when the record was looked up by a key it no longer has (it was rekeyed): that old key. Update your copy to `key`.',
      resolve: (v) => v.renamedFrom ?? null,
    }),
    keyAliases: t.field({
      type: [KeyAliasRef],
      description: 'The keys it had before it was rekeyed, newest first; lookups by them still answer it.',
      resolve: (v, _a, ctx) => ctx.services.records.keyAliases(ctx, v.id),
    }),
    site: t.exposeString('site', { nullable: true, description: 'The site; null: global.' }),
    mergedInto: t.id({
      nullable: true,
      description: 'For a MERGED record: the survivor it was merged into (reads by id answer the survivor).',
      resolve: (v) => v.mergedInto ?? null,
    }),
    mergedFrom: t.loadableList({
      type: 'ID',
      description: 'The records merged into this one (now MERGED, their ids answer this record).',
      // one query for every record of a page
      load: (ids: string[], ctx: GraphQLContext) => ctx.services.records.mergedFrom(ids),
      resolve: (v) => v.id,
    }),
    followedFrom: t.id({
      nullable: true,
      description: 'Set when this record answers a read of a record merged into it: that id.',
      resolve: (v) => v.followedFrom ?? null,
    }),
    status: t.field({
      type: RecordStatusEnum,
      description: 'ACTIVE, RETIRED or MERGED at that moment.',
      resolve: (v) => v.status as 'ACTIVE',
    }),
    revision: t.exposeInt('revision', { description: 'The revision effective at that moment.' }),
    latestRevision: t.exposeInt('latestRevision', {
      description: 'The newest revision (may be effective in the future). Propose changes against it.',
    }),
    effectiveFrom: t.expose('effectiveFrom', {
      type: 'DateTime',
      description: 'When that revision took effect.',
    }),
    contractVersion: t.exposeString('contractVersion', {
      description: 'The contract version that validated the revision, e.g. item@1.0.0.',
    }),
    data: t.field({ type: 'JSON', description: 'The full payload.', resolve: (v) => v.data }),
    findings: t.field({
      type: [ValidationFindingRef],
      description:
        'Warnings the revision was let in with: rules the domain set to WARNING (filter lists with hasFindings).',
      resolve: (v) => v.findings.map((f) => ({ ...f, severity: 'WARNING' as const })),
    }),
    lockVersion: t.exposeInt('lockVersion', { description: 'Optimistic lock version of the record.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the record was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed.' }),
    history: t.connection(
      {
        type: RecordRevisionRef,
        description: 'Its revisions, oldest first.',
        resolve: (v, args, ctx) => historyPage(ctx, v.id, args),
      },
      ...connectionNames('RecordRevision', 'revisions of a record'),
    ),
    viewerCanPropose: t.boolean({
      description:
        'Whether you may propose changes to this record (for a connector: whether its system owns it, or some of its fields).',
      resolve: (v, _a, ctx) =>
        can(ctx.ability, 'propose', 'GoldenRecord', { domain: v.domain, site: v.site }),
    }),
    viewerCanApprove: t.boolean({
      description: 'Whether you may approve proposals (never your own).',
      resolve: (_v, _a, ctx) => can(ctx.ability, 'approve', 'ChangeRequest'),
    }),
  }),
});

export const GenericRecordRef = builder.node(builder.objectRef<View>('GenericRecord'), {
  description: 'A record of a custom domain (its payload is in data).',
  interfaces: [RecordInterface],
  isTypeOf: (v) => !DOMAIN_TYPES[(v as View).domain],
  ...recordNodeOptions(null),
  fields: () => ({}),
});

// ------------------------------------------------------------------ lists

export const RecordFilter = builder.inputType('RecordFilter', {
  description: 'Which records a list shows.',
  fields: (t) => ({
    search: t.string({ description: 'Part of the key or the name (case-insensitive).' }),
    keyPrefix: t.string({ description: 'Keys that start with this.' }),
    site: t.string({ description: 'Records of this site.' }),
    status: t.field({ type: RecordStatusFilterEnum, description: 'Default ACTIVE.' }),
    dataContains: t.field({ type: 'JSON', description: 'Payload containment, e.g. {"tracking": "lot"}.' }),
    hasFindings: t.boolean({
      description:
        "true: only records let in with warnings (the stewards' work list); false: only clean ones.",
    }),
  }),
});

type FilterArg = {
  search?: string | null;
  keyPrefix?: string | null;
  site?: string | null;
  status?: string | null;
  dataContains?: unknown;
  hasFindings?: boolean | null;
} | null;

const RECORD_CURSOR = 'record';

/** One page of a domain's records (keyset on key), with a totalCount computed only when asked. */
export async function pageOfRecords(
  ctx: GraphQLContext,
  domain: string,
  args: ConnectionArgs & { asOf?: Date | null; knownAt?: Date | null; filter?: FilterArg },
  info: GraphQLResolveInfo,
) {
  const page = forwardPage<[string, string, string]>(args, RECORD_CURSOR);
  assertTextLength(args.filter?.search, 'search', ['filter', 'search']);
  assertTextLength(args.filter?.keyPrefix, 'search', ['filter', 'keyPrefix']);
  const asOf = momentOf(args.asOf, args.knownAt);
  const filter: ListFilter = {
    domain,
    asOf,
    search: args.filter?.search ?? undefined,
    keyPrefix: args.filter?.keyPrefix ?? undefined,
    site: args.filter?.site ?? undefined,
    status: args.filter?.status ?? undefined,
    dataContains: (args.filter?.dataContains as Record<string, unknown> | undefined) ?? undefined,
    hasFindings: args.filter?.hasFindings ?? undefined,
  };
  const { items, total } = await ctx.services.records.list(ctx, filter, page, {
    withTotal: selectsField(info, 'totalCount'),
  });
  return connectionOf(
    withAsOf(items, asOf) as View[],
    page.limit,
    (v) => encodeCursor(RECORD_CURSOR, [v.storedKey, v.keyScope, v.id]),
    {
      hasPreviousPage: Boolean(page.after),
      totalCount: async () => total ?? ctx.services.records.count(ctx, filter),
    },
  );
}

const totalCountField = (c: any) => ({
  totalCount: c.int({
    description: 'How many match, over all pages.',
    resolve: (p: { totalCount: () => Promise<number> }) => p.totalCount(),
  }),
});

/** The connection query of a built-in domain: `items(first, after, asOf, filter)`. */
export function domainConnection(domain: string, type: any, description: string) {
  const base = DOMAIN_TYPES[domain];
  return (t: any) =>
    t.connection(
      {
        type,
        authScopes: { authenticated: true },
        description,
        args: {
          asOf: t.arg({ type: 'DateTime', description: 'Values as of this moment (default now).' }),
          knownAt: t.arg({
            type: 'DateTime',
            description:
              'Transaction time: only what had been recorded by this moment (default: everything recorded so far). A read with the same asOf and knownAt answers the same later.',
          }),
          filter: t.arg({ type: RecordFilter, description: 'Which records.' }),
        },
        resolve: (_r: unknown, args: any, ctx: GraphQLContext, info: GraphQLResolveInfo) =>
          pageOfRecords(ctx, domain, args, info),
      },
      { ...connectionNames(base, `${domain} records`)[0], fields: totalCountField },
      connectionNames(base, `${domain} records`)[1],
    );
}

const HISTORY_CURSOR = 'revision';

async function historyPage(ctx: GraphQLContext, recordId: string, args: ConnectionArgs) {
  const page = forwardPage<[number]>(args, HISTORY_CURSOR, { defaultSize: 100, maxSize: 1000 });
  const rows = (await ctx.services.records.history(ctx, recordId, page)) ?? [];
  return connectionOf(rows, page.limit, (h) => encodeCursor(HISTORY_CURSOR, [h.revision]), {
    hasPreviousPage: Boolean(page.after),
  });
}

builder.queryFields((t) => ({
  record: t.field({
    type: RecordInterface,
    nullable: true,
    authScopes: { authenticated: true },
    description:
      'A record of any domain by id; null when there is none. A record merged into another answers the survivor (its `mergedFrom` lists the id asked for; `followedFrom` says which).',
    args: {
      id: t.arg.id({ required: true, description: 'The record id.' }),
      asOf: t.arg({ type: 'DateTime', description: 'Its value as of this moment (default now).' }),
      knownAt: t.arg({
        type: 'DateTime',
        description:
          'Transaction time: only what had been recorded by this moment (default: everything recorded so far). A read with the same asOf and knownAt answers the same later.',
      }),
    },
    resolve: async (_r, a, ctx) => {
      const asOf = momentOf(a.asOf, a.knownAt);
      const v = await ctx.services.records.recordFollowingMerges(ctx, String(a.id), asOf);
      return v ? { ...v, asOf } : null;
    },
  }),
  history: t.connection(
    {
      type: RecordRevisionRef,
      authScopes: { authenticated: true },
      description: "A record's revisions, oldest first (empty for an unknown record).",
      args: { recordId: t.arg.id({ required: true, description: 'The record id.' }) },
      resolve: (_r, a, ctx) => historyPage(ctx, String(a.recordId), a),
    },
    { name: 'RecordHistoryConnection', description: 'A page of revisions of a record.' },
    { name: 'RecordHistoryEdge', description: 'One revision, with its cursor.' },
  ),
  records: t.connection(
    {
      type: RecordInterface,
      authScopes: { authenticated: true },
      description: 'Records of any domain (built-in or custom), by key.',
      args: {
        domain: t.arg.string({ required: true, description: 'The domain (contract name).' }),
        asOf: t.arg({ type: 'DateTime', description: 'Values as of this moment (default now).' }),
        knownAt: t.arg({
          type: 'DateTime',
          description:
            'Transaction time: only what had been recorded by this moment (default: everything recorded so far). A read with the same asOf and knownAt answers the same later.',
        }),
        filter: t.arg({ type: RecordFilter, description: 'Which records.' }),
      },
      resolve: (_r, args, ctx, info) => pageOfRecords(ctx, args.domain, args, info),
    },
    { ...connectionNames('Record', 'records')[0], fields: totalCountField },
    connectionNames('Record', 'records')[1],
  ),
}));
