/**
 * Identity: actors, API tokens and authentication. Tokens are shown once when created, stored as a
 * SHA-256 hash, expire, and can be revoked or rotated; every change is audited in its transaction.
 */
import { validate as isUuid } from 'uuid';
import type { Orm } from '../../db/orm.ts';
import { retryTransient } from '../../db/transient.ts';
import { CanonError, notFound } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { idempotency } from '../idempotency/idempotency.service.ts';
import type { SystemsService } from '../systems/systems.service.ts';
import { authorize, ormFilter } from './ability.ts';
import { Actor as ActorRow } from './actor.entity.ts';
import type { Actor, CallContext } from './actor-context.ts';
import { ApiToken } from './api-token.entity.ts';
import { requireActiveSystem } from './connector-systems.ts';
import type { CredentialChanges } from './credential-changes.ts';
import { kindOfRole, type Role } from './roles.ts';
import { hashToken, issueToken, prefixOf } from './token-format.ts';
import { type CreateTokenInput, validateTokenInput } from './token-input.ts';

export type { CreateTokenInput } from './token-input.ts';

export interface CreatedToken {
  /** The secret: shown once, never stored; null when a retried request is answered again. */
  token: string | null;
  apiToken: ApiToken;
  actor: ActorRow;
  /** True when this answers a retry (same idempotency key): the secret is not shown again. */
  replayed: boolean;
}

interface TokenRow {
  token_id: string;
  actor_id: string;
  name: string;
  role: Role;
  system_code: string | null;
  last_used_at: Date | null;
  expires_at: Date | null;
}

// how stale lastUsedAt may get: writing it on every request would turn reads into writes
const LAST_USED_RESOLUTION_MS = 60_000;

export class AuthService {
  private readonly orm: Orm;
  private readonly audit: AuditService;

  private readonly changes: CredentialChanges;
  private readonly systems: SystemsService;

  constructor(orm: Orm, audit: AuditService, changes: CredentialChanges, systems: SystemsService) {
    this.orm = orm;
    this.audit = audit;
    this.changes = changes;
    this.systems = systems;
  }

  /**
   * Resolves a bearer token to its actor. Unknown, expired and revoked tokens are all answered the
   * same way (UNAUTHENTICATED) so a caller learns nothing about which tokens exist. The token's
   * expiry comes along so the credential cache never outlives it.
   */
  async authenticate(token: string): Promise<Actor & { tokenExpiresAt: Date | null }> {
    const rows = await this.orm.em.getConnection().execute<TokenRow[]>(
      `select t.id as token_id, a.id as actor_id, a.name, a.role, a.system_code, t.last_used_at, t.expires_at
         from api_token t join actor a on a.id = t.actor_id
        where t.token_hash = ? and t.revoked_at is null and a.active
          and (t.expires_at is null or t.expires_at > now())`,
      [hashToken(token)],
    );
    const row = rows[0];
    if (!row) throw new CanonError('UNAUTHENTICATED', 'The API token is unknown, expired or revoked.');
    const lastUsed = row.last_used_at ? new Date(row.last_used_at).getTime() : 0;
    if (Date.now() - lastUsed > LAST_USED_RESOLUTION_MS) {
      // best effort: a failed bookkeeping write must not fail the request
      this.orm.em
        .getConnection()
        .execute('update api_token set last_used_at = now() where id = ?', [row.token_id])
        .catch(() => {});
    }
    return {
      id: row.actor_id,
      name: row.name,
      role: row.role,
      systemCode: row.system_code,
      tokenId: row.token_id,
      tokenExpiresAt: row.expires_at ? new Date(row.expires_at) : null,
    };
  }

  async createToken(
    ctx: CallContext,
    input: CreateTokenInput,
    idempotencyKey?: string | null,
  ): Promise<CreatedToken> {
    authorize(ctx.ability, ctx.actor, 'create', 'ApiToken');
    validateTokenInput(input);
    const issued = issueToken();
    return retryTransient(() =>
      this.orm.em
        .fork()
        .transactional((em) =>
          idempotency.within(
            em,
            ctx,
            idempotencyKey,
            'createApiToken',
            input,
            () => this.insertToken(em, ctx, input, issued),
            this.replayToken(em),
          ),
        ),
    );
  }

  /** A replayed creation or rotation: the token it made, without its secret. */
  private replayToken(em: Orm['em']) {
    return {
      idOf: (r: CreatedToken) => r.apiToken.id,
      replay: async (id: string): Promise<CreatedToken> => {
        const apiToken = await em.findOneOrFail(ApiToken, { id }, { populate: ['actor'] });
        return { token: null, apiToken, actor: apiToken.actor, replayed: true };
      },
    };
  }

