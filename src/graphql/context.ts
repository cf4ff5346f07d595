/** The per-request GraphQL context: who is calling and the services resolvers delegate to. */
import type { Logger } from '../logger.ts';
import type { CallContext } from '../modules/auth/actor-context.ts';
import type { Services } from '../services.ts';

export interface GraphQLContext extends CallContext {
  services: Services;
  log: Logger;
}
