import { builder } from '../../graphql/builder.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { RecordInterface } from '../records/records.graphql.ts';
import type { Resolution, Translation, XrefView } from './xref.service.ts';

const XrefRef = builder.objectRef<XrefView>('Xref').implement({
  description: 'What a system calls a canonical record.',
  fields: (t) => ({
    system: t.exposeString('system'),
    domain: t.exposeString('domain'),
    externalId: t.exposeString('externalId'),
    externalKey: t.exposeString('externalKey', {
      nullable: true,
      description: "A second id the system uses, e.g. Odoo's xml id beside its database id.",
    }),
    recordId: t.exposeID('recordId'),
    key: t.exposeString('key', { description: "The record's business key." }),
    state: t.exposeString('state'),
    syncedAt: t.expose('syncedAt', { type: 'DateTime' }),
  }),
});

const ResolutionRef = builder.objectRef<Resolution>('XrefResolution').implement({
  fields: (t) => ({
    externalId: t.exposeString('externalId'),
    recordId: t.exposeID('recordId', { nullable: true, description: 'Null for an unknown id.' }),
    key: t.exposeString('key', { nullable: true }),
  }),
});

const TranslationRef = builder.objectRef<Translation>('XrefTranslation').implement({
  fields: (t) => ({
    externalId: t.exposeString('externalId'),
    recordId: t.exposeID('recordId', { nullable: true }),
    targetId: t.exposeString('targetId', {
      nullable: true,
      description: "The target system's id; null when unknown there.",
    }),
    targetKey: t.exposeString('targetKey', { nullable: true }),
  }),
});

const LinkResultRef = builder
  .objectRef<{ linked: number; unchanged: number; xrefs: XrefView[] }>('LinkXrefsResult')
  .implement({
    fields: (t) => ({
      linked: t.exposeInt('linked'),
      unchanged: t.exposeInt('unchanged', {
        description: 'Links that already existed as given (a retried batch changes nothing).',
      }),
      xrefs: t.field({ type: [XrefRef], resolve: (r) => r.xrefs }),
    }),
  });

const XrefPageRef = builder
  .objectRef<{ items: XrefView[]; cursor: string | null; hasNextPage: boolean }>('XrefMapPage')
  .implement({
    fields: (t) => ({
      nodes: t.field({ type: [XrefRef], resolve: (p) => p.items }),
      endCursor: t.exposeString('cursor', {
        nullable: true,
        description: 'Pass as `after` for the next page.',
      }),
      hasNextPage: t.exposeBoolean('hasNextPage'),
    }),
  });

builder.interfaceField(RecordInterface, 'xrefs', (t) =>
  t.loadableList({
    type: XrefRef,
    description: "Every system's live ids for this record.",
    load: (ids: string[], ctx) => ctx.services.xref.ofRecords(ctx, ids),
    resolve: (v) => v.id,
  }),
);

builder.queryFields((t) => ({
  resolveXrefs: t.field({
    type: [ResolutionRef],
    authScopes: { authenticated: true },
    description:
      "A system's ids to canonical records, in input order (null for unknown ids); up to 1000 per call.",
    args: {
      system: t.arg.string({ required: true }),
      domain: t.arg.string({ required: true }),
      externalIds: t.arg.stringList({ required: true }),
    },
    resolve: (_r, a, ctx) => ctx.services.xref.resolve(ctx, a.system, a.domain, a.externalIds),
  }),
  translateXrefs: t.field({
    type: [TranslationRef],
    authScopes: { authenticated: true },
    description: "One system's ids to another's, in input order; up to 1000 per call.",
    args: {
      domain: t.arg.string({ required: true }),
      fromSystem: t.arg.string({ required: true }),
      toSystem: t.arg.string({ required: true }),
      externalIds: t.arg.stringList({ required: true }),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.xref.translate(ctx, a.domain, a.fromSystem, a.toSystem, a.externalIds),
  }),
  xrefMap: t.field({
    type: XrefPageRef,
    authScopes: { authenticated: true },
    description: "A system's map for a domain, page by page.",
    args: {
      system: t.arg.string({ required: true }),
      domain: t.arg.string({ required: true }),
      first: t.arg.int({ defaultValue: 1000 }),
      after: t.arg.string(),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.xref.map(ctx, a.system, a.domain, a.first ?? 1000, a.after ?? undefined),
  }),
}));

const LinkInput = builder.inputType('XrefLinkInput', {
  fields: (t) => ({
    externalId: t.string({ required: true }),
    recordId: t.id({ required: true }),
    externalKey: t.string(),
  }),
});

builder.mutationFields((t) => ({
  linkXrefs: t.field({
    type: LinkResultRef,
    errors: { ...canonErrors, directResult: true },
    description:
      "Links a batch of a system's ids to records (idempotent; an id linked to another record is a conflict). Connectors link their own system's ids.",
    args: {
      system: t.arg.string({ required: true }),
      domain: t.arg.string({ required: true }),
      links: t.arg({ type: [LinkInput], required: true }),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.xref.link(ctx, {
        system: a.system,
        domain: a.domain,
        links: a.links.map((l) => ({
          externalId: l.externalId,
          recordId: String(l.recordId),
          externalKey: l.externalKey ?? undefined,
        })),
      }),
  }),
  unlinkXref: t.field({
    type: XrefRef,
    errors: { ...canonErrors, directResult: true },
    args: {
      system: t.arg.string({ required: true }),
      domain: t.arg.string({ required: true }),
      externalId: t.arg.string({ required: true }),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.xref.unlink(ctx, { system: a.system, domain: a.domain, externalId: a.externalId }),
  }),
}));