  private async insertToken(
    em: Orm['em'],
    ctx: CallContext,
    input: CreateTokenInput,
    issued: ReturnType<typeof issueToken>,
  ): Promise<CreatedToken> {
    if (input.role === 'connector' && input.systemCode)
      await requireActiveSystem(this.systems, em, input.systemCode);
    {
      const actorName = input.actorName ?? `${input.role}-${issued.prefix.slice(6)}`;
      let actor = await em.findOne(ActorRow, { name: actorName });
      if (actor) {
        if (actor.role !== input.role || (actor.systemCode ?? undefined) !== input.systemCode) {
          throw new CanonError(
            'BAD_USER_INPUT',
            `The actor "${actorName}" exists with role ${actor.role}${actor.systemCode ? ` for system ${actor.systemCode}` : ''}; a token for it must have the same role and system.`,
            { path: ['actorName'] },
          );
        }
        if (!actor.active)
          throw new CanonError('INVALID_STATE', `The actor "${actorName}" is deactivated.`, {
            path: ['actorName'],
          });
      } else {
        actor = em.create(ActorRow, {
          name: actorName,
          role: input.role,
          kind: kindOfRole(input.role),
          systemCode: input.systemCode ?? null,
        });
        await em.flush();
        await this.audit.record(em, ctx, {
          action: 'ACTOR_CREATED',
          subjectType: 'Actor',
          subjectId: actor.id,
          after: { name: actor.name, role: actor.role, systemCode: actor.systemCode ?? null },
        });
      }
      const apiToken = em.create(ApiToken, {
        actor,
        name: input.name ?? `${input.role} token`,
        prefix: issued.prefix,
        tokenHash: issued.hash,
        expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
        createdBy: ctx.actor?.id ?? null,
      });
      await em.flush();
      await this.audit.record(em, ctx, {
        action: 'API_TOKEN_CREATED',
        subjectType: 'ApiToken',
        subjectId: apiToken.id,
        after: {
          prefix: apiToken.prefix,
          actor: actor.name,
          role: actor.role,
          expiresAt: apiToken.expiresAt ?? null,
        },
      });
      return { token: issued.token, apiToken, actor, replayed: false };
    }
  }

  /** Revokes a token; revoking a revoked one answers it as it is (idempotent by nature). */
  async revokeToken(ctx: CallContext, tokenId: string): Promise<ApiToken> {
    return this.changes.after(
      this.orm.em.fork().transactional(async (em) => {
        const token = await this.findVisibleToken(em, ctx, tokenId, true);
        // revoking one's own token is always allowed; others' need the right
        if (token.actor.id !== ctx.actor?.id) authorize(ctx.ability, ctx.actor, 'revoke', 'ApiToken');
        if (!token.revokedAt) {
          token.revokedAt = new Date();
          await em.flush();
          await this.audit.record(em, ctx, {
            action: 'API_TOKEN_REVOKED',
            subjectType: 'ApiToken',
            subjectId: token.id,
            before: { revokedAt: null },
            after: { revokedAt: token.revokedAt.toISOString() },
          });
        }
        return token;
      }),
    );
  }

  /** Issues a new token for the same actor and revokes the old one, in one transaction. */
  async rotateToken(
    ctx: CallContext,
    tokenId: string,
    idempotencyKey?: string | null,
  ): Promise<CreatedToken> {
    const issued = issueToken();
    return this.changes.after(
      this.orm.em.fork().transactional((em) =>
        idempotency.within(
          em,
          ctx,
          idempotencyKey,
          'rotateApiToken',
          { tokenId },
          async () => {
            // the row lock makes concurrent rotations of one token take turns: the first rotates, the
            // others find it revoked — never two live successors
            const old = await this.findVisibleToken(em, ctx, tokenId, true);
            if (old.actor.id !== ctx.actor?.id) authorize(ctx.ability, ctx.actor, 'rotate', 'ApiToken');
            if (old.revokedAt)
              throw new CanonError(
                'INVALID_STATE',
                'The token is revoked (or was rotated by another request at the same moment); it cannot be rotated.',
                { path: ['id'] },
              );
            old.revokedAt = new Date();
            const lifetime = old.expiresAt ? old.expiresAt.getTime() - old.createdAt.getTime() : null;
            const fresh = em.create(ApiToken, {
              actor: old.actor,
              name: old.name,
              prefix: issued.prefix,
              tokenHash: issued.hash,
              expiresAt: lifetime ? new Date(Date.now() + lifetime) : null,
              createdBy: ctx.actor?.id ?? null,
              rotatedFrom: old.id,
            });
            await em.flush();
            await this.audit.record(em, ctx, {
              action: 'API_TOKEN_ROTATED',
              subjectType: 'ApiToken',
              subjectId: old.id,
              after: { replacedBy: fresh.id, prefix: fresh.prefix },
            });
            return { token: issued.token, apiToken: fresh, actor: old.actor, replayed: false };
          },
          this.replayToken(em),
        ),
      ),
    );
  }

