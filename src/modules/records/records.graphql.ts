/**
 * Golden records over GraphQL: a `GoldenRecord` interface, typed objects per built-in domain with
 * their relations (loaded in batches), relay connections with filters, history, proposals and the
 * stewards' decisions, and unit conversion.
 */
import { type DefaultConnectionArguments, resolveOffsetConnection } from '@pothos/plugin-relay';
import { CanonError } from '../../errors.ts';
import { builder } from '../../graphql/builder.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { can } from '../auth/ability.ts';
import { type Approval, CHANGE_OPERATIONS, CHANGE_STATUSES, ChangeRequest } from './change-request.entity.ts';
import type { FieldChange } from './field-diff.ts';
import type { HistoryEntry, RecordView } from './records.service.ts';
import { ROUNDING_METHODS } from './uom/rational.ts';
import { type Conversion, convertQuantity, odooFields, type UnitFacts } from './uom/uom-conversion.ts';

type View = RecordView & { asOf?: Date };

const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' ? v : null);
const bool = (v: unknown) => (typeof v === 'boolean' ? v : null);
const withAsOf = (views: (RecordView | null)[], asOf?: Date): (View | null)[] =>
  views.map((v) => (v ? { ...v, asOf } : null));

export const RoundingMethodEnum = builder.enumType('RoundingMethod', {
  description: 'HALF_UP: half away from zero; UP: away from zero (Odoo 17/18 default); DOWN: toward zero.',
  values: ROUNDING_METHODS,
});
const ChangeStatusEnum = builder.enumType('ChangeStatus', { values: CHANGE_STATUSES });
const ChangeOperationEnum = builder.enumType('ChangeOperation', { values: CHANGE_OPERATIONS });

const FieldChangeRef = builder.objectRef<FieldChange>('FieldChange').implement({
  description: 'One changed field: JSON pointer, kind of change, values before and after.',
  fields: (t) => ({
    path: t.exposeString('path'),
    op: t.exposeString('op'),
    before: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.before ?? null }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.after ?? null }),
  }),
});

const HistoryEntryRef = builder.objectRef<HistoryEntry>('RecordRevision').implement({
  description:
    'One revision of a record: who, when, why, and the field-level changes against the previous one.',
  fields: (t) => ({
    revision: t.exposeInt('revision'),
    operation: t.exposeString('operation'),
    status: t.exposeString('status'),
    data: t.field({ type: 'JSON', resolve: (h) => h.data }),
    effectiveFrom: t.expose('effectiveFrom', { type: 'DateTime' }),
    contractVersion: t.exposeString('contractVersion'),
    changeRequestId: t.exposeID('changeRequestId', { nullable: true }),
    createdBy: t.exposeString('createdBy', { nullable: true }),
    createdByName: t.exposeString('createdByName', { nullable: true }),
    reason: t.exposeString('reason', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    changes: t.field({ type: [FieldChangeRef], resolve: (h) => h.changes }),
  }),
});

// ------------------------------------------------------------------ loaders (one query per batch)

function groupBy<T>(items: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of items) {
    const k = key(x);
    const list = m.get(k) ?? [];
    list.push(x);
    m.set(k, list);
  }
  return m;
}

/** Loads live records by business key: keys are `domain|scope|key|asOf`. */
async function loadByKeys(keys: string[], ctx: GraphQLContext): Promise<(View | null)[]> {
  const out = new Map<string, View | null>();
  for (const [group, list] of groupBy(keys, (k) => {
    const [domain, , , asOf] = k.split('|');
    return `${domain}|${asOf}`;
  })) {
    const [domain, asOf] = group.split('|');
    const date = asOf ? new Date(asOf) : undefined;
    const specs = list.map((k) => {
      const [, scope, key] = k.split('|');
      return { key, scope: scope === '*' ? undefined : scope };
    });
    const views = withAsOf(await ctx.services.records.recordsByKeys(ctx, domain, specs, date), date);
    list.forEach((k, i) => {
      out.set(k, views[i]);
    });
  }
  return keys.map((k) => out.get(k) ?? null);
}

const keyRef = (domain: string, key: unknown, asOf: Date | undefined, scope?: string) =>
  typeof key === 'string' ? `${domain}|${scope ?? '*'}|${key}|${asOf?.toISOString() ?? ''}` : null;

