import { describe, expect, it } from 'vitest';
import {
  compareSchemas,
  requiredBump,
  violations,
} from '../../src/modules/contracts/compatibility/compatibility.ts';
import { isMultiple } from '../../src/modules/contracts/compatibility/scalar-comparisons.ts';

const D2020 = 'https://json-schema.org/draft/2020-12/schema';
const D07 = 'http://json-schema.org/draft-07/schema#';
const s = (body: Record<string, unknown>) => ({ $schema: D2020, ...body });
const d7 = (body: Record<string, unknown>) => ({ $schema: D07, ...body });

interface Case {
  name: string;
  from: Record<string, unknown> | boolean;
  to: Record<string, unknown> | boolean;
  changes: string[];
  backward: boolean;
}

const str = { type: 'string' };
const numb = { type: 'number' };

// Each case: the changes from → to (kind and JSON pointer) and whether old data stays valid.
const cases: Case[] = [
  {
    name: 'nothing changes',
    from: s({ type: 'object' }),
    to: s({ type: 'object' }),
    changes: [],
    backward: true,
  },
  {
    name: 'any schema may become the empty schema',
    from: s({ properties: {} }),
    to: s({}),
    changes: [],
    backward: true,
  },
  {
    name: 'root $id names the document and is ignored',
    from: s({ $id: 'urn:a' }),
    to: s({ $id: 'urn:b' }),
    changes: [],
    backward: true,
  },
  {
    name: 'title',
    from: s({ title: 'a' }),
    to: s({ title: 'b' }),
    changes: ['TITLE_CHANGED #/'],
    backward: true,
  },
  {
    name: 'description',
    from: s({ description: 'a' }),
    to: s({ description: 'b' }),
    changes: ['DESCRIPTION_CHANGED #/'],
    backward: true,
  },
  {
    name: 'type object to array',
    from: s({ type: 'object' }),
    to: s({ type: 'array' }),
    changes: ['TYPE_CHANGED #/'],
    backward: false,
  },
  {
    name: 'minLength up',
    from: s({ ...str, minLength: 3 }),
    to: s({ ...str, minLength: 4 }),
    changes: ['MIN_LENGTH_INCREASED #/minLength'],
    backward: false,
  },
  {
    name: 'minLength down',
    from: s({ ...str, minLength: 4 }),
    to: s({ ...str, minLength: 3 }),
    changes: ['MIN_LENGTH_DECREASED #/minLength'],
    backward: true,
  },
  {
    name: 'maxLength up',
    from: s({ ...str, maxLength: 4 }),
    to: s({ ...str, maxLength: 8 }),
    changes: ['MAX_LENGTH_INCREASED #/maxLength'],
    backward: true,
  },
  {
    name: 'maxLength down',
    from: s({ ...str, maxLength: 8 }),
    to: s({ ...str, maxLength: 4 }),
    changes: ['MAX_LENGTH_DECREASED #/maxLength'],
    backward: false,
  },
  {
    name: 'maxLength added',
    from: s(str),
    to: s({ ...str, maxLength: 4 }),
    changes: ['MAX_LENGTH_ADDED #/maxLength'],
    backward: false,
  },
  {
    name: 'pattern removed',
    from: s({ ...str, pattern: '^a' }),
    to: s(str),
    changes: ['PATTERN_REMOVED #/pattern'],
    backward: true,
  },
  {
    name: 'pattern changed',
    from: s({ ...str, pattern: '^a' }),
    to: s({ ...str, pattern: '^b' }),
    changes: ['PATTERN_CHANGED #/pattern'],
    backward: false,
  },
  {
    name: 'pattern unchanged',
    from: s({ ...str, pattern: '^a' }),
    to: s({ ...str, pattern: '^a' }),
    changes: [],
    backward: true,
  },
  {
    name: 'format added',
    from: s(str),
    to: s({ ...str, format: 'date' }),
    changes: ['FORMAT_ADDED #/format'],
    backward: false,
  },
  {
    name: 'format removed',
    from: s({ ...str, format: 'date' }),
    to: s(str),
    changes: ['FORMAT_REMOVED #/format'],
    backward: true,
  },
  {
    name: 'maximum removed',
    from: s({ ...numb, maximum: 5 }),
    to: s(numb),
    changes: ['MAXIMUM_REMOVED #/maximum'],
    backward: true,
  },
  {
    name: 'maximum up',
    from: s({ ...numb, maximum: 5 }),
    to: s({ ...numb, maximum: 6 }),
    changes: ['MAXIMUM_INCREASED #/maximum'],
    backward: true,
  },
  {
    name: 'maximum down',
    from: s({ ...numb, maximum: 6 }),
    to: s({ ...numb, maximum: 5 }),
    changes: ['MAXIMUM_DECREASED #/maximum'],
    backward: false,
  },
  {
    name: 'minimum up',
    from: s({ ...numb, minimum: 5 }),
    to: s({ ...numb, minimum: 6 }),
    changes: ['MINIMUM_INCREASED #/minimum'],
    backward: false,
  },
  {
    name: 'minimum down',
    from: s({ ...numb, minimum: 6 }),
    to: s({ ...numb, minimum: 5 }),
    changes: ['MINIMUM_DECREASED #/minimum'],
    backward: true,
  },
  {
    name: 'exclusiveMinimum added',
    from: s(numb),
    to: s({ ...numb, exclusiveMinimum: 0 }),
    changes: ['EXCLUSIVE_MINIMUM_ADDED #/exclusiveMinimum'],
    backward: false,
  },
  {
    name: 'exclusiveMaximum raised',
    from: s({ ...numb, exclusiveMaximum: 1 }),
    to: s({ ...numb, exclusiveMaximum: 2 }),
    changes: ['EXCLUSIVE_MAXIMUM_INCREASED #/exclusiveMaximum'],
    backward: true,
  },
  {
    name: 'multipleOf removed',
    from: s({ ...numb, multipleOf: 4 }),
    to: s(numb),
    changes: ['MULTIPLE_OF_REMOVED #/multipleOf'],
    backward: true,
  },
  {
    name: 'multipleOf to a divisor',
    from: s({ ...numb, multipleOf: 12 }),
    to: s({ ...numb, multipleOf: 3 }),
    changes: ['MULTIPLE_OF_REDUCED #/multipleOf'],
    backward: true,
  },
  {
    name: 'multipleOf to a multiple',
    from: s({ ...numb, multipleOf: 3 }),
    to: s({ ...numb, multipleOf: 12 }),
    changes: ['MULTIPLE_OF_EXPANDED #/multipleOf'],
    backward: false,
  },
  {
    name: 'multipleOf unrelated',
    from: s({ ...numb, multipleOf: 4 }),
    to: s({ ...numb, multipleOf: 7 }),
    changes: ['MULTIPLE_OF_CHANGED #/multipleOf'],
    backward: false,
  },
  {
    name: 'decimal multipleOf divisor',
    from: s({ ...numb, multipleOf: 0.5 }),
    to: s({ ...numb, multipleOf: 0.1 }),
    changes: ['MULTIPLE_OF_REDUCED #/multipleOf'],
    backward: true,
  },
  {
    name: 'number to integer',
    from: s(numb),
    to: s({ type: 'integer' }),
    changes: ['TYPE_NARROWED #/'],
    backward: false,
  },
  {
    name: 'integer to number',
    from: s({ type: 'integer' }),
    to: s(numb),
    changes: ['TYPE_EXTENDED #/'],
    backward: true,
  },
  {
    name: 'not narrowed',
    from: s({ not: numb }),
    to: s({ not: { type: 'integer' } }),
    changes: ['NOT_TYPE_NARROWED #/not'],
    backward: true,
  },
  {
    name: 'not extended',
    from: s({ not: { type: 'integer' } }),
    to: s({ not: numb }),
    changes: ['NOT_TYPE_EXTENDED #/not'],
    backward: false,
  },
  {
    name: 'enum in allOf replaced',
    from: s({ allOf: [str, { enum: ['a'] }] }),
    to: s({ allOf: [str, { enum: ['b'] }] }),
    changes: ['COMBINED_TYPE_SUBSCHEMAS_CHANGED #/'],
    backward: false,
  },
  {
    name: 'enum in reordered allOf extended',
    from: s({ allOf: [str, { enum: ['a'] }] }),
    to: s({ allOf: [{ enum: ['a', 'b'] }, str] }),
    changes: ['ENUM_ARRAY_EXTENDED #/allOf/1/enum'],
    backward: true,
  },
  {
    name: 'enum narrowed',
    from: s({ enum: ['a', 'b'] }),
    to: s({ enum: ['a'] }),
    changes: ['ENUM_ARRAY_NARROWED #/enum'],
    backward: false,
  },
  {
    name: 'enum beside type extended',
    from: s({ ...str, enum: ['a'] }),
    to: s({ ...str, enum: ['a', 'b'] }),
    changes: ['ENUM_ARRAY_EXTENDED #/enum'],
    backward: true,
  },
  {
    name: 'const to wider enum',
    from: s({ const: 'a' }),
    to: s({ enum: ['a', 'b'] }),
    changes: ['ENUM_ARRAY_EXTENDED #/enum'],
    backward: true,
  },
  {
    name: 'type list extended',
    from: s({ type: ['object'] }),
    to: s({ type: ['object', 'array'] }),
    changes: ['SUM_TYPE_EXTENDED #/'],
    backward: true,
  },
  {
    name: 'nullable added',
    from: s(str),
    to: s({ type: ['string', 'null'] }),
    changes: ['SUM_TYPE_EXTENDED #/'],
    backward: true,
  },
  {
    name: 'nullable removed',
    from: s({ type: ['string', 'null'] }),
    to: s(str),
    changes: ['SUM_TYPE_NARROWED #/'],
    backward: false,
  },
  {
    name: 'oneOf member replaced',
    from: s({ oneOf: [str] }),
    to: s({ oneOf: [numb] }),
    changes: ['COMBINED_TYPE_SUBSCHEMAS_CHANGED #/'],
    backward: false,
  },
  {
    name: 'oneOf member added',
    from: s({ oneOf: [str] }),
    to: s({ oneOf: [numb, str] }),
    changes: ['SUM_TYPE_EXTENDED #/'],
    backward: true,
  },
  {
    name: 'oneOf member removed',
    from: s({ oneOf: [numb, str] }),
    to: s({ oneOf: [str] }),
    changes: ['SUM_TYPE_NARROWED #/'],
    backward: false,
  },
  {
    name: 'oneOf to allOf',
    from: s({ oneOf: [str] }),
    to: s({ allOf: [str] }),
    changes: ['COMBINED_TYPE_EXTENDED #/'],
    backward: true,
  },
  {
    name: 'anyOf with two to allOf',
    from: s({ anyOf: [str, numb] }),
    to: s({ allOf: [str, numb] }),
    changes: ['COMBINED_TYPE_CHANGED #/'],
    backward: false,
  },
  {
    name: 'oneOf to anyOf',
    from: s({ oneOf: [str, numb] }),
    to: s({ anyOf: [str, numb] }),
    changes: ['COMBINED_TYPE_EXTENDED #/'],
    backward: true,
  },
  {
    name: 'plain type into a union',
    from: s(str),
    to: s({ oneOf: [numb, str] }),
    changes: ['SUM_TYPE_EXTENDED #/'],
    backward: true,
  },
  {
    name: 'plain type into a union drops a bound',
    from: s({ ...str, maxLength: 3 }),
    to: s({ oneOf: [numb, str] }),
    changes: ['MAX_LENGTH_REMOVED #/maxLength', 'SUM_TYPE_EXTENDED #/'],
    backward: true,
  },
  {
    name: 'allOf members reordered, one without a type',
    from: s({ properties: { p: { allOf: [{ enum: ['a', 'b'] }, str, { maxLength: 5 }] } } }),
    to: s({ properties: { p: { allOf: [{ maxLength: 5 }, { enum: ['a', 'b'] }, str] } } }),
    changes: [],
    backward: true,
  },
  {
    name: 'duplicate allOf members collapse',
    from: s({ allOf: [str, str] }),
    to: s({ allOf: [str] }),
    changes: [],
    backward: true,
  },
  {
    name: 'oneOf member widened among new alternatives',
    from: s({ properties: { p: { oneOf: [{ ...str, maxLength: 5 }] } } }),
    to: s({
      properties: { p: { oneOf: [{ type: 'boolean' }, numb, { title: 't', ...str, maxLength: 8 }] } },
    }),
    changes: [
      'SUM_TYPE_EXTENDED #/properties/p',
      'TITLE_CHANGED #/properties/p/oneOf/0',
      'MAX_LENGTH_INCREASED #/properties/p/oneOf/0/maxLength',
    ],
    backward: true,
  },
  {
    name: 'allOf to wider anyOf',
    from: s({ allOf: [str] }),
    to: s({ anyOf: [numb, str] }),
    changes: ['COMBINED_TYPE_EXTENDED #/', 'SUM_TYPE_EXTENDED #/'],
    backward: true,
  },
  {
    name: 'plain type into a singleton allOf',
    from: s(str),
    to: s({ allOf: [str] }),
    changes: [],
    backward: true,
  },
  {
    name: 'plain type into an allOf of two',
    from: s(str),
    to: s({ allOf: [numb, str] }),
    changes: ['TYPE_CHANGED #/'],
    backward: false,
  },
  {
    name: 'allOf member dropped',
    from: s({ allOf: [str, { maxLength: 3 }] }),
    to: s(str),
    changes: ['PRODUCT_TYPE_NARROWED #/'],
    backward: true,
  },
  {
    name: 'oneOf member property type',
    from: s({ oneOf: [{ properties: { a: str } }] }),
    to: s({ oneOf: [{ properties: { a: numb } }] }),
    changes: ['COMBINED_TYPE_SUBSCHEMAS_CHANGED #/'],
    backward: false,
  },
  {
    name: 'property renamed in open model',
    from: s({ properties: { a: str } }),
    to: s({ properties: { b: str } }),
    changes: [
      'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL #/properties/a',
      'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/b',
    ],
    backward: false,
  },
  {
    name: 'property type changed',
    from: s({ properties: { a: str } }),
    to: s({ properties: { a: numb } }),
    changes: ['TYPE_CHANGED #/properties/a'],
    backward: false,
  },
  {
    name: 'required property added to open model',
    from: s({ type: 'object', properties: { a: str } }),
    to: s({ type: 'object', properties: { a: str, b: str }, required: ['b'] }),
    changes: ['REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/b'],
    backward: false,
  },
  {
    name: 'optional property added to closed model',
    from: s({ properties: { a: str }, additionalProperties: false }),
    to: s({ properties: { a: str, b: numb }, additionalProperties: false }),
    changes: ['OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b'],
    backward: true,
  },
  {
    name: 'required property without default added to closed model',
    from: s({ properties: { a: str }, additionalProperties: false }),
    to: s({ properties: { a: str, b: numb }, required: ['b'], additionalProperties: false }),
    changes: ['REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b'],
    backward: false,
  },
  {
    name: 'required property with default added to closed model',
    from: s({ properties: { a: str }, additionalProperties: false }),
    to: s({
      properties: { a: str, b: { type: 'number', default: 0 } },
      required: ['b'],
      additionalProperties: false,
    }),
    changes: ['REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b'],
    backward: true,
  },
  {
    name: 'property removed from closed model',
    from: s({ properties: { a: str, b: str }, additionalProperties: false }),
    to: s({ properties: { a: str }, additionalProperties: false }),
    changes: ['PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/b'],
    backward: false,
  },
  {
    name: 'property covered by pattern added',
    from: s({
      properties: { a: str },
      additionalProperties: false,
      patternProperties: { '^n_': { type: 'integer' } },
    }),
    to: s({
      properties: { a: str, n_1: numb },
      additionalProperties: false,
      patternProperties: { '^n_': { type: 'integer' } },
    }),
    changes: [
      'TYPE_EXTENDED #/properties/n_1',
      'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/n_1',
      'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/n_1',
    ],
    backward: true,
  },
  {
    name: 'property not covered by additionalProperties schema',
    from: s({ properties: { a: str }, additionalProperties: str }),
    to: s({ properties: { a: str, b: numb }, additionalProperties: str }),
    changes: [
      'TYPE_CHANGED #/properties/b',
      'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/b',
      'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b',
    ],
    backward: false,
  },
  {
    name: 'required property covered by additionalProperties schema',
    from: s({ properties: { a: str }, additionalProperties: str }),
    to: s({ properties: { a: str, b: str }, required: ['b'], additionalProperties: str }),
    changes: [
      'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/b',
      'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b',
    ],
    backward: false,
  },
  {
    name: 'property removed into a nullable additionalProperties',
    from: s({ properties: { a: str, b: str }, additionalProperties: false }),
    to: s({ properties: { a: str }, additionalProperties: { oneOf: [{ type: 'null' }, str] } }),
    changes: [
      'SUM_TYPE_EXTENDED #/properties/b',
      'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/b',
      'ADDITIONAL_PROPERTIES_ADDED #/additionalProperties',
    ],
    backward: true,
  },
  {
    name: 'property removed, not covered',
    from: s({ properties: { a: str, b: numb }, additionalProperties: false }),
    to: s({ properties: { a: str }, additionalProperties: str }),
    changes: [
      'TYPE_CHANGED #/properties/b',
      'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/b',
      'ADDITIONAL_PROPERTIES_ADDED #/additionalProperties',
    ],
    backward: false,
  },
  {
    name: 'typed property added to open model',
    from: s({ properties: { a: str } }),
    to: s({ properties: { a: str, b: numb } }),
    changes: ['OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/b'],
    backward: false,
  },
  {
    name: 'empty property added to open model',
    from: s({ additionalProperties: true }),
    to: s({ additionalProperties: true, properties: { a: true } }),
    changes: ['PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL #/properties/a'],
    backward: true,
  },
  {
    name: 'false property removed from closed model',
    from: s({ additionalProperties: false, properties: { a: false } }),
    to: s({ additionalProperties: false }),
    changes: ['PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/a'],
    backward: true,
  },
  {
    name: 'dependentRequired swapped',
    from: s({ properties: { a: numb, b: str }, dependentRequired: { a: ['b'] } }),
    to: s({ properties: { a: numb, b: str }, dependentRequired: { b: ['a'] } }),
    changes: [
      'DEPENDENCY_ARRAY_REMOVED #/dependentRequired/a',
      'DEPENDENCY_ARRAY_ADDED #/dependentRequired/b',
    ],
    backward: false,
  },
  {
    name: 'draft-07 dependencies narrowed',
    from: d7({ dependencies: { a: ['b', 'c'] } }),
    to: d7({ dependencies: { a: ['b'] } }),
    changes: ['DEPENDENCY_ARRAY_NARROWED #/dependencies/a'],
    backward: true,
  },
  {
    name: 'dependentSchemas removed',
    from: s({ dependentSchemas: { a: str, b: str } }),
    to: s({ dependentSchemas: { a: str } }),
    changes: ['DEPENDENCY_SCHEMA_REMOVED #/dependentSchemas/b'],
    backward: true,
  },
  {
    name: 'dependentSchemas type changed',
    from: s({ dependentSchemas: { a: str } }),
    to: s({ dependentSchemas: { a: numb } }),
    changes: ['TYPE_CHANGED #/dependentSchemas/a'],
    backward: false,
  },
  {
    name: 'required removed',
    from: s({ properties: { a: str }, required: ['a'] }),
    to: s({ properties: { a: str } }),
    changes: ['REQUIRED_ATTRIBUTE_REMOVED #/required/a'],
    backward: true,
  },
  {
    name: 'required added',
    from: s({ properties: { a: str } }),
    to: s({ properties: { a: str }, required: ['a'] }),
    changes: ['REQUIRED_ATTRIBUTE_ADDED #/required/a'],
    backward: false,
  },
  {
    name: 'maxProperties up',
    from: s({ maxProperties: 1 }),
    to: s({ maxProperties: 2 }),
    changes: ['MAX_PROPERTIES_INCREASED #/maxProperties'],
    backward: true,
  },
  {
    name: 'minProperties up',
    from: s({ minProperties: 1 }),
    to: s({ minProperties: 2 }),
    changes: ['MIN_PROPERTIES_INCREASED #/minProperties'],
    backward: false,
  },
  {
    name: 'items schema added',
    from: s({ type: 'array' }),
    to: s({ type: 'array', items: str }),
    changes: ['SCHEMA_ADDED #/items'],
    backward: false,
  },
  {
    name: 'items schema removed',
    from: s({ type: 'array', items: str }),
    to: s({ type: 'array' }),
    changes: ['SCHEMA_REMOVED #/items'],
    backward: true,
  },
  {
    name: 'items type changed',
    from: s({ items: str }),
    to: s({ items: numb }),
    changes: ['TYPE_CHANGED #/items'],
    backward: false,
  },
  {
    name: 'tuple dropped in open array',
    from: s({ type: 'array', prefixItems: [str, numb] }),
    to: s({ type: 'array' }),
    changes: [
      'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL #/prefixItems/0',
      'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL #/prefixItems/1',
    ],
    backward: true,
  },
  {
    name: 'tuple item added, covered by items',
    from: s({ type: 'array', prefixItems: [str, numb], items: str }),
    to: s({ type: 'array', prefixItems: [str, numb, str], items: str }),
    changes: ['ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/prefixItems/2'],
    backward: true,
  },
  {
    name: 'tuple item added, not covered by items',
    from: s({ type: 'array', prefixItems: [str, numb], items: str }),
    to: s({ type: 'array', prefixItems: [str, numb, numb], items: str }),
    changes: [
      'TYPE_CHANGED #/prefixItems/2',
      'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/prefixItems/2',
    ],
    backward: false,
  },
  {
    name: 'tuple item removed, not covered',
    from: s({ type: 'array', prefixItems: [str, numb, numb], items: str }),
    to: s({ type: 'array', prefixItems: [str, numb], items: str }),
    changes: [
      'TYPE_CHANGED #/prefixItems/2',
      'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/prefixItems/2',
    ],
    backward: false,
  },
  {
    name: 'tuple item type',
    from: s({ type: 'array', prefixItems: [str] }),
    to: s({ type: 'array', prefixItems: [numb] }),
    changes: ['TYPE_CHANGED #/prefixItems/0'],
    backward: false,
  },
  {
    name: 'draft-07 tuple added to closed array',
    from: d7({ type: 'array', items: [str], additionalItems: false }),
    to: d7({ type: 'array', items: [str, numb], additionalItems: false }),
    changes: ['ITEM_ADDED_TO_CLOSED_CONTENT_MODEL #/items/1'],
    backward: true,
  },
  {
    name: 'tuple item added and array opened',
    from: s({ type: 'array', prefixItems: [str, numb], items: false }),
    to: s({ type: 'array', prefixItems: [str, numb, { type: 'boolean' }], items: true }),
    changes: ['ITEM_ADDED_TO_CLOSED_CONTENT_MODEL #/prefixItems/2', 'ADDITIONAL_ITEMS_ADDED #/items'],
    backward: true,
  },
  {
    name: 'tuple item removed into additional schema',
    from: s({ type: 'array', prefixItems: [str, numb], items: false }),
    to: s({ type: 'array', prefixItems: [str], items: numb }),
    changes: [
      'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/prefixItems/1',
      'ADDITIONAL_ITEMS_ADDED #/items',
    ],
    backward: true,
  },
  {
    name: 'additional items schema dropped',
    from: s({ type: 'array', prefixItems: [str], items: numb }),
    to: s({ type: 'array', prefixItems: [str, numb], items: true }),
    changes: [
      'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/prefixItems/1',
      'ADDITIONAL_ITEMS_EXTENDED #/items',
    ],
    backward: true,
  },
  {
    name: 'items forbidden',
    from: s({ items: true }),
    to: s({ items: false }),
    changes: ['ADDITIONAL_ITEMS_REMOVED #/items'],
    backward: false,
  },
  {
    name: 'maxItems down',
    from: s({ type: 'array', maxItems: 2 }),
    to: s({ type: 'array', maxItems: 1 }),
    changes: ['MAX_ITEMS_DECREASED #/maxItems'],
    backward: false,
  },
  {
    name: 'minItems removed',
    from: s({ type: 'array', minItems: 1 }),
    to: s({ type: 'array' }),
    changes: ['MIN_ITEMS_REMOVED #/minItems'],
    backward: true,
  },
  {
    name: 'uniqueItems removed',
    from: s({ type: 'array', uniqueItems: true }),
    to: s({ type: 'array' }),
    changes: ['UNIQUE_ITEMS_REMOVED #/uniqueItems'],
    backward: true,
  },
  {
    name: 'contains added',
    from: s({ type: 'array' }),
    to: s({ type: 'array', contains: str }),
    changes: ['CONTAINS_ADDED #/contains'],
    backward: false,
  },
  {
    name: 'referenced definition changes type',
    from: s({ type: 'array', items: { $ref: '#/$defs/x' }, $defs: { x: str } }),
    to: s({ type: 'array', items: { $ref: '#/$defs/x' }, $defs: { x: numb } }),
    changes: ['TYPE_CHANGED #/items'],
    backward: false,
  },
  {
    name: 'inline to reference',
    from: s(str),
    to: s({ $ref: '#/$defs/x', $defs: { x: str } }),
    changes: [],
    backward: true,
  },
  {
    name: 'reference to inline',
    from: s({ $ref: '#/definitions/x', definitions: { x: str } }),
    to: s(str),
    changes: [],
    backward: true,
  },
  {
    name: 'additionalProperties forbidden',
    from: s({ additionalProperties: true }),
    to: s({ additionalProperties: false }),
    changes: ['ADDITIONAL_PROPERTIES_REMOVED #/additionalProperties'],
    backward: false,
  },
  {
    name: 'additionalProperties constrained',
    from: s({ additionalProperties: true }),
    to: s({ additionalProperties: numb }),
    changes: ['ADDITIONAL_PROPERTIES_NARROWED #/additionalProperties'],
    backward: false,
  },
  {
    name: 'additionalProperties schema changed',
    from: s({ additionalProperties: str }),
    to: s({ additionalProperties: numb }),
    changes: ['TYPE_CHANGED #/additionalProperties'],
    backward: false,
  },
  {
    name: 'unevaluatedProperties closes the model',
    from: s({ type: 'object', properties: { a: str } }),
    to: s({ type: 'object', properties: { a: str }, unevaluatedProperties: false }),
    changes: ['UNEVALUATED_PROPERTIES_REMOVED #/unevaluatedProperties'],
    backward: false,
  },
  {
    name: 'conditional added',
    from: s({ type: 'object' }),
    to: s({ type: 'object', if: { properties: { a: { const: 1 } } }, then: { required: ['b'] } }),
    changes: ['PRODUCT_TYPE_EXTENDED #/'],
    backward: false,
  },
  {
    name: 'then relaxed',
    from: s({ if: { properties: { a: { const: 1 } } }, then: { ...str, maxLength: 2 } }),
    to: s({ if: { properties: { a: { const: 1 } } }, then: { ...str, maxLength: 3 } }),
    changes: ['MAX_LENGTH_INCREASED #/then/maxLength'],
    backward: true,
  },
  {
    name: 'pattern property added to open model',
    from: s({ type: 'object' }),
    to: s({ type: 'object', patternProperties: { '^x-': str } }),
    changes: ['PATTERN_PROPERTY_ADDED_NOT_COVERED #/patternProperties/^x-'],
    backward: false,
  },
  {
    name: 'recursive schema with a change deep inside',
    from: s({
      $defs: { node: { type: 'object', properties: { v: str, next: { $ref: '#/$defs/node' } } } },
      $ref: '#/$defs/node',
    }),
    to: s({
      $defs: { node: { type: 'object', properties: { v: numb, next: { $ref: '#/$defs/node' } } } },
      $ref: '#/$defs/node',
    }),
    changes: ['TYPE_CHANGED #/properties/v'],
    backward: false,
  },
  {
    name: 'nested property description only',
    from: s({ type: 'object', properties: { a: { ...str, description: 'x' } } }),
    to: s({ type: 'object', properties: { a: { ...str, description: 'y' } } }),
    changes: ['DESCRIPTION_CHANGED #/properties/a'],
    backward: true,
  },
  {
    name: 'property name with a slash is escaped',
    from: s({ properties: { 'a/b': str } }),
    to: s({ properties: { 'a/b': numb } }),
    changes: ['TYPE_CHANGED #/properties/a~1b'],
    backward: false,
  },
  {
    name: 'boolean true to false schema',
    from: true,
    to: false,
    changes: ['TYPE_CHANGED #/'],
    backward: false,
  },
  { name: 'false schema to anything', from: false, to: s(str), changes: [], backward: true },
];

