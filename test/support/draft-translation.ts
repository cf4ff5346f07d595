/**
 * Rewrites a draft-04/06/07 document in 2020-12 spelling, keyword by keyword, the way a person moving
 * a contract to 2020-12 would: `definitions` → `$defs` (and the `$ref`s into them), `"$id": "#a"` →
 * `"$anchor": "a"`, draft-04 `id` → `$id`, boolean exclusive bounds → numeric ones, array-form
 * `items` + `additionalItems` → `prefixItems` + `items`, `dependencies` → `dependentRequired` /
 * `dependentSchemas`. Written independently of the diff engine so tests can hold one against the other.
 */
const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];
const SCHEMA_VALUES = ['additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames'];

export function translateTo2020(doc: unknown, from: 'draft-04' | 'draft-06' | 'draft-07'): unknown {
  const out = translate(doc, from);
  return isObject(out) ? { $schema: DRAFT_2020_12, ...out } : out;
}

function translate(node: unknown, from: string): unknown {
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema') continue;
    if (from === 'draft-04' && key === 'id') out.$id = value;
    else if (key === '$ref' && typeof value === 'string')
      out.$ref = value.replace(/^#\/definitions\//, '#/$defs/');
    else if (SCHEMA_MAPS.includes(key) && isObject(value)) {
      const target = key === 'definitions' ? '$defs' : key;
      out[target] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, translate(v, from)]));
    } else if (SCHEMA_LISTS.includes(key) && Array.isArray(value))
      out[key] = value.map((v) => translate(v, from));
    else if (SCHEMA_VALUES.includes(key)) out[key] = translate(value, from);
    else if (key === 'items') {
      if (Array.isArray(value)) {
        out.prefixItems = value.map((v) => translate(v, from));
        if (node.additionalItems !== undefined) out.items = translate(node.additionalItems, from);
      } else out.items = translate(value, from);
    } else if (key === 'additionalItems') {
      // only meaningful beside a tuple, where it became `items`
    } else if (key === 'dependencies' && isObject(value)) {
      for (const [name, dep] of Object.entries(value)) {
        const target = Array.isArray(dep) ? 'dependentRequired' : 'dependentSchemas';
        out[target] = {
          ...(out[target] as Json | undefined),
          [name]: Array.isArray(dep) ? dep : translate(dep, from),
        };
      }
    } else if (from === 'draft-04' && (key === 'exclusiveMinimum' || key === 'exclusiveMaximum')) {
      const plain = key === 'exclusiveMinimum' ? 'minimum' : 'maximum';
      if (value === true) out[key] = node[plain];
    } else if (from === 'draft-04' && (key === 'minimum' || key === 'maximum')) {
      const exclusive = key === 'minimum' ? 'exclusiveMinimum' : 'exclusiveMaximum';
      if (node[exclusive] !== true) out[key] = value;
    } else out[key] = value;
  }
  const id = out.$id;
  if (typeof id === 'string' && id.startsWith('#')) {
    delete out.$id;
    out.$anchor = id.slice(1);
  }
  return out;
}
