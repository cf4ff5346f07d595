import { builder } from '../../graphql/builder.ts';
import { connectionOf, encodeCursor, forwardPage, totalCountField } from '../../graphql/cursors.ts';
import { canonErrors } from '../../graphql/errors.ts';
import { connectionNames } from '../../graphql/naming.ts';
import { ActorRef } from '../auth/auth.graphql.ts';
import type { ChainVerification } from './audit.service.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { AuditEvent } from './audit-event.entity.ts';

const AuditActionEnum = builder.enumType('AuditAction', {
  description: 'The closed list of audited actions.',
  values: AUDIT_ACTIONS,
});

const AuditEventRef = builder.objectType(AuditEvent, {
  name: 'AuditEvent',
  description: 'One entry of the append-only, hash-chained audit trail.',
  fields: (t) => ({
    sequence: t.field({
      type: 'BigIntString',
      description: 'Its place in the trail.',
      resolve: (e) => String(e.sequence),
    }),
    at: t.expose('at', { type: 'DateTime', description: 'When.' }),
    actorId: t.exposeID('actorId', { nullable: true, description: 'Id of the actor.' }),
    actor: t.loadable({
      type: ActorRef,
      nullable: true,
      description: 'Who (null for Canon itself).',
      load: (ids: string[], ctx) => ctx.services.auth.actorsByIds(ctx, ids),
      resolve: (e) => e.actorId ?? null,
    }),
    actorName: t.exposeString('actorName', { nullable: true, description: 'Their name then.' }),
    systemCode: t.exposeString('systemCode', {
      nullable: true,
      description: 'The system a connector acted for.',
    }),
    action: t.field({
      type: AuditActionEnum,
      description: 'What was done.',
      resolve: (e) => e.action as (typeof AUDIT_ACTIONS)[number],
    }),
    subjectType: t.exposeString('subjectType', { description: 'The kind of object acted on.' }),
    subjectId: t.exposeString('subjectId', { description: 'Its id.' }),
    before: t.field({
      type: 'JSON',
      nullable: true,
      description: 'What it was.',
      resolve: (e) => e.before ?? null,
    }),
    after: t.field({
      type: 'JSON',
      nullable: true,
      description: 'What it became.',
      resolve: (e) => e.after ?? null,
    }),
    requestId: t.exposeString('requestId', { nullable: true, description: 'The request it came with.' }),
    hash: t.exposeString('hash', { description: 'SHA-256 over this entry and the previous hash.' }),
    prevHash: t.exposeString('prevHash', { description: 'Hash of the entry before.' }),
  }),
});

const ChainVerificationRef = builder.objectRef<ChainVerification>('AuditChainVerification').implement({
  description: 'The result of recomputing the hash chain.',
  fields: (t) => ({
    valid: t.exposeBoolean('valid', { description: 'True when every hash matches.' }),
    checked: t.exposeInt('checked', { description: 'Entries checked.' }),
    brokenAt: t.field({
      type: 'BigIntString',
      nullable: true,
      description: 'The first entry whose hash does not match.',
      resolve: (v) => v.brokenAt,
    }),
  }),
});

const AUDIT_CURSOR = 'audit';

const AuditOrderEnum = builder.enumType('AuditOrder', {
  description: 'The order of the audit trail.',
  values: {
    OLDEST_FIRST: { description: 'In sequence order (the default): how the chain is verified.' },
    NEWEST_FIRST: { description: 'Latest first: what just happened.' },
  },
});
const AUDIT_DESC_CURSOR = 'audit-newest-first';

builder.queryFields((t) => ({
  auditEvents: t.connection(
    {
      type: AuditEventRef,
      authScopes: { authenticated: true },
      description:
        'Audit events in sequence order, or newest first (admins and stewards), filtered by subject or action.',
      args: {
        subjectType: t.arg.string({ description: 'Only events on this kind of object.' }),
        subjectId: t.arg.string({ description: 'Only events on this object.' }),
        action: t.arg({ type: AuditActionEnum, description: 'Only this action.' }),
        afterSequence: t.arg({
          type: 'BigIntString',
          description:
            'Only events after this sequence (where an oldest-first list starts when no cursor is given).',
        }),
        orderBy: t.arg({ type: AuditOrderEnum, description: 'Default OLDEST_FIRST.' }),
      },
      resolve: async (_r, a, ctx) => {
        const newestFirst = a.orderBy === 'NEWEST_FIRST';
        const kind = newestFirst ? AUDIT_DESC_CURSOR : AUDIT_CURSOR;
        const page = forwardPage<[string]>(a, kind, { defaultSize: 100, maxSize: 1000 });
        const filter = {
          subjectType: a.subjectType ?? undefined,
          subjectId: a.subjectId ?? undefined,
          action: a.action ?? undefined,
        };
        const rows = await ctx.services.audit.list(ctx.services.orm.em.fork(), ctx, {
          ...filter,
          afterSequence: newestFirst
            ? (a.afterSequence ?? undefined)
            : (page.after?.[0] ?? a.afterSequence ?? undefined),
          beforeSequence: newestFirst ? page.after?.[0] : undefined,
          newestFirst,
          first: page.limit + 1,
        });
        return connectionOf(rows, page.limit, (e) => encodeCursor(kind, [String(e.sequence)]), {
          hasPreviousPage: Boolean(page.after ?? a.afterSequence),
          totalCount: () => ctx.services.audit.count(ctx.services.orm.em.fork(), ctx, filter),
        });
      },
    },
    { ...connectionNames('AuditEvent', 'audit events')[0], fields: totalCountField },
    connectionNames('AuditEvent', 'audit events')[1],
  ),
  verifyAuditChain: t.field({
    type: ChainVerificationRef,
    authScopes: { authenticated: true },
    errors: { ...canonErrors, directResult: true },
    description: 'Recomputes the hash chain of the whole audit trail (admins).',
    resolve: (_r, _a, ctx) => ctx.services.audit.verifyChain(ctx.services.orm.em.fork(), ctx),
  }),
}));
