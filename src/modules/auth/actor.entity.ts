import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../db/ids.ts';
import { ACTOR_KINDS, ROLES } from './roles.ts';

/** A person or a service account; tokens authenticate as one actor. */
export const ActorEntity = defineEntity({
  name: 'Actor',
  tableName: 'actor',
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
    active: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
    lockVersion: p.integer().version(),
  },
});
export class Actor extends ActorEntity.class {}
ActorEntity.setClass(Actor);
