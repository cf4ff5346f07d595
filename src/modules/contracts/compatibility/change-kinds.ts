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
export type ChangeFamily =
  | 'annotation'
  | 'schema'
  | 'type'
  | 'string'
  | 'number'
  | 'object'
  | 'property'
  | 'array'
  | 'item'
  | 'enum'
  | 'combined'
  | 'conditional'
  | 'reference';

export interface ChangeKindInfo {
  family: ChangeFamily;
  /** Compatible when found diffing OLD → NEW (i.e. data valid under OLD stays valid under NEW). */
  backward: boolean;
  /** Annotation-only: changes nothing about which documents are valid (semver PATCH). */
  annotation?: boolean;
  /** Canon's own kind (Confluent has no name for it). */
  canon?: boolean;
  /** A sentence about the change; `{at}` is replaced by the JSON pointer. */
  sentence: string;
}

const k = (
  family: ChangeFamily,
  backward: boolean,
  sentence: string,
  extra: Partial<ChangeKindInfo> = {},
): ChangeKindInfo => ({ family, backward, sentence, ...extra });

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

  // objects
  REQUIRED_ATTRIBUTE_ADDED: k('object', false, 'The existing property at {at} became required.'),
  REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED: k(
    'object',
    true,
    'The existing property at {at} became required; it has a default.',
  ),
  REQUIRED_ATTRIBUTE_REMOVED: k('object', true, 'The property at {at} is no longer required.'),
  MAX_PROPERTIES_ADDED: k('object', false, 'A maxProperties was added at {at}.'),
  MAX_PROPERTIES_REMOVED: k('object', true, 'The maxProperties at {at} was removed.'),
  MAX_PROPERTIES_INCREASED: k('object', true, 'The maxProperties at {at} was increased.'),
  MAX_PROPERTIES_DECREASED: k('object', false, 'The maxProperties at {at} was decreased.'),
  MIN_PROPERTIES_ADDED: k('object', false, 'A minProperties was added at {at}.'),
  MIN_PROPERTIES_REMOVED: k('object', true, 'The minProperties at {at} was removed.'),
  MIN_PROPERTIES_INCREASED: k('object', false, 'The minProperties at {at} was increased.'),
  MIN_PROPERTIES_DECREASED: k('object', true, 'The minProperties at {at} was decreased.'),
  ADDITIONAL_PROPERTIES_ADDED: k(
    'object',
    true,
    'Additional properties are allowed at {at} where they were forbidden.',
  ),
  ADDITIONAL_PROPERTIES_REMOVED: k(
    'object',
    false,
    'Additional properties are forbidden at {at} where they were allowed.',
  ),
  ADDITIONAL_PROPERTIES_EXTENDED: k(
    'object',
    true,
    'The schema for additional properties at {at} was dropped (any value now).',
  ),
  ADDITIONAL_PROPERTIES_NARROWED: k(
    'object',
    false,
    'A schema now constrains additional properties at {at}.',
  ),
  DEPENDENCY_ARRAY_ADDED: k('object', false, 'A property dependency was added at {at}.'),
  DEPENDENCY_ARRAY_REMOVED: k('object', true, 'The property dependency at {at} was removed.'),
  DEPENDENCY_ARRAY_EXTENDED: k('object', false, 'The property dependency at {at} requires more properties.'),
  DEPENDENCY_ARRAY_NARROWED: k('object', true, 'The property dependency at {at} requires fewer properties.'),
  DEPENDENCY_ARRAY_CHANGED: k('object', false, 'The property dependency at {at} requires other properties.'),
  DEPENDENCY_SCHEMA_ADDED: k('object', false, 'A schema dependency was added at {at}.'),
  DEPENDENCY_SCHEMA_REMOVED: k('object', true, 'The schema dependency at {at} was removed.'),
  UNEVALUATED_PROPERTIES_ADDED: k(
    'object',
    true,
    'Unevaluated properties are allowed at {at} where they were forbidden.',
  ),
  UNEVALUATED_PROPERTIES_REMOVED: k('object', false, 'Unevaluated properties are forbidden at {at}.'),
  UNEVALUATED_PROPERTIES_EXTENDED: k(
    'object',
    true,
    'The schema for unevaluated properties at {at} was relaxed.',
  ),
  UNEVALUATED_PROPERTIES_NARROWED: k(
    'object',
    false,
    'A schema now constrains unevaluated properties at {at}.',
  ),
  PATTERN_PROPERTY_ADDED_IS_COVERED: k(
    'object',
    true,
    'A patternProperties entry was added at {at}; the names it matches were forbidden or accepted the same values before.',
    { canon: true },
  ),
  PATTERN_PROPERTY_ADDED_NOT_COVERED: k(
    'object',
    false,
    'A patternProperties entry was added at {at}, constraining names that accepted other values before.',
    { canon: true },
  ),
  PATTERN_PROPERTY_REMOVED_IS_COVERED: k(
    'object',
    true,
    'The patternProperties entry at {at} was removed; additionalProperties still accepts what it accepted.',
    { canon: true },
  ),
  PATTERN_PROPERTY_REMOVED_NOT_COVERED: k(
    'object',
    false,
    'The patternProperties entry at {at} was removed and additionalProperties does not accept what it accepted.',
    { canon: true },
  ),
  PROPERTY_NAMES_ADDED: k('object', false, 'A propertyNames schema was added at {at}.', { canon: true }),
  PROPERTY_NAMES_REMOVED: k('object', true, 'The propertyNames schema at {at} was removed.', { canon: true }),

  // properties and content models
  REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL: k(
    'property',
    false,
    'A required property was added at {at} to an open content model.',
  ),
  REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL: k(
    'property',
    false,
    'A required property with a default was added at {at} to an open content model, where old data may hold any value.',
  ),
  OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL: k(
    'property',
    false,
    'A typed property was added at {at} to an open content model, where old data may hold any value under that name.',
  ),
  PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL: k(
    'property',
    true,
    'A property with an empty schema was added at {at} to an open content model.',
  ),
  REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL: k(
    'property',
    false,
    'A required property without a default was added at {at}; old data lacks it.',
  ),
  REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL: k(
    'property',
    true,
    'A required property with a default was added at {at} to a closed content model.',
  ),
  OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL: k(
    'property',
    true,
    'An optional property was added at {at} to a closed content model.',
  ),
  PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL: k(
    'property',
    true,
    'The property at {at} was removed from an open content model, which still accepts it.',
  ),
  PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL: k(
    'property',
    true,
    'A property that was forbidden (false) at {at} was removed from a closed content model.',
  ),
  PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL: k(
    'property',
    false,
    'The property at {at} was removed from a closed content model, so old data holding it is rejected.',
  ),
  PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: k(
    'property',
    true,
    'The property added at {at} is compatible with the partially open content model that covered its name.',
  ),
  PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: k(
    'property',
    false,
    'The property added at {at} is narrower than the partially open content model that covered its name.',
  ),
  PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: k(
    'property',
    true,
    'The property removed at {at} is still accepted by the partially open content model.',
  ),
  PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: k(
    'property',
    false,
    'The property removed at {at} is not accepted by the partially open content model as it was.',
  ),
  RESERVED_PROPERTY_REMOVED: k(
    'property',
    false,
    'The reserved property at {at} was removed from the reserved list.',
  ),
  RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY: k(
    'property',
    false,
    'The property at {at} conflicts with a reserved property name.',
  ),

  // arrays
  MAX_ITEMS_ADDED: k('array', false, 'A maxItems was added at {at}.'),
  MAX_ITEMS_REMOVED: k('array', true, 'The maxItems at {at} was removed.'),
  MAX_ITEMS_INCREASED: k('array', true, 'The maxItems at {at} was increased.'),
  MAX_ITEMS_DECREASED: k('array', false, 'The maxItems at {at} was decreased.'),
  MIN_ITEMS_ADDED: k('array', false, 'A minItems was added at {at}.'),
  MIN_ITEMS_REMOVED: k('array', true, 'The minItems at {at} was removed.'),
  MIN_ITEMS_INCREASED: k('array', false, 'The minItems at {at} was increased.'),
  MIN_ITEMS_DECREASED: k('array', true, 'The minItems at {at} was decreased.'),
  MAX_CONTAINS_ADDED: k('array', false, 'A maxContains was added at {at}.'),
  MAX_CONTAINS_REMOVED: k('array', true, 'The maxContains at {at} was removed.'),
  MAX_CONTAINS_INCREASED: k('array', true, 'The maxContains at {at} was increased.'),
  MAX_CONTAINS_DECREASED: k('array', false, 'The maxContains at {at} was decreased.'),
  MIN_CONTAINS_ADDED: k('array', false, 'A minContains was added at {at}.'),
  MIN_CONTAINS_REMOVED: k('array', true, 'The minContains at {at} was removed.'),
  MIN_CONTAINS_INCREASED: k('array', false, 'The minContains at {at} was increased.'),
  MIN_CONTAINS_DECREASED: k('array', true, 'The minContains at {at} was decreased.'),
  CONTAINS_ADDED: k('array', false, 'A contains schema was added at {at}.', { canon: true }),
  CONTAINS_REMOVED: k('array', true, 'The contains schema at {at} was removed.', { canon: true }),
  UNIQUE_ITEMS_ADDED: k('array', false, 'uniqueItems was switched on at {at}.'),
  UNIQUE_ITEMS_REMOVED: k('array', true, 'uniqueItems was switched off at {at}.'),
  ADDITIONAL_ITEMS_ADDED: k('array', true, 'Additional items are allowed at {at} where they were forbidden.'),
  ADDITIONAL_ITEMS_REMOVED: k(
    'array',
    false,
    'Additional items are forbidden at {at} where they were allowed.',
  ),
  ADDITIONAL_ITEMS_EXTENDED: k(
    'array',
    true,
    'The schema for additional items at {at} was dropped (any item now).',
  ),
  ADDITIONAL_ITEMS_NARROWED: k('array', false, 'A schema now constrains additional items at {at}.'),
  UNEVALUATED_ITEMS_ADDED: k(
    'array',
    true,
    'Unevaluated items are allowed at {at} where they were forbidden.',
  ),
  UNEVALUATED_ITEMS_REMOVED: k('array', false, 'Unevaluated items are forbidden at {at}.'),
  UNEVALUATED_ITEMS_EXTENDED: k('array', true, 'The schema for unevaluated items at {at} was relaxed.'),
  UNEVALUATED_ITEMS_NARROWED: k('array', false, 'A schema now constrains unevaluated items at {at}.'),

  // tuple items and content models
  ITEM_ADDED_TO_OPEN_CONTENT_MODEL: k(
    'item',
    false,
    'A typed tuple item was added at {at} to an open content model.',
  ),
  ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL: k(
    'item',
    true,
    'A tuple item with an empty schema was added at {at} to an open content model.',
  ),
  ITEM_ADDED_TO_CLOSED_CONTENT_MODEL: k(
    'item',
    true,
    'A tuple item was added at {at} to a closed content model.',
  ),
  ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL: k(
    'item',
    true,
    'The tuple item at {at} was removed from an open content model.',
  ),
  ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL: k(
    'item',
    true,
    'A forbidden (false) tuple item at {at} was removed from a closed content model.',
  ),
  ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL: k(
    'item',
    false,
    'The tuple item at {at} was removed from a closed content model.',
  ),
  ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: k(
    'item',
    true,
    'The tuple item added at {at} is compatible with the schema for additional items.',
  ),
  ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: k(
    'item',
    false,
    'The tuple item added at {at} is narrower than the schema for additional items.',
  ),
  ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: k(
    'item',
    true,
    'The tuple item removed at {at} is still accepted as an additional item.',
  ),
  ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: k(
    'item',
    false,
    'The tuple item removed at {at} is not accepted as an additional item as it was.',
  ),

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
