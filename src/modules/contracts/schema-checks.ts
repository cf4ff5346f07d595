/**
 * Checks a candidate contract schema before Canon stores it: a JSON object of bounded size, valid
 * against the meta-schema of its draft (draft-04, -06, -07, 2019-09 or 2020-12), whose `$ref`s point only inside the document or at
 * contract versions in Canon's registry (remote URLs are refused, never fetched), and which ajv can
 * compile (so regular expressions and formats are sound).
 */
import type { ErrorObject } from 'ajv';
import ajvFormats from 'ajv-formats';
import {
  type AnyAjv,
  ajvFor,
  canReference,
  DEFAULT_DRAFT,
  DRAFT_URIS,
  DRAFTS,
  type Draft,
  draftOf,
  referenceableDrafts,
  schemaIdOf,
} from '../../../codegen/drafts.ts';
import { SUPPORTED_FORMATS } from '../../../codegen/formats.ts';
import { CanonError, type ErrorDetail } from '../../errors.ts';
import { resolveUri as resolveRef } from './compatibility/schema-model.ts';
import { parseContractUri } from './contract-ids.ts';

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

/** One meta-schema checker per draft, made on first use. */
const metaValidators = new Map<Draft, AnyAjv>();
function metaValidator(draft: Draft): AnyAjv {
  let ajv = metaValidators.get(draft);
  if (!ajv) {
    ajv = ajvFor(draft, { allErrors: true, strict: false });
    metaValidators.set(draft, ajv);
  }
  return ajv;
}

/**
 * The draft a document is written in: the one its `$schema` names, or `defaultDraft` when it names
 * none. An unknown `$schema` is refused, naming the drafts Canon accepts.
 */
export function declaredDraft(schema: unknown, field: string, defaultDraft: Draft = DEFAULT_DRAFT): Draft {
  const draft = draftOf(schema, defaultDraft);
  if (draft) return draft;
  const declared = (schema as Record<string, unknown>).$schema;
  throw new CanonError(
    'INVALID_SCHEMA',
    `${field} declares $schema ${JSON.stringify(declared)}, which is not a JSON Schema draft Canon accepts: ${DRAFTS.map((d) => `${d} (${DRAFT_URIS[d]})`).join(', ')}.`,
    { path: [field, '$schema'] },
  );
}

/**
 * Validates a schema document against the meta-schema of its draft (see declaredDraft) and returns
 * the draft. `field` names the argument in error paths.
 */
export function assertValidJsonSchema(
  schema: unknown,
  field: string,
  options: { defaultDraft?: Draft } = {},
): Draft {
  const defaultDraft = options.defaultDraft ?? DEFAULT_DRAFT;
  if (typeof schema === 'boolean') return defaultDraft;
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
  const draft = declaredDraft(schema, field, defaultDraft);
  const validator = metaValidator(draft);
  // checked under the draft's canonical $schema: "https://…/draft-07/schema" means draft-07 too
  if (!validator.validateSchema({ ...schema, $schema: DRAFT_URIS[draft] })) {
    throw new CanonError('INVALID_SCHEMA', `${field} is not a valid JSON Schema ${draft} document.`, {
      path: [field],
      details: ajvErrorDetails(validator.errors, '#'),
    });
  }
  return draft;
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
        if ((k === '$ref' || k === '$dynamicRef' || k === '$recursiveRef') && typeof v === 'string')
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
  const base = (isObject(schema) && schemaIdOf(schema)) || 'canon:document';
  const found = new Map<string, { name: string; version: string; uri: string }>();
  const embeddedIds = new Set<string>();
  const walkIds = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const x of node) walkIds(x);
    } else if (isObject(node)) {
      const id = schemaIdOf(node);
      if (id) embeddedIds.add(id.split('#')[0]);
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

/**
 * Compiles the schema with its referenced documents to prove ajv accepts it (patterns, formats, refs),
 * with the ajv class of its draft. A referenced document of a draft that class cannot load is refused.
 */
export function assertCompiles(
  schema: Record<string, unknown>,
  referenced: Record<string, unknown>[],
  field: string,
  draft: Draft = draftOf(schema) ?? DEFAULT_DRAFT,
): void {
  const ajv = ajvFor(draft, { allErrors: true, strict: false, validateFormats: true });
  ajvFormats.default(ajv);
  for (const doc of referenced) {
    const id = schemaIdOf(doc);
    const theirs = draftOf(doc) ?? DEFAULT_DRAFT;
    if (!canReference(draft, theirs)) {
      throw new CanonError(
        'INVALID_SCHEMA',
        `${field} is a ${draft} document and references ${id}, a ${theirs} document; a ${draft} contract may reference contracts written in ${referenceableDrafts(draft).join(' or ')} (one validator checks the whole).`,
        {
          path: [field],
          details: [{ path: id ?? '', message: `${theirs} reference from ${draft}`, keyword: '$ref' }],
        },
      );
    }
    if (id && !ajv.getSchema(id)) ajv.addSchema(doc);
  }
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
