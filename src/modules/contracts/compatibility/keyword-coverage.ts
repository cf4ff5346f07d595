/**
 * What the diff engine does with every keyword of every accepted draft's vocabularies: compared (with
 * the change kinds it reports), or deliberately not compared, with the reason. docs/contracts.md shows
 * this table and a test checks it against the drafts' meta-schemas, so a keyword can not slip through
 * unnoticed.
 */
import type { ChangeKind } from './change-kinds.ts';

export type KeywordCoverage =
  | { compared: true; drafts: string; kinds: readonly ChangeKind[]; note?: string }
  | { compared: false; drafts: string; reason: string };

const ALL = 'all';
const bounds = (prefix: string) =>
  ['ADDED', 'REMOVED', 'INCREASED', 'DECREASED'].map((s) => `${prefix}_${s}` as ChangeKind);

const DEPENDENCY_ARRAY_KINDS: ChangeKind[] = [
  'DEPENDENCY_ARRAY_ADDED',
  'DEPENDENCY_ARRAY_REMOVED',
  'DEPENDENCY_ARRAY_EXTENDED',
  'DEPENDENCY_ARRAY_NARROWED',
  'DEPENDENCY_ARRAY_CHANGED',
];
const DEPENDENCY_SCHEMA_KINDS: ChangeKind[] = ['DEPENDENCY_SCHEMA_ADDED', 'DEPENDENCY_SCHEMA_REMOVED'];

