import { CanonError } from '../../errors.ts';
import { builder } from '../../graphql/builder.ts';
import { connectionOf, decodeCursor, encodeCursor } from '../../graphql/cursors.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { connectionNames, IDEMPOTENCY_KEY_DESCRIPTION } from '../../graphql/naming.ts';
import { RecordInterface, withAsOf } from '../records/record.graphql.ts';
import { SystemRef } from '../systems/systems.graphql.ts';
import type { KeyResolution, LinkResult, Resolution, Translation, XrefView } from './xref-rows.ts';

const XrefStateEnum = builder.enumType('XrefState', {
  description: 'Whether a link is in force.',
  values: {
    ACTIVE: { description: 'In force: resolves.' },
    RETIRED: { description: 'Unlinked: kept for history; the id may be linked again.' },
  },
});

export const XrefRef = builder.objectRef<XrefView>('Xref').implement({
  description: 'What a system calls a canonical record.',
  fields: (t) => ({
    systemCode: t.exposeString('system', { description: 'Code of the system.' }),
    system: t.loadable({
      type: SystemRef,
      description: 'The system whose id this is.',
      load: (codes: string[], ctx) => ctx.services.systems.byCodes(codes),
      resolve: (x) => x.system,
    }),
    domain: t.exposeString('domain', { description: 'The domain of the record.' }),
    externalId: t.exposeString('externalId', { description: "The system's id." }),
    externalKey: t.exposeString('externalKey', {
      nullable: true,
      description: "A second id the system uses, e.g. Odoo's xml id beside its database id.",
    }),
    recordId: t.exposeID('recordId', { description: 'Id of the canonical record.' }),
    record: t.loadable({
      type: RecordInterface,
      nullable: true,
      description: 'The canonical record (its current value).',
      load: async (ids: string[], ctx) => withAsOf(await ctx.services.records.recordsByIds(ctx, ids)),
      resolve: (x) => x.recordId,
    }),
    key: t.exposeString('key', { description: "The record's business key." }),
    state: t.field({
      type: XrefStateEnum,
      description: 'ACTIVE or RETIRED.',
      resolve: (x) => x.state as 'ACTIVE',
    }),
    syncedAt: t.expose('syncedAt', { type: 'DateTime', description: 'When the link was last confirmed.' }),
  }),
});

export const ResolutionRef = builder.objectRef<Resolution>('XrefResolution').implement({
  description: 'One id resolved (or not) to a canonical record.',
  fields: (t) => ({
    externalId: t.exposeString('externalId', { description: 'The id asked for.' }),
    recordId: t.exposeID('recordId', { nullable: true, description: 'Null for an unknown id.' }),
    key: t.exposeString('key', { nullable: true, description: "The record's business key." }),
    held: t.boolean({
      description:
        'True when the id resolves to a quarantined record and holdQuarantined was asked: recordId and key are then null.',
      resolve: (r) => r.held === true,
    }),
  }),
});

const TranslationRef = builder.objectRef<Translation>('XrefTranslation').implement({
  description: "One id of a system translated to another system's id.",
  fields: (t) => ({
    externalId: t.exposeString('externalId', { description: 'The id asked for.' }),
    recordId: t.exposeID('recordId', {
      nullable: true,
      description: 'The canonical record; null when unknown.',
    }),
    targetId: t.exposeString('targetId', {
      nullable: true,
      description: "The target system's id; null when unknown there.",
    }),
    targetKey: t.exposeString('targetKey', {
      nullable: true,
      description: "The target system's externalKey.",
    }),
  }),
});

const ResolvePayload = builder.objectRef<Resolution[]>('ResolveXrefsPayload').implement({
  description: 'The ids resolved, in input order.',
  fields: (t) => ({
    resolutions: t.field({
      type: [ResolutionRef],
      description: 'One per id asked for, in order.',
      resolve: (r) => r,
    }),
  }),
});
const KeyResolutionRef = builder.objectRef<KeyResolution>('ExternalKeyResolution').implement({
  description: 'One external key (e.g. an Odoo xml id) and the canonical record it names.',
  fields: (t) => ({
    externalKey: t.exposeString('externalKey', { description: 'The key, as asked.' }),
    externalId: t.exposeString('externalId', {
      nullable: true,
      description: "The system's id carrying the key (the most recently linked one).",
    }),
    recordId: t.exposeID('recordId', {
      nullable: true,
      description: 'The canonical record; null when unknown.',
    }),
    key: t.exposeString('key', { nullable: true, description: "The record's business key." }),
    ambiguous: t.exposeBoolean('ambiguous', {
      description: 'The key is carried by live ids of different records: no record is answered for it.',
    }),
  }),
});
const ResolveKeysPayload = builder.objectRef<KeyResolution[]>('ResolveExternalKeysPayload').implement({
  description: 'The external keys resolved, in input order.',
  fields: (t) => ({
    resolutions: t.field({
      type: [KeyResolutionRef],
      description: 'One per key asked for, in order.',
      resolve: (r) => r,
    }),
  }),
});

