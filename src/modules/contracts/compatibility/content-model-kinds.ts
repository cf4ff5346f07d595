/**
 * The change kinds of objects and arrays: keywords of the object and array families, and properties
 * and tuple items against open, closed and partially open content models (Confluent's names where
 * it has them). Part of the closed list in change-kinds.ts.
 */
import { type ChangeKindInfo, k } from './change-kind-info.ts';

export const CONTENT_MODEL_KINDS = {
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
} satisfies Record<string, ChangeKindInfo>;