export const KEYWORD_COVERAGE: Record<string, KeywordCoverage> = {
  type: {
    compared: true,
    drafts: ALL,
    kinds: ['TYPE_CHANGED', 'TYPE_EXTENDED', 'TYPE_NARROWED', 'SUM_TYPE_EXTENDED', 'SUM_TYPE_NARROWED'],
  },
  enum: {
    compared: true,
    drafts: ALL,
    kinds: ['ENUM_ARRAY_EXTENDED', 'ENUM_ARRAY_NARROWED', 'ENUM_ARRAY_CHANGED'],
  },
  const: {
    compared: true,
    drafts: 'draft-06 on',
    kinds: ['ENUM_ARRAY_EXTENDED', 'ENUM_ARRAY_NARROWED', 'ENUM_ARRAY_CHANGED'],
    note: 'a one-value enum',
  },
  multipleOf: {
    compared: true,
    drafts: ALL,
    kinds: [
      'MULTIPLE_OF_ADDED',
      'MULTIPLE_OF_REMOVED',
      'MULTIPLE_OF_EXPANDED',
      'MULTIPLE_OF_REDUCED',
      'MULTIPLE_OF_CHANGED',
    ],
  },
  maximum: { compared: true, drafts: ALL, kinds: bounds('MAXIMUM') },
  minimum: { compared: true, drafts: ALL, kinds: bounds('MINIMUM') },
  exclusiveMaximum: {
    compared: true,
    drafts: ALL,
    kinds: bounds('EXCLUSIVE_MAXIMUM'),
    note: 'draft-04 `true` makes `maximum` the exclusive bound',
  },
  exclusiveMinimum: {
    compared: true,
    drafts: ALL,
    kinds: bounds('EXCLUSIVE_MINIMUM'),
    note: 'draft-04 `true` makes `minimum` the exclusive bound',
  },
  maxLength: { compared: true, drafts: ALL, kinds: bounds('MAX_LENGTH') },
  minLength: { compared: true, drafts: ALL, kinds: bounds('MIN_LENGTH') },
  pattern: {
    compared: true,
    drafts: ALL,
    kinds: ['PATTERN_ADDED', 'PATTERN_REMOVED', 'PATTERN_CHANGED'],
  },
  format: {
    compared: true,
    drafts: ALL,
    kinds: ['FORMAT_ADDED', 'FORMAT_REMOVED', 'FORMAT_CHANGED'],
    note: 'asserted by Canon in every draft',
  },
  items: {
    compared: true,
    drafts: ALL,
    kinds: ['ITEM_ADDED_TO_CLOSED_CONTENT_MODEL', 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL'],
    note: 'a schema: every item; before 2020-12 an array: the tuple (as `prefixItems`); in 2020-12 beside `prefixItems`: the items after the tuple (as `additionalItems`)',
  },
  prefixItems: {
    compared: true,
    drafts: '2020-12',
    kinds: [
      'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
      'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL',
      'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL',
      'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL',
    ],
  },
  additionalItems: {
    compared: true,
    drafts: 'draft-04 to 2019-09',
    kinds: [
      'ADDITIONAL_ITEMS_ADDED',
      'ADDITIONAL_ITEMS_REMOVED',
      'ADDITIONAL_ITEMS_NARROWED',
      'ADDITIONAL_ITEMS_EXTENDED',
    ],
  },
  unevaluatedItems: {
    compared: true,
    drafts: '2019-09 on',
    kinds: [
      'UNEVALUATED_ITEMS_ADDED',
      'UNEVALUATED_ITEMS_REMOVED',
      'UNEVALUATED_ITEMS_NARROWED',
      'UNEVALUATED_ITEMS_EXTENDED',
    ],
  },
  contains: { compared: true, drafts: 'draft-06 on', kinds: ['CONTAINS_ADDED', 'CONTAINS_REMOVED'] },
  maxContains: { compared: true, drafts: '2019-09 on', kinds: bounds('MAX_CONTAINS') },
  minContains: { compared: true, drafts: '2019-09 on', kinds: bounds('MIN_CONTAINS') },
  maxItems: { compared: true, drafts: ALL, kinds: bounds('MAX_ITEMS') },
  minItems: { compared: true, drafts: ALL, kinds: bounds('MIN_ITEMS') },
  uniqueItems: { compared: true, drafts: ALL, kinds: ['UNIQUE_ITEMS_ADDED', 'UNIQUE_ITEMS_REMOVED'] },
  properties: {
    compared: true,
    drafts: ALL,
    kinds: [
      'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
      'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
      'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL',
      'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
    ],
    note: 'and the other PROPERTY_* kinds',
  },
  required: {
    compared: true,
    drafts: ALL,
    kinds: [
      'REQUIRED_ATTRIBUTE_ADDED',
      'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED',
      'REQUIRED_ATTRIBUTE_REMOVED',
    ],
  },
  patternProperties: {
    compared: true,
    drafts: ALL,
    kinds: [
      'PATTERN_PROPERTY_ADDED_IS_COVERED',
      'PATTERN_PROPERTY_ADDED_NOT_COVERED',
      'PATTERN_PROPERTY_REMOVED_IS_COVERED',
      'PATTERN_PROPERTY_REMOVED_NOT_COVERED',
    ],
  },
  additionalProperties: {
    compared: true,
    drafts: ALL,
    kinds: [
      'ADDITIONAL_PROPERTIES_ADDED',
      'ADDITIONAL_PROPERTIES_REMOVED',
      'ADDITIONAL_PROPERTIES_NARROWED',
      'ADDITIONAL_PROPERTIES_EXTENDED',
    ],
  },
  unevaluatedProperties: {
    compared: true,
    drafts: '2019-09 on',
    kinds: [
      'UNEVALUATED_PROPERTIES_ADDED',
      'UNEVALUATED_PROPERTIES_REMOVED',
      'UNEVALUATED_PROPERTIES_NARROWED',
      'UNEVALUATED_PROPERTIES_EXTENDED',
    ],
  },
  propertyNames: {
    compared: true,
    drafts: 'draft-06 on',
    kinds: ['PROPERTY_NAMES_ADDED', 'PROPERTY_NAMES_REMOVED'],
  },
  dependencies: {
    compared: true,
    drafts: 'draft-04 to draft-07',
    kinds: [...DEPENDENCY_ARRAY_KINDS, ...DEPENDENCY_SCHEMA_KINDS],
    note: 'array entries as `dependentRequired`, schema entries as `dependentSchemas`',
  },
  dependentRequired: {
    compared: true,
    drafts: '2019-09 on',
    kinds: DEPENDENCY_ARRAY_KINDS,
  },
  dependentSchemas: {
    compared: true,
    drafts: '2019-09 on',
    kinds: DEPENDENCY_SCHEMA_KINDS,
  },
  maxProperties: { compared: true, drafts: ALL, kinds: bounds('MAX_PROPERTIES') },
  minProperties: { compared: true, drafts: ALL, kinds: bounds('MIN_PROPERTIES') },
  allOf: {
    compared: true,
    drafts: ALL,
    kinds: ['PRODUCT_TYPE_EXTENDED', 'PRODUCT_TYPE_NARROWED', 'COMBINED_TYPE_SUBSCHEMAS_CHANGED'],
  },
  anyOf: {
    compared: true,
    drafts: ALL,
    kinds: ['SUM_TYPE_EXTENDED', 'SUM_TYPE_NARROWED', 'COMBINED_TYPE_SUBSCHEMAS_CHANGED'],
  },
  oneOf: {
    compared: true,
    drafts: ALL,
    kinds: [
      'SUM_TYPE_EXTENDED',
      'SUM_TYPE_NARROWED',
      'COMBINED_TYPE_SUBSCHEMAS_CHANGED',
      'COMBINED_TYPE_CHANGED',
    ],
  },
  not: { compared: true, drafts: ALL, kinds: ['NOT_TYPE_EXTENDED', 'NOT_TYPE_NARROWED'] },
  if: { compared: true, drafts: 'draft-07 on', kinds: ['CONDITION_CHANGED'] },
  then: { compared: true, drafts: 'draft-07 on', kinds: [], note: 'its subschema, under `#/then`' },
  else: { compared: true, drafts: 'draft-07 on', kinds: [], note: 'its subschema, under `#/else`' },
  $ref: {
    compared: true,
    drafts: ALL,
    kinds: [],
    note: 'followed: the schema it names is compared (recursion once per pair)',
  },
  $dynamicRef: {
    compared: true,
    drafts: '2020-12',
    kinds: [],
    note: "followed to the entry document's `$dynamicAnchor` when the static target has that anchor",
  },
  $recursiveRef: {
    compared: true,
    drafts: '2019-09',
    kinds: [],
    note: "followed to the entry document's root when both carry `$recursiveAnchor: true`",
  },
  title: { compared: true, drafts: ALL, kinds: ['TITLE_CHANGED'] },
  description: { compared: true, drafts: ALL, kinds: ['DESCRIPTION_CHANGED'] },
  default: { compared: true, drafts: ALL, kinds: ['DEFAULT_CHANGED'] },
  examples: { compared: true, drafts: 'draft-06 on', kinds: ['EXAMPLES_CHANGED'] },
  $comment: { compared: true, drafts: 'draft-07 on', kinds: ['COMMENT_CHANGED'] },
  deprecated: { compared: true, drafts: '2019-09 on', kinds: ['DEPRECATED_CHANGED'] },
  readOnly: { compared: true, drafts: 'draft-07 on', kinds: ['READ_ONLY_CHANGED'] },
  writeOnly: { compared: true, drafts: 'draft-07 on', kinds: ['WRITE_ONLY_CHANGED'] },
  $id: {
    compared: true,
    drafts: 'draft-06 on',
    kinds: ['ID_CHANGED'],
    note: 'below the root; the root `$id` names the version; `"#name"` is an anchor (draft-06/07)',
  },
  id: {
    compared: true,
    drafts: 'draft-04',
    kinds: ['ID_CHANGED'],
    note: 'as `$id`',
  },
  $schema: {
    compared: false,
    drafts: ALL,
    reason:
      'names the draft a document is read in; the diff compares meaning, so a move between drafts is no change',
  },
  $anchor: {
    compared: false,
    drafts: '2019-09 on',
    reason: 'a name for references; what it names is compared where a `$ref` uses it',
  },
  $dynamicAnchor: {
    compared: false,
    drafts: '2020-12',
    reason: 'a name for `$dynamicRef`; what it names is compared where a reference lands on it',
  },
  $recursiveAnchor: {
    compared: false,
    drafts: '2019-09',
    reason: 'a switch for `$recursiveRef`; what it names is compared where a reference lands on it',
  },
  $defs: {
    compared: false,
    drafts: '2019-09 on',
    reason: 'a container: a definition matters only where a `$ref` uses it, and is compared there',
  },
  definitions: {
    compared: false,
    drafts: 'draft-04 to draft-07',
    reason: 'a container: a definition matters only where a `$ref` uses it, and is compared there',
  },
  $vocabulary: {
    compared: false,
    drafts: '2019-09 on',
    reason: "only meta-schemas declare vocabularies; Canon validates with each draft's standard ones",
  },
  contentEncoding: {
    compared: false,
    drafts: 'draft-07 on',
    reason:
      'an annotation validators do not assert (ajv, like the drafts from 2019-09 on), so no data changes validity',
  },
  contentMediaType: {
    compared: false,
    drafts: 'draft-07 on',
    reason:
      'an annotation validators do not assert (ajv, like the drafts from 2019-09 on), so no data changes validity',
  },
  contentSchema: {
    compared: false,
    drafts: '2019-09 on',
    reason: 'an annotation validators do not assert, so no data changes validity',
  },
};
