/**
 * The actor behind an identity-provider subject. The first verified token of a subject creates its
 * actor (ACTOR_CREATED); later tokens find it by (issuer, subject), so a renamed person keeps one
 * audit identity. The identity provider decides the role: when the groups of a later token map to
 * another role, the actor follows (ACTOR_ROLE_CHANGED). An actor an admin deactivated stays refused.
 * Nothing is written when nothing changed, so sign-ins are reads after the first.
 */
import { createHash } from 'node:crypto';
import type { Orm } from '../../../db/orm.ts';
import { retryTransient } from '../../../db/transient.ts';
import { CanonError } from '../../../errors.ts';
import type { AuditService } from '../../audit/audit.service.ts';
import { defineAbilityFor } from '../ability.ts';
import { Actor as ActorRow } from '../actor.entity.ts';
import type { Actor } from '../actor-context.ts';
import { kindOfRole } from '../roles.ts';
import type { VerifiedIdentity } from './jwt-verifier.ts';

export class IdentityActors {
  private readonly orm: Orm;
  private readonly audit: AuditService;

  constructor(orm: Orm, audit: AuditService) {
    this.orm = orm;
    this.audit = audit;
  }

  async actorFor(identity: VerifiedIdentity): Promise<Actor> {
    const known = await this.orm.em
      .fork()
      .findOne(ActorRow, { issuer: identity.issuer, subject: identity.subject });
    const actor = known && known.role === identity.role ? asActor(known) : await this.provision(identity);
    if (!actor.active) throw deactivated();
    const { active: _active, ...plain } = actor;
    return plain;
  }

  private provision(identity: VerifiedIdentity): Promise<ActorWithState> {
    // two first requests of one person at once: the loser's insert hits the unique key, and its
    // second attempt finds the winner's row
    return retryTransient(() =>
      this.orm.em.fork().transactional(async (em) => {
        const row = await em.findOne(
          ActorRow,
          { issuer: identity.issuer, subject: identity.subject },
          { lockMode: 4 /* PESSIMISTIC_WRITE */ },
        );
        if (!row) return asActor(await this.create(em, identity));
        if (!row.active) return asActor(row);
        if (row.role !== identity.role) {
          const before = row.role;
          row.role = identity.role;
          row.kind = kindOfRole(identity.role);
          await em.flush();
          await this.audit.record(em, auditContext(row), {
            action: 'ACTOR_ROLE_CHANGED',
            subjectType: 'Actor',
            subjectId: row.id,
            before: { role: before },
            after: { role: row.role, reason: 'identity provider groups' },
          });
        }
        return asActor(row);
      }),
    );
  }

  private async create(em: Orm['em'], identity: VerifiedIdentity): Promise<ActorRow> {
    const row = em.create(ActorRow, {
      name: await this.freeName(em, identity),
      role: identity.role,
      kind: kindOfRole(identity.role),
      systemCode: null,
      issuer: identity.issuer,
      subject: identity.subject,
    });
    await em.flush();
    await this.audit.record(em, auditContext(row), {
      action: 'ACTOR_CREATED',
      subjectType: 'Actor',
      subjectId: row.id,
      after: {
        name: row.name,
        role: row.role,
        systemCode: null,
        issuer: identity.issuer,
        subject: identity.subject,
      },
    });
    return row;
  }

  /** The claimed name, or the name with a short digest of the subject when another actor holds it. */
  private async freeName(em: Orm['em'], identity: VerifiedIdentity): Promise<string> {
    const taken = await em.findOne(ActorRow, { name: identity.name });
    if (!taken) return identity.name;
    const digest = createHash('sha256')
      .update(`${identity.issuer}\n${identity.subject}`)
      .digest('hex')
      .slice(0, 10);
    return `${identity.name.slice(0, 185)} (${digest})`;
  }
}

type ActorWithState = Actor & { active: boolean };

function asActor(row: ActorRow): ActorWithState {
  return { id: row.id, name: row.name, role: row.role, systemCode: null, tokenId: null, active: row.active };
}

function auditContext(row: ActorRow) {
  const actor: Actor = { id: row.id, name: row.name, role: row.role, systemCode: null, tokenId: null };
  return {
    actor,
    ability: defineAbilityFor(actor),
    requestId: 'identity-sign-in',
  };
}

function deactivated(): CanonError {
  return new CanonError('UNAUTHENTICATED', 'This person is deactivated in Canon.');
}
