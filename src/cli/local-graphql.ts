/**
 * The CLI's offline transport: Canon's GraphQL schema executed in this process on the configured
 * database (DATABASE_URL, or the embedded data folder while no server holds it), as the internal
 * system actor. Loaded only by commands that run offline: the schema and the ORM are the heavy part
 * of a command's start, and `--help` or `--url` never pay for them.
 */
import { execute, parse } from 'graphql';
import { contextFor } from '../graphql/context.ts';
import { LiveSchema } from '../graphql/live-schema.ts';
import { schema } from '../graphql/schema.ts';
import { createLogger } from '../logger.ts';
import { defineAbilityFor } from '../modules/auth/ability.ts';
import { SYSTEM_ACTOR } from '../modules/auth/actor-context.ts';
import { openServices } from './support.ts';
import { type Transport, throwIfErrors } from './transport.ts';

export async function openLocalGraphQL(purpose: string): Promise<Transport> {
  const { services, close } = await openServices(purpose);
  const caller = { actor: SYSTEM_ACTOR, ability: defineAbilityFor(SYSTEM_ACTOR), ownership: [] };
  const log = createLogger('warn');
  // the types the published contracts give the schema, as the server has them
  const live = new LiveSchema(schema, services.contracts.live, log);
  await live.refresh();
  let n = 0;
  return {
    where: 'the database',
    async call(query, variables = {}) {
      const result = await execute({
        schema: live.schema,
        document: parse(query),
        variableValues: variables,
        contextValue: contextFor(services, caller, `cli-${process.pid}-${++n}`, log),
      });
      throwIfErrors(result as never);
      return result.data as never;
    },
    close,
  };
}