// ------------------------------------------------------------------ the interface and its types

export const RecordInterface = builder.interfaceRef<View>('GoldenRecord').implement({
  description: 'A golden record at one moment (now, or the asOf asked for).',
  resolveType: (v) => DOMAIN_TYPES[v.domain] ?? 'GenericRecord',
  fields: (t) => ({
    id: t.exposeID('id'),
    domain: t.exposeString('domain'),
    key: t.exposeString('key', { description: 'The business key.' }),
    site: t.exposeString('site', { nullable: true }),
    status: t.exposeString('status', { description: 'ACTIVE, RETIRED or MERGED at that moment.' }),
    revision: t.exposeInt('revision', { description: 'The revision effective at that moment.' }),
    latestRevision: t.exposeInt('latestRevision', {
      description: 'The newest revision (may be effective in the future). Propose changes against it.',
    }),
    effectiveFrom: t.expose('effectiveFrom', { type: 'DateTime' }),
    contractVersion: t.exposeString('contractVersion', {
      description: 'The contract version that validated the revision, e.g. item@1.0.0.',
    }),
    data: t.field({ type: 'JSON', description: 'The full payload.', resolve: (v) => v.data }),
    lockVersion: t.exposeInt('lockVersion'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    history: t.field({
      type: [HistoryEntryRef],
      resolve: async (v, _a, ctx) => (await ctx.services.records.history(ctx, v.id)) ?? [],
    }),
    viewerCanPropose: t.boolean({
      description:
        'Whether you may propose changes to this record (for a connector: whether its system owns it, or some of its fields).',
      resolve: (v, _a, ctx) =>
        can(ctx.ability, 'propose', 'GoldenRecord', { domain: v.domain, site: v.site }),
    }),
    viewerCanApprove: t.boolean({ resolve: (_v, _a, ctx) => can(ctx.ability, 'approve', 'ChangeRequest') }),
  }),
});

const DOMAIN_TYPES: Record<string, string> = {
  uom: 'Uom',
  item: 'Item',
  location: 'Location',
  lot: 'Lot',
  'work-center': 'WorkCenter',
};

builder.objectRef<View>('GenericRecord').implement({
  description: 'A record of a custom domain (its payload is in data).',
  interfaces: [RecordInterface],
  isTypeOf: (v) => !DOMAIN_TYPES[(v as View).domain],
});

const OdooUomRef = builder.objectRef<ReturnType<typeof odooFields>>('OdooUomFields').implement({
  description: "The unit's Odoo 17/18 uom.uom fields (factor = 1/ratio).",
  fields: (t) => ({
    factor: t.exposeString('factor'),
    factorInv: t.exposeString('factorInv'),
    uomType: t.exposeString('uomType'),
  }),
});

export const UomRef = builder.objectRef<View>('Uom').implement({
  description: 'A unit of measure.',
  interfaces: [RecordInterface],
  isTypeOf: (v) => (v as View).domain === 'uom',
  fields: (t) => ({
    code: t.string({ resolve: (v) => String(v.data.code) }),
    name: t.string({ resolve: (v) => String(v.data.name) }),
    symbol: t.string({ nullable: true, resolve: (v) => str(v.data.symbol) }),
    rec20: t.string({ nullable: true, resolve: (v) => str(v.data.rec20) }),
    dimension: t.string({ resolve: (v) => String(v.data.dimension) }),
    ratio: t.string({ resolve: (v) => String(v.data.ratio) }),
    rounding: t.field({ type: 'Decimal', resolve: (v) => String(v.data.rounding) }),
    active: t.boolean({ resolve: (v) => v.data.active !== false }),
    odoo: t.field({ type: OdooUomRef, resolve: (v) => odooFields(v.data as unknown as UnitFacts) }),
  }),
});

export const ItemRef = builder.objectRef<View>('Item').implement({
  description: 'An item (product).',
  interfaces: [RecordInterface],
  isTypeOf: (v) => (v as View).domain === 'item',
  fields: (t) => ({
    code: t.string({ resolve: (v) => String(v.data.code) }),
    name: t.string({ resolve: (v) => String(v.data.name) }),
    type: t.string({ resolve: (v) => String(v.data.type) }),
    stocked: t.boolean({ resolve: (v) => v.data.stocked === true }),
    tracking: t.string({ resolve: (v) => String(v.data.tracking) }),
    barcode: t.string({ nullable: true, resolve: (v) => str(v.data.barcode) }),
    categoryPath: t.stringList({
      nullable: true,
      resolve: (v) => (Array.isArray(v.data.categoryPath) ? (v.data.categoryPath as string[]) : null),
    }),
    active: t.boolean({ resolve: (v) => v.data.active !== false }),
    uom: t.loadable({
      type: UomRef,
      nullable: true,
      load: loadByKeys,
      resolve: (v) => keyRef('uom', v.data.uom, v.asOf),
    }),
    purchaseUom: t.loadable({
      type: UomRef,
      nullable: true,
      load: loadByKeys,
      resolve: (v) => keyRef('uom', v.data.purchaseUom, v.asOf),
    }),
  }),
});

export const LocationRef: ReturnType<typeof builder.objectRef<View>> = builder.objectRef<View>('Location');
LocationRef.implement({
  description: 'A stock location.',
  interfaces: [RecordInterface],
  isTypeOf: (v) => (v as View).domain === 'location',
  fields: (t) => ({
    code: t.string({ resolve: (v) => String(v.data.code) }),
    name: t.string({ resolve: (v) => String(v.data.name) }),
    usage: t.string({ resolve: (v) => String(v.data.usage) }),
    warehouse: t.string({ nullable: true, resolve: (v) => str(v.data.warehouse) }),
    scrap: t.boolean({ resolve: (v) => v.data.scrap === true }),
    return: t.boolean({ resolve: (v) => v.data.return === true }),
    active: t.boolean({ resolve: (v) => v.data.active !== false }),
    parent: t.loadable({
      type: LocationRef,
      nullable: true,
      load: loadByKeys,
      resolve: (v) => keyRef('location', v.data.parent, v.asOf, v.site ?? ''),
    }),
    children: t.loadableList({
      type: LocationRef,
      description: 'Live locations whose parent this is.',
      load: async (keys: string[], ctx) => {
        // keys: site|code|asOf — one query per moment asked for
        const out = new Map<string, View[]>();
        for (const [asOf, group] of groupBy(keys, (k) => k.split('|')[2])) {
          const date = asOf ? new Date(asOf) : undefined;
          const parents = group.map((k) => ({ scope: k.split('|')[0], key: k.split('|')[1] }));
          const found = await ctx.services.records.childrenOf(ctx, 'location', parents, date);
          group.forEach((k, i) => {
            out.set(k, withAsOf(found[i], date) as View[]);
          });
        }
        return keys.map((k) => out.get(k) ?? []);
      },
      resolve: (v) => `${v.site ?? ''}|${String(v.data.code)}|${v.asOf?.toISOString() ?? ''}`,
    }),
    path: t.loadable({
      type: 'String',
      description: 'The full name from the top, e.g. "EU1 / Stock / Shelf 2" (Odoo: complete_name).',
      load: async (keys: string[], ctx) => {
        // walk up all requested locations together: one query per level, not per location
        const views = keys.map(
          (k) => JSON.parse(k) as { site: string; name: string; parent: string | null; asOf: string },
        );
        const names = views.map((v) => [v.name]);
        let frontier = views.map((v, i) => ({ i, parent: v.parent, site: v.site, asOf: v.asOf }));
        for (let depth = 0; frontier.length > 0 && depth < 50; depth++) {
          const next: typeof frontier = [];
          for (const [asOf, group] of groupBy(
            frontier.filter((f) => f.parent),
            (f) => f.asOf,
          )) {
            const parents = await ctx.services.records.recordsByKeys(
              ctx,
              'location',
              group.map((f) => ({ key: f.parent!, scope: f.site })),
              asOf ? new Date(asOf) : undefined,
            );
            group.forEach((f, j) => {
              const p = parents[j];
              if (!p) return;
              names[f.i].unshift(String(p.data.name));
              next.push({ i: f.i, parent: str(p.data.parent), site: f.site, asOf: f.asOf });
            });
          }
          frontier = next;
        }
        return names.map((n) => n.join(' / '));
      },
      resolve: (v) =>
        JSON.stringify({
          site: v.site ?? '',
          name: String(v.data.name),
          parent: str(v.data.parent),
          asOf: v.asOf?.toISOString() ?? '',
        }),
    }),
  }),
});

export const LotRef = builder.objectRef<View>('Lot').implement({
  description: 'A lot or serial number.',
  interfaces: [RecordInterface],
  isTypeOf: (v) => (v as View).domain === 'lot',
  fields: (t) => ({
    number: t.string({ resolve: (v) => String(v.data.number) }),
    itemCode: t.string({ resolve: (v) => String(v.data.item) }),
    item: t.loadable({
      type: ItemRef,
      nullable: true,
      load: loadByKeys,
      resolve: (v) => keyRef('item', v.data.item, v.asOf),
    }),
    supplierReference: t.string({ nullable: true, resolve: (v) => str(v.data.supplierReference) }),
    manufacturedOn: t.string({ nullable: true, resolve: (v) => str(v.data.manufacturedOn) }),
    expiresAt: t.string({ nullable: true, resolve: (v) => str(v.data.expiresAt) }),
    bestBeforeAt: t.string({ nullable: true, resolve: (v) => str(v.data.bestBeforeAt) }),
    removalAt: t.string({ nullable: true, resolve: (v) => str(v.data.removalAt) }),
    alertAt: t.string({ nullable: true, resolve: (v) => str(v.data.alertAt) }),
    qualityStatus: t.string({ resolve: (v) => str(v.data.qualityStatus) ?? 'quarantine' }),
  }),
});

export const WorkCenterRef = builder.objectRef<View>('WorkCenter').implement({
  description: 'A work center.',
  interfaces: [RecordInterface],
  isTypeOf: (v) => (v as View).domain === 'work-center',
  fields: (t) => ({
    code: t.string({ resolve: (v) => String(v.data.code) }),
    name: t.string({ resolve: (v) => String(v.data.name) }),
    capacity: t.float({ nullable: true, resolve: (v) => num(v.data.capacity) }),
    timeEfficiency: t.float({ nullable: true, resolve: (v) => num(v.data.timeEfficiency) }),
    oeeTarget: t.float({ nullable: true, resolve: (v) => num(v.data.oeeTarget) }),
    setupMinutes: t.float({ nullable: true, resolve: (v) => num(v.data.setupMinutes) }),
    cleanupMinutes: t.float({ nullable: true, resolve: (v) => num(v.data.cleanupMinutes) }),
    calendar: t.string({ nullable: true, resolve: (v) => str(v.data.calendar) }),
    active: t.boolean({ resolve: (v) => bool(v.data.active) !== false }),
    costPerHour: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Hourly costs by start date.',
      resolve: (v) => v.data.costPerHour ?? null,
    }),
    currentCostPerHour: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The hourly cost effective at the moment asked for (Odoo: costs_hour).',
      resolve: (v) => {
        const day = (v.asOf ?? new Date()).toISOString().slice(0, 10);
        const costs = (Array.isArray(v.data.costPerHour) ? v.data.costPerHour : []) as { from: string }[];
        return [...costs].reverse().find((c) => c.from <= day) ?? null;
      },
    }),
    location: t.loadable({
      type: LocationRef,
      nullable: true,
      load: loadByKeys,
      resolve: (v) => keyRef('location', v.data.location, v.asOf, v.site ?? ''),
    }),
  }),
});