describe('schema diff (from → to)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = compareSchemas(c.from, c.to);
      expect(result.changes.map((x) => `${x.kind} ${x.path}`)).toEqual(c.changes);
      expect(result.backwardCompatible).toBe(c.backward);
      for (const change of result.changes) expect(change.message).toContain(change.path);
    });
  }
});

describe('forward compatibility and semver', () => {
  it('decides forward compatibility from the reverse diff', () => {
    const from = s({ type: 'object', properties: { a: str }, additionalProperties: false });
    const to = s({ type: 'object', properties: { a: str, b: str }, additionalProperties: false });
    const r = compareSchemas(from, to);
    expect(r.backwardCompatible).toBe(true);
    expect(r.forwardCompatible).toBe(false);
    expect(r.forwardChanges.map((x) => x.kind)).toEqual(['PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL']);
    expect(r.requiredBump).toBe('MINOR');
    expect(violations('FORWARD', r).map((v) => v.kind)).toEqual([
      'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
    ]);
    expect(violations('BACKWARD', r)).toEqual([]);
    expect(violations('FULL', r)).toHaveLength(1);
    expect(violations('NONE', r)).toEqual([]);
  });

  it('requires PATCH for annotation-only changes and NONE for identical schemas', () => {
    expect(
      compareSchemas(s({ ...str, description: 'a' }), s({ ...str, description: 'b' })).requiredBump,
    ).toBe('PATCH');
    expect(compareSchemas(s({ ...str, examples: ['a'] }), s({ ...str, examples: ['b'] })).requiredBump).toBe(
      'PATCH',
    );
    expect(compareSchemas(s(str), s(str)).requiredBump).toBe('NONE');
    expect(compareSchemas(s(str), s({ type: 'integer' })).requiredBump).toBe('MAJOR');
    expect(requiredBump([], [])).toBe('NONE');
  });

  it('treats both directions of a closed-model field change', () => {
    const r = compareSchemas(s({ type: 'string', enum: ['a', 'b'] }), s({ type: 'string', enum: ['a'] }));
    expect(r.backwardCompatible).toBe(false);
    expect(r.forwardCompatible).toBe(true);
  });

  it('resolves references to other documents only through the resolver', () => {
    const uom = s({
      $id: 'urn:canon:contract:uom:1.0.0',
      $defs: { code: { type: 'string', pattern: '^[A-Z]+$' } },
    });
    const from = s({ properties: { u: { $ref: 'urn:canon:contract:uom:1.0.0#/$defs/code' } } });
    const to = s({ properties: { u: { type: 'string' } } });
    const r = compareSchemas(from, to, {
      external: (uri) => (uri === 'urn:canon:contract:uom:1.0.0' ? uom : undefined),
    });
    expect(r.changes.map((x) => `${x.kind} ${x.path}`)).toEqual(['PATTERN_REMOVED #/properties/u/pattern']);
    expect(() => compareSchemas(from, to)).toThrow(/cannot resolve \$ref/);
  });

  it('checks multiples exactly', () => {
    expect(isMultiple(0.3, 0.1)).toBe(true);
    expect(isMultiple(1, 0.25)).toBe(true);
    expect(isMultiple(1, 0.3)).toBe(false);
    expect(isMultiple(1e21, 1e20)).toBe(true);
  });
});

describe('recursion', () => {
  it('terminates on recursive references that carry their own annotations', () => {
    const tree = (leaf: string) =>
      s({
        $defs: {
          node: {
            type: 'object',
            properties: {
              v: { type: leaf },
              kids: { type: 'array', items: { $ref: '#/$defs/node', description: 'child' } },
            },
          },
        },
        $ref: '#/$defs/node',
      });
    const r = compareSchemas(tree('string'), tree('number'));
    expect(r.backwardCompatible).toBe(false);
    expect(r.changes.map((c) => c.path)).toContain('#/properties/v');
  });
});
