/**
 * The per-request GraphQL context: who is calling and the services resolvers delegate to; made for
 * yoga, the compiled lane and the CLI's offline transport alike (no graphql-yoga import here).
 */
import { ANONYMOUS_ABILITY, type Caller } from '../callers.ts';
import type { Logger } from '../logger.ts';
import type { CallContext } from '../modules/auth/actor-context.ts';
import type { Services } from '../services.ts';

export interface GraphQLContext extends CallContext {
  services: Services;
  log: Logger;
}

/** The resolvers' context for a caller (null = no token): shared by yoga and the compiled lane. */
export function contextFor(
  services: Services,
  caller: Caller | null,
  requestId: string,
  requestLog: Logger,
): GraphQLContext {
  const actor = caller?.actor ?? null;
  let log: Logger | undefined;
  return {
    actor,
    ability: caller?.ability ?? ANONYMOUS_ABILITY,
    ownership: caller?.ownership ?? [],
    requestId,
    services,
    // a child logger per request costs more than the lookup it serves: made when first used
    get log() {
      log ??= requestLog.child({ actor: actor?.name });
      return log;
    },
  };
}
