import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../db/ids.ts';
import { ACTOR_KINDS, ROLES } from './roles.ts';

/** A person or a service account; tokens authenticate as one actor. */
export const ActorEntity = defineEntity({
  name: 'Actor',
  tableName: 'actor',
  uniques: [{ properties: ['issuer', 'subject'], name: 'actor_identity_unique' }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    name: p.string().length(200).unique(),
    kind: p.enum(ACTOR_KINDS),
    role: p.enum(ROLES),
    /** System code a connector is bound to (systems arrive with the ownership issue). */
    systemCode: p.string().length(100).nullable(),
    /** For a person signed in through the identity provider: its issuer and subject (`iss`, `sub`). */
    issuer: p.string().length(500).nullable(),
    subject: p.string().length(255).nullable(),
    active: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
    lockVersion: p.integer().version(),
  },
});
export class Actor extends ActorEntity.class {}
ActorEntity.setClass(Actor);
