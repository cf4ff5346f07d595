/**
 * The closed list of schema change kinds Canon reports.
 *
 * Names follow Confluent Schema Registry's JSON Schema `Difference.Type` vocabulary wherever it has a
 * name for the change, so people who know that registry read Canon's reports without a glossary.
 * Kinds that Confluent has no name for (format, const-free keywords it ignores, conditionals,
 * patternProperties, propertyNames, contains, further annotations) are Canon's own, named in the same
 * style; docs/contracts.md lists them.
 *
 * `backward` says whether the change, found when diffing OLD → NEW, keeps every document that was
 * valid under OLD valid under NEW. Forward compatibility is decided by diffing NEW → OLD with the same
 * table, exactly as Confluent does.
 */
import { type ChangeKindInfo, k } from './change-kind-info.ts';
import { CONTENT_MODEL_KINDS } from './content-model-kinds.ts';

export type { ChangeFamily, ChangeKindInfo } from './change-kind-info.ts';

export const CHANGE_KINDS = {
  // annotations
  ID_CHANGED: k('annotation', true, 'The $id at {at} changed.', { annotation: true }),
  DESCRIPTION_CHANGED: k('annotation', true, 'The description at {at} changed.', { annotation: true }),
  TITLE_CHANGED: k('annotation', true, 'The title at {at} changed.', { annotation: true }),
  DEFAULT_CHANGED: k('annotation', true, 'The default value at {at} changed.', { annotation: true }),
  EXAMPLES_CHANGED: k('annotation', true, 'The examples at {at} changed.', { annotation: true, canon: true }),
  COMMENT_CHANGED: k('annotation', true, 'The $comment at {at} changed.', { annotation: true, canon: true }),
  DEPRECATED_CHANGED: k('annotation', true, 'The deprecated flag at {at} changed.', {
    annotation: true,
    canon: true,
  }),
  READ_ONLY_CHANGED: k('annotation', true, 'The readOnly flag at {at} changed.', {
    annotation: true,
    canon: true,
  }),
  WRITE_ONLY_CHANGED: k('annotation', true, 'The writeOnly flag at {at} changed.', {
    annotation: true,
    canon: true,
  }),

  // whole (sub)schemas
  SCHEMA_ADDED: k('schema', false, 'A schema was added at {at} where any value was accepted before.'),
  SCHEMA_REMOVED: k('schema', true, 'The schema at {at} was removed, so any value is accepted there now.'),

  // types
  TYPE_EXTENDED: k(
    'type',
    true,
    'The type at {at} was widened (e.g. integer to number, or the type keyword dropped).',
  ),
  TYPE_NARROWED: k('type', false, 'The type at {at} was narrowed (e.g. number to integer).'),
  TYPE_CHANGED: k('type', false, 'The type at {at} changed, so values valid before are rejected now.'),

  // strings
  MAX_LENGTH_ADDED: k('string', false, 'A maxLength was added at {at}.'),
  MAX_LENGTH_REMOVED: k('string', true, 'The maxLength at {at} was removed.'),
  MAX_LENGTH_INCREASED: k('string', true, 'The maxLength at {at} was increased.'),
  MAX_LENGTH_DECREASED: k('string', false, 'The maxLength at {at} was decreased.'),
  MIN_LENGTH_ADDED: k('string', false, 'A minLength was added at {at}.'),
  MIN_LENGTH_REMOVED: k('string', true, 'The minLength at {at} was removed.'),
  MIN_LENGTH_INCREASED: k('string', false, 'The minLength at {at} was increased.'),
  MIN_LENGTH_DECREASED: k('string', true, 'The minLength at {at} was decreased.'),
  PATTERN_ADDED: k('string', false, 'A pattern was added at {at}.'),
  PATTERN_REMOVED: k('string', true, 'The pattern at {at} was removed.'),
  PATTERN_CHANGED: k('string', false, 'The pattern at {at} changed.'),
  FORMAT_ADDED: k('string', false, 'A format was added at {at}; Canon validates formats.', { canon: true }),
  FORMAT_REMOVED: k('string', true, 'The format at {at} was removed.', { canon: true }),
  FORMAT_CHANGED: k('string', false, 'The format at {at} changed.', { canon: true }),

  // numbers
  MAXIMUM_ADDED: k('number', false, 'A maximum was added at {at}.'),
  MAXIMUM_REMOVED: k('number', true, 'The maximum at {at} was removed.'),
  MAXIMUM_INCREASED: k('number', true, 'The maximum at {at} was increased.'),
  MAXIMUM_DECREASED: k('number', false, 'The maximum at {at} was decreased.'),
  MINIMUM_ADDED: k('number', false, 'A minimum was added at {at}.'),
  MINIMUM_REMOVED: k('number', true, 'The minimum at {at} was removed.'),
  MINIMUM_INCREASED: k('number', false, 'The minimum at {at} was increased.'),
  MINIMUM_DECREASED: k('number', true, 'The minimum at {at} was decreased.'),
  EXCLUSIVE_MAXIMUM_ADDED: k('number', false, 'An exclusiveMaximum was added at {at}.'),
  EXCLUSIVE_MAXIMUM_REMOVED: k('number', true, 'The exclusiveMaximum at {at} was removed.'),
  EXCLUSIVE_MAXIMUM_INCREASED: k('number', true, 'The exclusiveMaximum at {at} was increased.'),
  EXCLUSIVE_MAXIMUM_DECREASED: k('number', false, 'The exclusiveMaximum at {at} was decreased.'),
  EXCLUSIVE_MINIMUM_ADDED: k('number', false, 'An exclusiveMinimum was added at {at}.'),
  EXCLUSIVE_MINIMUM_REMOVED: k('number', true, 'The exclusiveMinimum at {at} was removed.'),
  EXCLUSIVE_MINIMUM_INCREASED: k('number', false, 'The exclusiveMinimum at {at} was increased.'),
  EXCLUSIVE_MINIMUM_DECREASED: k('number', true, 'The exclusiveMinimum at {at} was decreased.'),
  MULTIPLE_OF_ADDED: k('number', false, 'A multipleOf was added at {at}.'),
  MULTIPLE_OF_REMOVED: k('number', true, 'The multipleOf at {at} was removed.'),
  MULTIPLE_OF_EXPANDED: k(
    'number',
    false,
    'The multipleOf at {at} became a multiple of the old one (fewer values).',
  ),
  MULTIPLE_OF_REDUCED: k(
    'number',
    true,
    'The multipleOf at {at} became a divisor of the old one (more values).',
  ),
  MULTIPLE_OF_CHANGED: k('number', false, 'The multipleOf at {at} changed to an unrelated step.'),

  ...CONTENT_MODEL_KINDS,
  // enums and combinators
  ENUM_ARRAY_EXTENDED: k('enum', true, 'Values were added to the enumeration at {at}.'),
  ENUM_ARRAY_NARROWED: k('enum', false, 'Values were removed from the enumeration at {at}.'),
  ENUM_ARRAY_CHANGED: k('enum', false, 'The enumeration at {at} changed (values added and removed).'),
  COMBINED_TYPE_EXTENDED: k(
    'combined',
    true,
    'The combinator at {at} was relaxed (e.g. oneOf/allOf to anyOf).',
  ),
  COMBINED_TYPE_CHANGED: k('combined', false, 'The combinator at {at} changed (e.g. anyOf to allOf).'),
  COMBINED_TYPE_SUBSCHEMAS_CHANGED: k(
    'combined',
    false,
    'The subschemas of the combinator at {at} changed so that some old alternatives have no compatible counterpart.',
  ),
  PRODUCT_TYPE_EXTENDED: k('combined', false, 'An allOf at {at} gained subschemas (more constraints).'),
  PRODUCT_TYPE_NARROWED: k('combined', true, 'An allOf at {at} lost subschemas (fewer constraints).'),
  SUM_TYPE_EXTENDED: k('combined', true, 'A oneOf/anyOf (or type list) at {at} gained alternatives.'),
  SUM_TYPE_NARROWED: k('combined', false, 'A oneOf/anyOf (or type list) at {at} lost alternatives.'),
  NOT_TYPE_EXTENDED: k(
    'combined',
    false,
    'The schema under not at {at} was widened, so more values are rejected.',
  ),
  NOT_TYPE_NARROWED: k(
    'combined',
    true,
    'The schema under not at {at} was narrowed, so fewer values are rejected.',
  ),
  CONDITIONAL_ADDED: k('conditional', false, 'An if/then/else was added at {at}.', { canon: true }),
  CONDITIONAL_REMOVED: k('conditional', true, 'The if/then/else at {at} was removed.', { canon: true }),
  CONDITION_CHANGED: k('conditional', false, 'The if condition at {at} changed.', { canon: true }),

  // references
  REFERENCE_UNRESOLVED: k('reference', false, 'The $ref at {at} cannot be resolved from the registry.', {
    canon: true,
  }),
} satisfies Record<string, ChangeKindInfo>;

export type ChangeKind = keyof typeof CHANGE_KINDS;

export const ALL_CHANGE_KINDS = Object.keys(CHANGE_KINDS) as ChangeKind[];

export function changeKindInfo(kind: ChangeKind): ChangeKindInfo {
  return CHANGE_KINDS[kind];
}
