import { p } from '@mikro-orm/core';

/** `createdAt` and `updatedAt`, set by the ORM; a function because property builders are mutable. */
export const timestamps = () => ({
  createdAt: p.datetime().onCreate(() => new Date()),
  updatedAt: p
    .datetime()
    .onCreate(() => new Date())
    .onUpdate(() => new Date()),
});
