/**
 * Checks a candidate contract schema before Canon stores it: a JSON object of bounded size, valid
 * against the JSON Schema 2020-12 meta-schema, whose `$ref`s point only inside the document or at
 * contract versions in Canon's registry (remote URLs are refused, never fetched), and which ajv can
 * compile (so regular expressions and formats are sound).
 */
import { Ajv } from 'ajv';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { SUPPORTED_FORMATS } from '../../../codegen/formats.ts';
import { CanonError, type ErrorDetail } from '../../errors.ts';
import { resolveUri as resolveRef } from './compatibility/schema-model.ts';
import { parseContractUri } from './contract-ids.ts';

export const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';
const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;
export const MAX_SCHEMA_BYTES = 512 * 1024;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function ajvErrorDetails(errors: ErrorObject[] | null | undefined, prefix = ''): ErrorDetail[] {
  return (errors ?? []).map((e) => ({
    path: `${prefix}${e.instancePath || '/'}`,
    message: `${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
    keyword: e.keyword,
  }));
}

const metaValidator2020 = new Ajv2020({ allErrors: true, strict: false });
const metaValidator07 = new Ajv({ allErrors: true, strict: false });

/**
 * Validates a schema document against its meta-schema and returns its dialect: 2020-12 by default;
 * draft-07 when the document says so, or (with `allowDraft07`) when it has no `$schema` and only
 * draft-07 accepts it — comparisons take both, contracts are 2020-12 only. `field` names the
 * argument in error paths.
 */
export function assertValidJsonSchema(
  schema: unknown,
  field: string,
  options: { allowDraft07?: boolean } = {},
): '2020-12' | 'draft-07' {
  if (typeof schema === 'boolean') return '2020-12';
  if (!isObject(schema)) {
    throw new CanonError('INVALID_SCHEMA', `${field} must be a JSON Schema object.`, { path: [field] });
  }
  const size = Buffer.byteLength(JSON.stringify(schema), 'utf8');
  if (size > MAX_SCHEMA_BYTES) {
    throw new CanonError(
      'PAYLOAD_TOO_LARGE',
      `${field} is ${size} bytes; a schema may be at most ${MAX_SCHEMA_BYTES} bytes.`,
      {
        path: [field],
      },
    );
  }
  const declared = schema.$schema;
  const invalid = (validator: Ajv | Ajv2020) =>
    new CanonError('INVALID_SCHEMA', `${field} is not a valid JSON Schema.`, {
      path: [field],
      details: ajvErrorDetails(validator.errors, '#'),
    });
  if (declared === undefined) {
    if (metaValidator2020.validateSchema(schema)) return '2020-12';
    const error = invalid(metaValidator2020);
    if (options.allowDraft07 && metaValidator07.validateSchema(schema)) return 'draft-07';
    throw error;
  }
  if (declared === DRAFT_2020_12 || declared === `${DRAFT_2020_12}#`) {
    if (!metaValidator2020.validateSchema(schema)) throw invalid(metaValidator2020);
    return '2020-12';
  }
  if (options.allowDraft07 && typeof declared === 'string' && DRAFT_07.test(declared)) {
    if (!metaValidator07.validateSchema(schema)) throw invalid(metaValidator07);
    return 'draft-07';
  }
  throw new CanonError(
    'INVALID_SCHEMA',
    `${field} must be a JSON Schema 2020-12 document ($schema "${DRAFT_2020_12}").`,
    {
      path: [field, '$schema'],
    },
  );
}

/** Every `$ref` in a document, with the JSON pointer where it stands. */
export function collectRefs(schema: unknown, at = '#'): { ref: string; at: string }[] {
  const out: { ref: string; at: string }[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((x, i) => {
        walk(x, `${path}/${i}`);
      });
    } else if (isObject(node)) {
      for (const [k, v] of Object.entries(node)) {
        if ((k === '$ref' || k === '$dynamicRef') && typeof v === 'string')
          out.push({ ref: v, at: `${path}/${k}` });
        else if (k !== 'enum' && k !== 'const' && k !== 'examples' && k !== 'default')
          walk(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      }
    }
  };
  walk(schema, at);
  return out;
}

/**
 * The contract versions a document references (absolute `urn:canon:contract:…` refs). Any other
 * absolute reference is refused: Canon never fetches schemas from the network.
 */
export function referencedContracts(
  schema: Record<string, unknown> | boolean,
  field: string,
): { name: string; version: string; uri: string }[] {
  const base = isObject(schema) && typeof schema.$id === 'string' ? schema.$id : 'canon:document';
  const found = new Map<string, { name: string; version: string; uri: string }>();
  const embeddedIds = new Set<string>();
  const walkIds = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const x of node) walkIds(x);
    } else if (isObject(node)) {
      if (typeof node.$id === 'string') embeddedIds.add(node.$id.split('#')[0]);
      for (const [k, v] of Object.entries(node))
        if (k !== 'enum' && k !== 'const' && k !== 'examples' && k !== 'default') walkIds(v);
    }
  };
  walkIds(schema);
  for (const { ref, at } of collectRefs(schema)) {
    const target = resolveRef(ref, base).split('#')[0];
    if (
      target === '' ||
      target === base.split('#')[0] ||
      target === 'canon:document' ||
      embeddedIds.has(target)
    )
      continue;
    const contract = parseContractUri(target);
    if (!contract) {
      throw new CanonError(
        'INVALID_SCHEMA',
        `The $ref "${ref}" points outside Canon. References may only name places in the same document or Canon contract versions (urn:canon:contract:<name>:<version>); Canon never fetches schemas from the network.`,
        { path: [field], details: [{ path: at, message: 'remote reference refused', keyword: '$ref' }] },
      );
    }
    found.set(target, { ...contract, uri: target });
  }
  return [...found.values()];
}

/** Compiles the schema with its referenced documents to prove ajv accepts it (patterns, formats, refs). */
export function assertCompiles(
  schema: Record<string, unknown>,
  referenced: Record<string, unknown>[],
  field: string,
): void {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
  ajvFormats.default(ajv);
  for (const doc of referenced)
    if (typeof doc.$id === 'string' && !ajv.getSchema(doc.$id)) ajv.addSchema(doc);
  try {
    ajv.compile(schema);
  } catch (error) {
    throw new CanonError('INVALID_SCHEMA', `${field} cannot be compiled: ${(error as Error).message}`, {
      path: [field],
    });
  }
}

/** Keywords whose values are data, not schemas: a "format" inside them is not a format. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);

/**
 * Every `format` names one Canon validates (codegen/formats.ts: the same checks in the registry and in
 * the generated validators). An unknown one would be ignored silently by validators, so data the
 * contract seems to constrain would pass: refused at registration, with where and which are known.
 */
export function assertKnownFormats(schema: unknown, field: string): void {
  const unknown: ErrorDetail[] = [];
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) {
      for (const [i, n] of node.entries()) walk(n, `${at}/${i}`);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      const path = `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (key === 'format' && typeof value === 'string' && !SUPPORTED_FORMATS.includes(value))
        unknown.push({ path, message: `unknown format "${value}"`, keyword: 'format' });
      else if (!DATA_KEYWORDS.has(key)) walk(value, path);
    }
  };
  walk(schema, '#');
  if (unknown.length > 0)
    throw new CanonError(
      'INVALID_SCHEMA',
      `${unknown.map((u) => u.message).join(', ')}: Canon validates formats and knows ${SUPPORTED_FORMATS.join(', ')}. Use a pattern for anything else.`,
      { path: [field], details: unknown },
    );
}
