import { defineEntity, p } from '@mikro-orm/core';

/**
 * How far the relay has published the outbox to a JetStream stream: the last outbox sequence the
 * stream acknowledged. Committed after each acknowledged window, read when a relay (this instance
 * after a crash, or another replica taking over) starts leading.
 */
export const RelayPositionEntity = defineEntity({
  name: 'RelayPosition',
  tableName: 'event_relay_position',
  properties: {
    stream: p.string().length(64).primary(),
    lastSequence: p.bigint('string'),
    updatedAt: p.datetime().onCreate(() => new Date()),
  },
});
export class RelayPosition extends RelayPositionEntity.class {}
RelayPositionEntity.setClass(RelayPosition);
