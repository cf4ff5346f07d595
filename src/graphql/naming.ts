/**
 * Conventions of Canon's GraphQL API 1.0, in one place: enum values in SCREAMING_CASE over the
 * services' own values, the idempotency key every mutation input carries, payload types (the
 * success member of each mutation's `…Result` union) and connection/edge names.
 */
import { builder } from './builder.ts';
import { screamingCase as screaming } from './enum-names.ts';

/**
 * A GraphQL enum over a closed list of internal values (`'serial'`, `'work-center'`): GraphQL names
 * are SCREAMING_CASE, resolvers and services keep the internal values.
 */
export function enumOf<const V extends string>(
  name: string,
  description: string,
  values: readonly V[],
  descriptions: Partial<Record<V, string>> = {},
) {
  return builder.enumType(name, {
    description,
    values: Object.fromEntries(
      values.map((value) => [
        screaming(value),
        { value, description: descriptions[value] ?? `\`${value}\`` },
      ]),
    ) as Record<string, { value: V; description: string }>,
  });
}

export const IDEMPOTENCY_KEY_DESCRIPTION =
  'Retries with the same key and input return the first answer; the same key with other input is IDEMPOTENCY_KEY_REUSED. Keys belong to the caller.';

/** Names of a connection and its edge: `ItemConnection`, `ItemEdge`. */
export const connectionNames = (base: string, description: string) =>
  [
    { name: `${base}Connection`, description: `A page of ${description}.` },
    { name: `${base}Edge`, description: `One of ${description}, with its cursor.` },
  ] as const;
