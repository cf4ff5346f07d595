import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../db/ids.ts';
import { Actor } from './actor.entity.ts';

/**
 * An API token. The secret is shown once; only its SHA-256 is stored (tokens carry 256 random bits,
 * so a slow password hash adds nothing). The prefix identifies a token in lists and logs.
 */
export const ApiTokenEntity = defineEntity({
  name: 'ApiToken',
  tableName: 'api_token',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    actor: () => p.manyToOne(Actor).index(),
    name: p.string().length(200),
    prefix: p.string().length(40).unique(),
    tokenHash: p.string().length(64).unique(),
    expiresAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    lastUsedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    createdBy: p.uuid().nullable(),
    /** The token this one replaced, when created by rotation. */
    rotatedFrom: p.uuid().nullable(),
    /** Set for the token configured by CANON_BOOTSTRAP_ADMIN_TOKEN (replaced when the variable changes). */
    bootstrap: p.boolean().default(false),
  },
});
export class ApiToken extends ApiTokenEntity.class {}
ApiTokenEntity.setClass(ApiToken);