// ------------------------------------------------------------------ change requests

const ApprovalRef = builder.objectRef<Approval>('Approval').implement({
  fields: (t) => ({
    actorId: t.exposeID('actorId'),
    actorName: t.exposeString('actorName'),
    at: t.exposeString('at'),
    comment: t.exposeString('comment', { nullable: true }),
  }),
});

export const ChangeRequestRef = builder.objectType(ChangeRequest, {
  name: 'ChangeRequest',
  description: 'A proposed change to a golden record, with its diff, validation and the decisions on it.',
  fields: (t) => ({
    id: t.exposeID('id'),
    domain: t.exposeString('domain'),
    recordId: t.exposeID('recordId', { nullable: true }),
    record: t.loadable({
      type: RecordInterface,
      nullable: true,
      description: 'The record (its current value).',
      load: async (ids: string[], ctx) => withAsOf(await ctx.services.records.recordsByIds(ctx, ids)),
      resolve: (cr) => cr.recordId ?? null,
    }),
    operation: t.field({ type: ChangeOperationEnum, resolve: (cr) => cr.operation }),
    mode: t.exposeString('mode', { description: 'FULL payload or merge PATCH.' }),
    input: t.field({ type: 'JSON', nullable: true, resolve: (cr) => cr.input ?? null }),
    proposed: t.field({
      type: 'JSON',
      description: 'The full payload the record will have.',
      resolve: (cr) => cr.proposed,
    }),
    diff: t.field({
      type: [FieldChangeRef],
      description: 'Field-level changes against the base revision.',
      resolve: (cr) => cr.diff as FieldChange[],
    }),
    baseRevision: t.exposeInt('baseRevision', { nullable: true }),
    status: t.field({ type: ChangeStatusEnum, resolve: (cr) => cr.status }),
    proposedBy: t.exposeString('proposedBy', { nullable: true }),
    proposedByName: t.exposeString('proposedByName', { nullable: true }),
    systemCode: t.exposeString('systemCode', { nullable: true }),
    requiredApprovals: t.exposeInt('requiredApprovals'),
    approvals: t.field({ type: [ApprovalRef], resolve: (cr) => cr.approvals }),
    reason: t.exposeString('reason', { nullable: true }),
    decisionReason: t.exposeString('decisionReason', { nullable: true }),
    effectiveFrom: t.expose('effectiveFrom', { type: 'DateTime' }),
    contractVersion: t.exposeString('contractVersion'),
    validation: t.field({
      type: 'JSON',
      description: 'Non-blocking findings (blocking ones refuse the proposal).',
      resolve: (cr) => cr.warnings,
    }),
    appliedRevision: t.exposeInt('appliedRevision', { nullable: true }),
    conflict: t.field({
      type: 'JSON',
      nullable: true,
      description: "For CONFLICT: the record's current revision and value beside the proposed one.",
      resolve: (cr) => cr.conflict ?? null,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    viewerCanApprove: t.boolean({
      resolve: (cr, _a, ctx) =>
        cr.status === 'PENDING' &&
        cr.proposedBy !== ctx.actor?.id &&
        can(ctx.ability, 'approve', 'ChangeRequest'),
    }),
  }),
});

const ConversionRef = builder.objectRef<Conversion>('Conversion').implement({
  description: 'A converted quantity.',
  fields: (t) => ({
    quantity: t.field({
      type: 'Decimal',
      description: "Rounded to the target unit's step.",
      resolve: (c) => c.quantity,
    }),
    exact: t.exposeString('exact', { description: 'The exact result before rounding, as a fraction.' }),
    from: t.exposeString('from'),
    to: t.exposeString('to'),
    rounding: t.field({ type: RoundingMethodEnum, resolve: (c) => c.rounding }),
  }),
});

const ApprovalPolicyRef = builder
  .objectRef<{ domain: string; requiredApprovals: number }>('ApprovalPolicy')
  .implement({
    fields: (t) => ({
      domain: t.exposeString('domain'),
      requiredApprovals: t.exposeInt('requiredApprovals'),
    }),
  });

// ------------------------------------------------------------------ queries

const RecordFilter = builder.inputType('RecordFilter', {
  fields: (t) => ({
    search: t.string({ description: 'Part of the key or the name (case-insensitive).' }),
    keyPrefix: t.string(),
    site: t.string(),
    status: t.string({ description: 'ACTIVE (default), RETIRED, MERGED or ALL.' }),
    dataContains: t.field({ type: 'JSON', description: 'Payload containment, e.g. {"tracking": "lot"}.' }),
  }),
});

function domainConnection(domain: string, type: any) {
  return (t: any) =>
    t.connection(
      {
        type,
        authScopes: { authenticated: true },
        args: { asOf: t.arg({ type: 'DateTime' }), filter: t.arg({ type: RecordFilter }) },
        resolve: (_r: unknown, args: any, ctx: GraphQLContext) => pageOfRecords(ctx, domain, args),
      },
      {
        name: `${DOMAIN_TYPES[domain] ?? 'Record'}Connection`,
        fields: (c: any) => ({ totalCount: c.int({ resolve: (p: any) => p.totalCount }) }),
      },
    );
}

/** One page of a domain's records for a Relay connection (offset paging), with the total count. */
async function pageOfRecords(
  ctx: GraphQLContext,
  domain: string,
  args: DefaultConnectionArguments & {
    asOf?: Date | null;
    filter?: {
      search?: string | null;
      keyPrefix?: string | null;
      site?: string | null;
      status?: string | null;
      dataContains?: unknown;
    } | null;
  },
) {
  let total = 0;
  const conn = await resolveOffsetConnection({ args }, async ({ limit, offset }) => {
    const result = await ctx.services.records.list(ctx, {
      domain,
      asOf: args.asOf ?? undefined,
      search: args.filter?.search ?? undefined,
      keyPrefix: args.filter?.keyPrefix ?? undefined,
      site: args.filter?.site ?? undefined,
      status: args.filter?.status ?? undefined,
      dataContains: (args.filter?.dataContains as Record<string, unknown> | undefined) ?? undefined,
      limit: Math.min(limit, 501),
      offset,
    });
    total = result.total;
    return withAsOf(result.items, args.asOf ?? undefined) as View[];
  });
  return { ...conn, totalCount: total };
}

async function oneByKey(
  ctx: GraphQLContext,
  domain: string,
  key: string,
  scope: string | undefined,
  asOf?: Date,
): Promise<View | null> {
  const [view] = await ctx.services.records.recordsByKeys(ctx, domain, [{ key, scope }], asOf);
  return view ? { ...view, asOf } : null;
}

async function oneByIdOrKey(
  ctx: GraphQLContext,
  domain: string,
  id: string | null | undefined,
  key: string | null | undefined,
  scope: string | undefined,
  asOf?: Date,
) {
  if (id) {
    const v = await ctx.services.records.record(ctx, id, asOf);
    return v && v.domain === domain ? { ...v, asOf } : null;
  }
  if (key) return oneByKey(ctx, domain, key, scope, asOf);
  throw new CanonError('BAD_USER_INPUT', 'Give the id or the business key.', { path: ['id'] });
}

builder.queryFields((t) => ({
  record: t.field({
    type: RecordInterface,
    nullable: true,
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }), asOf: t.arg({ type: 'DateTime' }) },
    resolve: async (_r, a, ctx) => {
      const v = await ctx.services.records.record(ctx, String(a.id), a.asOf ?? undefined);
      return v ? { ...v, asOf: a.asOf ?? undefined } : null;
    },
  }),
  history: t.field({
    type: [HistoryEntryRef],
    nullable: true,
    authScopes: { authenticated: true },
    args: { recordId: t.arg.id({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.records.history(ctx, String(a.recordId)),
  }),
  records: t.connection(
    {
      type: RecordInterface,
      authScopes: { authenticated: true },
      description: 'Records of any domain (built-in or custom).',
      args: {
        domain: t.arg.string({ required: true }),
        asOf: t.arg({ type: 'DateTime' }),
        filter: t.arg({ type: RecordFilter }),
      },
      resolve: (_r, args, ctx) => pageOfRecords(ctx, args.domain, args),
    },
    {
      name: 'RecordConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (p: any) => p.totalCount }) }),
    },
  ),
  uoms: domainConnection('uom', UomRef)(t),
  items: domainConnection('item', ItemRef)(t),
  locations: domainConnection('location', LocationRef)(t),
  lots: domainConnection('lot', LotRef)(t),
  workCenters: domainConnection('work-center', WorkCenterRef)(t),
  uom: t.field({
    type: UomRef,
    nullable: true,
    authScopes: { authenticated: true },
    args: { id: t.arg.id(), code: t.arg.string(), asOf: t.arg({ type: 'DateTime' }) },
    resolve: (_r, a, ctx) =>
      oneByIdOrKey(ctx, 'uom', a.id ? String(a.id) : null, a.code, undefined, a.asOf ?? undefined),
  }),
  item: t.field({
    type: ItemRef,
    nullable: true,
    authScopes: { authenticated: true },
    args: { id: t.arg.id(), code: t.arg.string(), asOf: t.arg({ type: 'DateTime' }) },
    resolve: (_r, a, ctx) =>
      oneByIdOrKey(ctx, 'item', a.id ? String(a.id) : null, a.code, undefined, a.asOf ?? undefined),
  }),
  location: t.field({
    type: LocationRef,
    nullable: true,
    authScopes: { authenticated: true },
    args: { id: t.arg.id(), code: t.arg.string(), site: t.arg.string(), asOf: t.arg({ type: 'DateTime' }) },
    resolve: (_r, a, ctx) =>
      oneByIdOrKey(
        ctx,
        'location',
        a.id ? String(a.id) : null,
        a.code,
        a.code ? (a.site ?? '') : undefined,
        a.asOf ?? undefined,
      ),
  }),
  lot: t.field({
    type: LotRef,
    nullable: true,
    authScopes: { authenticated: true },
    args: { id: t.arg.id(), item: t.arg.string(), number: t.arg.string(), asOf: t.arg({ type: 'DateTime' }) },
    resolve: (_r, a, ctx) =>
      oneByIdOrKey(
        ctx,
        'lot',
        a.id ? String(a.id) : null,
        a.item && a.number ? `${a.item}/${a.number}` : null,
        undefined,
        a.asOf ?? undefined,
      ),
  }),
  workCenter: t.field({
    type: WorkCenterRef,
    nullable: true,
    authScopes: { authenticated: true },
    args: { id: t.arg.id(), code: t.arg.string(), asOf: t.arg({ type: 'DateTime' }) },
    resolve: (_r, a, ctx) =>
      oneByIdOrKey(ctx, 'work-center', a.id ? String(a.id) : null, a.code, undefined, a.asOf ?? undefined),
  }),
  changeRequest: t.field({
    type: ChangeRequestRef,
    nullable: true,
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.records.changeRequest(ctx, String(a.id)),
  }),
  changeRequests: t.connection(
    {
      type: ChangeRequestRef,
      authScopes: { authenticated: true },
      description:
        "The stewards' inbox: proposals by status, domain, proposer, system or record, newest first.",
      args: {
        status: t.arg({ type: ChangeStatusEnum }),
        domain: t.arg.string(),
        proposedBy: t.arg.string(),
        systemCode: t.arg.string(),
        recordId: t.arg.id(),
      },
      resolve: async (_r, args, ctx) => {
        let total = 0;
        const conn = await resolveOffsetConnection({ args }, async ({ limit, offset }) => {
          const r = await ctx.services.records.changeRequests(ctx, {
            status: args.status ?? undefined,
            domain: args.domain ?? undefined,
            proposedBy: args.proposedBy ?? undefined,
            systemCode: args.systemCode ?? undefined,
            recordId: args.recordId ? String(args.recordId) : undefined,
            limit: Math.min(limit, 501),
            offset,
          });
          total = r.total;
          return r.items;
        });
        return { ...conn, totalCount: total };
      },
    },
    {
      name: 'ChangeRequestConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (p: any) => p.totalCount }) }),
    },
  ),
  approvalPolicies: t.field({
    type: [ApprovalPolicyRef],
    authScopes: { authenticated: true },
    resolve: (_r, _a, ctx) => ctx.services.records.approvalPolicies(ctx),
  }),
  convertQuantity: t.field({
    type: ConversionRef,
    authScopes: { authenticated: true },
    errors: { ...canonErrors, directResult: true },
    description:
      'Converts a quantity between two live units of one dimension, exactly, rounded to the target unit (UP by default, as Odoo 17/18).',
    args: {
      quantity: t.arg({ type: 'Decimal', required: true }),
      from: t.arg.string({ required: true }),
      to: t.arg.string({ required: true }),
      rounding: t.arg({ type: RoundingMethodEnum }),
    },
    resolve: async (_r, a, ctx) => {
      const [from, to] = await ctx.services.records.recordsByKeys(ctx, 'uom', [
        { key: a.from },
        { key: a.to },
      ]);
      if (from?.status !== 'ACTIVE')
        throw new CanonError('NOT_FOUND', `No live unit ${a.from}.`, { path: ['from'] });
      if (to?.status !== 'ACTIVE')
        throw new CanonError('NOT_FOUND', `No live unit ${a.to}.`, { path: ['to'] });
      return convertQuantity(
        a.quantity,
        from.data as unknown as UnitFacts,
        to.data as unknown as UnitFacts,
        a.rounding ?? 'UP',
      );
    },
  }),
}));

// ------------------------------------------------------------------ mutations

const ProposeChangeInput = builder.inputType('ProposeChangeInput', {
  fields: (t) => ({
    domain: t.string({ required: true }),
    recordId: t.id({ description: 'The record to change; absent to create one.' }),
    operation: t.field({
      type: ChangeOperationEnum,
      description: 'Default: CREATE without recordId, UPDATE with it.',
    }),
    data: t.field({ type: 'JSON', description: 'The full payload (create, or replace with baseRevision).' }),
    patch: t.field({ type: 'JSON', description: 'An RFC 7396 JSON merge patch (update).' }),
    baseRevision: t.int({ description: 'The revision you saw; a stale one ends in CONFLICT.' }),
    effectiveFrom: t.field({
      type: 'DateTime',
      description: 'When the change takes effect (default now; may be in the future).',
    }),
    reason: t.string(),
    contractMajor: t.int({ description: 'Validate against this major line of the contract.' }),
    idempotencyKey: t.string({ description: 'Retries with the same key and input return the first result.' }),
  }),
});

builder.mutationFields((t) => ({
  proposeChange: t.field({
    type: ChangeRequestRef,
    errors: { ...canonErrors, directResult: true },
    description: 'Proposes a new record or a change; applied at once when the domain needs no approval.',
    args: { input: t.arg({ type: ProposeChangeInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.records.propose(ctx, {
        domain: input.domain,
        recordId: input.recordId ? String(input.recordId) : undefined,
        operation: input.operation ?? undefined,
        data: (input.data as Record<string, unknown> | null) ?? undefined,
        patch: (input.patch as Record<string, unknown> | null) ?? undefined,
        baseRevision: input.baseRevision ?? undefined,
        effectiveFrom: input.effectiveFrom ?? undefined,
        reason: input.reason ?? undefined,
        contractMajor: input.contractMajor ?? undefined,
        idempotencyKey: input.idempotencyKey ?? undefined,
      }),
  }),
  approveChange: t.field({
    type: ChangeRequestRef,
    errors: { ...canonErrors, directResult: true },
    description: 'Approves a pending proposal (not your own); the last approval needed applies it.',
    args: { id: t.arg.id({ required: true }), comment: t.arg.string(), idempotencyKey: t.arg.string() },
    resolve: (_r, a, ctx) =>
      ctx.services.records.approve(ctx, String(a.id), a.comment ?? undefined, a.idempotencyKey ?? undefined),
  }),
  rejectChange: t.field({
    type: ChangeRequestRef,
    errors: { ...canonErrors, directResult: true },
    args: {
      id: t.arg.id({ required: true }),
      reason: t.arg.string({ required: true }),
      idempotencyKey: t.arg.string(),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.records.reject(ctx, String(a.id), a.reason, a.idempotencyKey ?? undefined),
  }),
  withdrawChange: t.field({
    type: ChangeRequestRef,
    errors: { ...canonErrors, directResult: true },
    args: { id: t.arg.id({ required: true }), idempotencyKey: t.arg.string() },
    resolve: (_r, a, ctx) => ctx.services.records.withdraw(ctx, String(a.id), a.idempotencyKey ?? undefined),
  }),
  setApprovalPolicy: t.field({
    type: ApprovalPolicyRef,
    errors: { ...canonErrors, directResult: true },
    description:
      'How many distinct steward approvals proposals in a domain need (admins; 0 = applied at once).',
    args: { domain: t.arg.string({ required: true }), requiredApprovals: t.arg.int({ required: true }) },
    resolve: (_r, a, ctx) => ctx.services.records.setApprovalPolicy(ctx, a.domain, a.requiredApprovals),
  }),
}));
