import { builder } from '../../graphql/builder.ts';
import { canonErrors } from '../../graphql/errors.ts';
import type { ChainVerification } from './audit.service.ts';
import { AuditEvent } from './audit-event.entity.ts';

const AuditEventRef = builder.objectType(AuditEvent, {
  name: 'AuditEvent',
  description: 'One entry of the append-only, hash-chained audit trail.',
  fields: (t) => ({
    sequence: t.field({ type: 'BigIntString', resolve: (e) => String(e.sequence) }),
    at: t.expose('at', { type: 'DateTime' }),
    actorId: t.exposeString('actorId', { nullable: true }),
    actorName: t.exposeString('actorName', { nullable: true }),
    systemCode: t.exposeString('systemCode', { nullable: true }),
    action: t.exposeString('action'),
    subjectType: t.exposeString('subjectType'),
    subjectId: t.exposeString('subjectId'),
    before: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.before ?? null }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.after ?? null }),
    requestId: t.exposeString('requestId', { nullable: true }),
    hash: t.exposeString('hash'),
    prevHash: t.exposeString('prevHash'),
  }),
});

const ChainVerificationRef = builder.objectRef<ChainVerification>('AuditChainVerification').implement({
  fields: (t) => ({
    valid: t.exposeBoolean('valid'),
    checked: t.exposeInt('checked'),
    brokenAt: t.field({ type: 'BigIntString', nullable: true, resolve: (v) => v.brokenAt }),
  }),
});

builder.queryFields((t) => ({
  auditEvents: t.field({
    type: [AuditEventRef],
    authScopes: { authenticated: true },
    description: 'Audit events in sequence order (admins and stewards), filtered by subject or action.',
    args: {
      subjectType: t.arg.string(),
      subjectId: t.arg.string(),
      action: t.arg.string(),
      afterSequence: t.arg({ type: 'BigIntString' }),
      first: t.arg.int({ defaultValue: 100 }),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.audit.list(ctx.services.orm.em.fork(), ctx, {
        subjectType: a.subjectType ?? undefined,
        subjectId: a.subjectId ?? undefined,
        action: a.action ?? undefined,
        afterSequence: a.afterSequence ?? undefined,
        first: Math.min(Math.max(a.first ?? 100, 1), 1000),
      }),
  }),
  verifyAuditChain: t.field({
    type: ChainVerificationRef,
    authScopes: { authenticated: true },
    errors: { ...canonErrors, directResult: true },
    description: 'Recomputes the hash chain of the whole audit trail (admins).',
    resolve: (_r, _a, ctx) => ctx.services.audit.verifyChain(ctx.services.orm.em.fork(), ctx),
  }),
}));