  /** Actors by id, in the order asked (null for unknown ones): for links from revisions, proposals, audit events. */
  async actorsByIds(ctx: CallContext, ids: readonly string[]): Promise<(ActorRow | null)[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    const valid = [...new Set(ids.filter((id) => isUuid(id)))];
    const rows = valid.length > 0 ? await this.orm.em.fork().find(ActorRow, { id: { $in: valid } }) : [];
    const byId = new Map(rows.map((a) => [a.id, a]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async listTokens(ctx: CallContext): Promise<ApiToken[]> {
    const em = this.orm.em.fork();
    if (!ctx.actor) throw new CanonError('UNAUTHENTICATED', 'A valid API token is required.');
    // the ability's own conditions as the filter: admins read every token, others their own
    const where = ormFilter(ctx.ability, 'read', 'ApiToken') ?? { id: null };
    return em.find(ApiToken, where, { populate: ['actor'], orderBy: { createdAt: 'desc' } });
  }

  private async findVisibleToken(
    em: Orm['em'],
    ctx: CallContext,
    tokenId: string,
    forUpdate = false,
  ): Promise<ApiToken> {
    if (!ctx.actor) throw new CanonError('UNAUTHENTICATED', 'A valid API token is required.');
    if (forUpdate && isUuid(tokenId))
      await em
        .getConnection()
        .execute(
          'select id from api_token where id = ? for update',
          [tokenId],
          'all',
          em.getTransactionContext(),
        );
    const token = isUuid(tokenId)
      ? await em.findOne(ApiToken, { id: tokenId }, { populate: ['actor'] })
      : null;
    // unknown and forbidden ids get the same answer
    if (!token || (token.actor.id !== ctx.actor.id && !ctx.ability.can('manage', 'ApiToken'))) {
      throw notFound('The API token', ['id']);
    }
    return token;
  }

  /**
   * Accepts CANON_BOOTSTRAP_ADMIN_TOKEN as an admin token: stored hashed like any other, replacing a
   * previous bootstrap token when the configured value changed.
   */
  async ensureBootstrapAdmin(ctx: CallContext, token: string): Promise<void> {
    const hash = hashToken(token);
    await this.orm.em.fork().transactional(async (em) => {
      const existing = await em.findOne(ApiToken, { tokenHash: hash });
      if (existing) {
        if (existing.revokedAt) {
          throw new CanonError(
            'INVALID_STATE',
            'CANON_BOOTSTRAP_ADMIN_TOKEN names a token that was revoked; configure a new value.',
          );
        }
        return;
      }
      for (const previous of await em.find(ApiToken, { bootstrap: true, revokedAt: null }))
        previous.revokedAt = new Date();
      let actor = await em.findOne(ActorRow, { name: 'bootstrap-admin' });
      if (!actor) {
        actor = em.create(ActorRow, {
          name: 'bootstrap-admin',
          role: 'admin',
          kind: 'SERVICE',
          systemCode: null,
        });
      }
      const apiToken = em.create(ApiToken, {
        actor,
        name: 'CANON_BOOTSTRAP_ADMIN_TOKEN',
        prefix: prefixOf(token),
        tokenHash: hash,
        bootstrap: true,
      });
      await em.flush();
      await this.audit.record(em, ctx, {
        action: 'BOOTSTRAP_ADMIN_TOKEN_REGISTERED',
        subjectType: 'ApiToken',
        subjectId: apiToken.id,
        after: { prefix: apiToken.prefix },
      });
    });
  }

  /** True when no admin can sign in yet (a fresh database). */
  async hasNoAdmin(): Promise<boolean> {
    const em = this.orm.em.fork();
    const count = await em.count(ApiToken, { actor: { role: 'admin', active: true }, revokedAt: null });
    return count === 0;
  }
}