const TranslatePayload = builder.objectRef<Translation[]>('TranslateXrefsPayload').implement({
  description: 'The ids translated, in input order.',
  fields: (t) => ({
    translations: t.field({
      type: [TranslationRef],
      description: 'One per id asked for, in order.',
      resolve: (r) => r,
    }),
  }),
});

const LinkPayload = builder.objectRef<LinkResult>('LinkXrefsPayload').implement({
  description: 'What a batch of links did.',
  fields: (t) => ({
    linked: t.exposeInt('linked', { description: 'Links created or changed by this call.' }),
    unchanged: t.exposeInt('unchanged', {
      description: 'Links that already existed as given (a retried batch changes nothing).',
    }),
    xrefs: t.field({
      type: [XrefRef],
      description: 'Every link of the batch, as it is now.',
      resolve: (r) => r.xrefs,
    }),
  }),
});
const UnlinkPayload = builder.objectRef<XrefView>('UnlinkXrefPayload').implement({
  description: 'The link, retired.',
  fields: (t) => ({ xref: t.field({ type: XrefRef, description: 'The retired link.', resolve: (x) => x }) }),
});

builder.interfaceField(RecordInterface, 'xrefs', (t) =>
  t.loadableList({
    type: XrefRef,
    description: "Every system's live ids for this record.",
    load: (ids: string[], ctx) => ctx.services.xref.ofRecords(ctx, ids),
    resolve: (v) => v.id,
  }),
);

const XREF_CURSOR = 'xref';
const [XrefConnection, XrefEdge] = connectionNames('Xref', 'links of a system map');

