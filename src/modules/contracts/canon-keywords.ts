/**
 * Canon's own keywords in a custom domain's contract, beside JSON Schema (which ignores `x-` keys):
 *
 *   "x-canon-key": ["/code"]                       the fields the business key is made of
 *   "x-canon-references": [                        key-based references to other records
 *     { "path": "/lines/*\/item", "domain": "item" } ("*" = every element of an array)
 *   ]
 *
 * Checked when a version is registered, so a contract cannot promise a key or a reference the
 * record store cannot keep.
 */
import { CanonError, type ErrorDetail } from '../../errors.ts';

export interface CanonReference {
  /** JSON pointer to the referencing value; a `*` segment stands for every element of an array. */
  path: string;
  domain: string;
}

export interface CanonKeywords {
  key?: string[];
  references: CanonReference[];
}

const POINTER = /^(\/([^/~]|~[01])*)+$/;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Follows a local `$ref` (`#/$defs/line`) to the node it names; other nodes are themselves. */
function local(schema: Record<string, unknown>, node: unknown): unknown {
  let at = node;
  for (
    let hops = 0;
    hops < 8 && isObject(at) && typeof at.$ref === 'string' && at.$ref.startsWith('#/');
    hops++
  ) {
    let target: unknown = schema;
    for (const raw of at.$ref.slice(2).split('/'))
      target = isObject(target)
        ? target[decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~')]
        : undefined;
    at = target;
  }
  return at;
}

/** The schema node a pointer of a payload lands on (`*` through `items`, local `$ref`s followed), or undefined. */
function schemaAt(schema: Record<string, unknown>, pointer: string): Record<string, unknown> | undefined {
  let at: unknown = schema;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    at = local(schema, at);
    if (!isObject(at)) return undefined;
    at = token === '*' ? at.items : isObject(at.properties) ? at.properties[token] : undefined;
  }
  return isObject(at) ? at : undefined;
}

/** Reads and checks the keywords; INVALID_SCHEMA with every problem when they are malformed. */
export function canonKeywords(schema: unknown): CanonKeywords {
  if (!isObject(schema)) return { references: [] };
  const problems: ErrorDetail[] = [];
  const key = schema['x-canon-key'];
  const refs = schema['x-canon-references'];
  let keyFields: string[] | undefined;
  if (key !== undefined) {
    if (!Array.isArray(key) || key.length === 0 || !key.every((k) => typeof k === 'string')) {
      problems.push({ path: '/x-canon-key', message: 'x-canon-key is a non-empty array of JSON pointers.' });
    } else {
      keyFields = key as string[];
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      key.forEach((k: string, i: number) => {
        if (!POINTER.test(k) || k.includes('*') || k.split('/').length !== 2) {
          problems.push({
            path: `/x-canon-key/${i}`,
            message: `${k} must point at a top-level property, e.g. "/code".`,
          });
        } else if (!required.includes(k.slice(1).replace(/~1/g, '/').replace(/~0/g, '~'))) {
          problems.push({ path: `/x-canon-key/${i}`, message: `${k}: a key field must be required.` });
        }
      });
    }
  }
  const references: CanonReference[] = [];
  if (refs !== undefined) {
    if (!Array.isArray(refs)) {
      problems.push({ path: '/x-canon-references', message: 'x-canon-references is an array.' });
    } else {
      refs.forEach((r: unknown, i: number) => {
        const at = `/x-canon-references/${i}`;
        if (!isObject(r) || typeof r.path !== 'string' || typeof r.domain !== 'string') {
          problems.push({
            path: at,
            message: 'A reference is { "path": "<JSON pointer>", "domain": "<domain>" }.',
          });
          return;
        }
        if (!POINTER.test(r.path) || !schemaAt(schema, r.path)) {
          problems.push({
            path: `${at}/path`,
            message: `${r.path} does not point at a property of the schema.`,
          });
          return;
        }
        references.push({ path: r.path, domain: r.domain });
      });
    }
  }
  if (problems.length > 0)
    throw new CanonError('INVALID_SCHEMA', 'The x-canon-key / x-canon-references keywords are not valid.', {
      path: ['schema'],
      details: problems,
    });
  return { ...(keyFields ? { key: keyFields } : {}), references };
}