builder.queryFields((t) => ({
  resolveXrefs: t.field({
    type: ResolvePayload,
    authScopes: { authenticated: true },
    errors: { ...canonErrors, directResult: true },
    description:
      "A system's ids to canonical records, in input order (null for unknown ids); up to 1000 per call.",
    args: {
      system: t.arg.string({ required: true, description: 'Code of the system the ids belong to.' }),
      domain: t.arg.string({ required: true, description: 'The domain.' }),
      externalIds: t.arg.stringList({ required: true, description: 'Up to 1000 ids.' }),
      holdQuarantined: t.arg.boolean({
        description:
          'Answer ids of quarantined records (a blocking exception is open) as held: recordId null, held true.',
      }),
    },
    resolve: async (_r, a, ctx) => {
      const resolutions = await ctx.services.xref.resolve(ctx, a.system, a.domain, a.externalIds);
      if (!a.holdQuarantined) return resolutions;
      const ids = resolutions.map((r) => r.recordId).filter((id): id is string => id !== null);
      const held = new Set(
        (await ctx.services.exceptions.reads.quarantinesOf(ids)).flatMap((q) => (q ? [q.recordId] : [])),
      );
      return resolutions.map((r) =>
        r.recordId && held.has(r.recordId)
          ? { externalId: r.externalId, recordId: null, key: null, held: true }
          : r,
      );
    },
  }),
  resolveExternalKeys: t.field({
    type: ResolveKeysPayload,
    authScopes: { authenticated: true },
    errors: { ...canonErrors, directResult: true },
    description:
      "A system's external keys (Odoo xml ids) to canonical records, in input order (null for unknown keys, ambiguous ones said so); up to 1000 per call.",
    args: {
      system: t.arg.string({ required: true, description: 'Code of the system the keys belong to.' }),
      domain: t.arg.string({ required: true, description: 'The domain.' }),
      externalKeys: t.arg.stringList({ required: true, description: 'Up to 1000 keys.' }),
    },
    resolve: (_r, a, ctx) => ctx.services.xref.resolveKeys(ctx, a.system, a.domain, a.externalKeys),
  }),
  translateXrefs: t.field({
    type: TranslatePayload,
    authScopes: { authenticated: true },
    errors: { ...canonErrors, directResult: true },
    description: "One system's ids to another's, in input order; up to 1000 per call.",
    args: {
      domain: t.arg.string({ required: true, description: 'The domain.' }),
      fromSystem: t.arg.string({ required: true, description: 'Code of the system the ids belong to.' }),
      toSystem: t.arg.string({ required: true, description: 'Code of the system to translate to.' }),
      externalIds: t.arg.stringList({ required: true, description: 'Up to 1000 ids.' }),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.xref.translate(ctx, a.domain, a.fromSystem, a.toSystem, a.externalIds),
  }),
  xrefMap: t.connection(
    {
      type: XrefRef,
      authScopes: { authenticated: true },
      description:
        "A system's live links for a domain, in link order (keyset cursors: stable under concurrent links). For a whole map, GET /maps/{system}/{domain}.",
      args: {
        system: t.arg.string({ required: true, description: 'Code of the system.' }),
        domain: t.arg.string({ required: true, description: 'The domain.' }),
      },
      resolve: async (_r, a, ctx) => {
        if (a.before || a.last)
          throw new CanonError('BAD_USER_INPUT', 'The map pages forward only: use first and after.', {
            path: [a.last ? 'last' : 'before'],
          });
        const first = Math.min(Math.max(a.first ?? 1000, 1), 5000);
        const after = a.after ? String(decodeCursor(XREF_CURSOR, a.after)[0]) : undefined;
        const rows = await ctx.services.xref.map(ctx, a.system, a.domain, first, after);
        return connectionOf(rows, first, (x) => encodeCursor(XREF_CURSOR, [x.rowId]), {
          hasPreviousPage: Boolean(after),
        });
      },
    },
    {
      ...XrefConnection,
      // the page shape before API 1.0 (XrefMapPage), kept for one release
      fields: (c) => ({
        nodes: c.field({
          type: [XrefRef],
          description: 'The links of this page.',
          deprecationReason: 'Use edges { node } (API 1.0); removed in the next major release.',
          resolve: (page: { edges: { node: XrefView }[] }) => page.edges.map((e) => e.node),
        }),
        endCursor: c.string({
          nullable: true,
          description: 'Pass as `after` for the next page.',
          deprecationReason: 'Use pageInfo.endCursor (API 1.0); removed in the next major release.',
          resolve: (page: { pageInfo: { endCursor: string | null } }) => page.pageInfo.endCursor,
        }),
        hasNextPage: c.boolean({
          description: 'True when links follow this page.',
          deprecationReason: 'Use pageInfo.hasNextPage (API 1.0); removed in the next major release.',
          resolve: (page: { pageInfo: { hasNextPage: boolean } }) => page.pageInfo.hasNextPage,
        }),
      }),
    },
    XrefEdge,
  ),
}));

const LinkInput = builder.inputType('XrefLinkInput', {
  description: 'One id of the system and the record it stands for.',
  fields: (t) => ({
    externalId: t.string({ required: true, description: "The system's id." }),
    recordId: t.id({ required: true, description: 'The canonical record.' }),
    externalKey: t.string({ description: 'A second id of the system (e.g. an Odoo xml id).' }),
  }),
});
const LinkXrefsInput = builder.inputType('LinkXrefsInput', {
  description: "A batch of a system's ids to link.",
  fields: (t) => ({
    system: t.string({ required: true, description: 'Code of the system.' }),
    domain: t.string({ required: true, description: 'The domain of the records.' }),
    links: t.field({ type: [LinkInput], required: true, description: 'Up to 1000 links.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});
const UnlinkXrefInput = builder.inputType('UnlinkXrefInput', {
  description: 'The link to retire.',
  fields: (t) => ({
    system: t.string({ required: true, description: 'Code of the system.' }),
    domain: t.string({ required: true, description: 'The domain.' }),
    externalId: t.string({ required: true, description: "The system's id." }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

builder.mutationFields((t) => ({
  linkXrefs: t.field({
    type: LinkPayload,
    errors: { ...canonErrors, directResult: true },
    description:
      "Links a batch of a system's ids to records (idempotent; an id linked to another record is a conflict). Connectors link their own system's ids.",
    args: {
      input: t.arg({ type: LinkXrefsInput, required: true, description: 'What to do; see the input type.' }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.xref.link(
        ctx,
        {
          system: input.system,
          domain: input.domain,
          links: input.links.map((l) => ({
            externalId: l.externalId,
            recordId: String(l.recordId),
            externalKey: l.externalKey ?? undefined,
          })),
        },
        input.idempotencyKey,
      ),
  }),
  unlinkXref: t.field({
    type: UnlinkPayload,
    errors: { ...canonErrors, directResult: true },
    description:
      'Retires a link: the id no longer resolves and may be linked again. Unlinking an unlinked id answers the retired link.',
    args: {
      input: t.arg({ type: UnlinkXrefInput, required: true, description: 'What to do; see the input type.' }),
    },
    resolve: (_r, { input }, ctx) =>
      ctx.services.xref.unlink(
        ctx,
        { system: input.system, domain: input.domain, externalId: input.externalId },
        input.idempotencyKey,
      ),
  }),
}));
