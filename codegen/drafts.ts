/**
 * The JSON Schema drafts Canon accepts (the ones Confluent Schema Registry and Apicurio accept): how a
 * document names its draft in `$schema`, and the ajv class that validates each one. Shared by the
 * registry (meta-schema checks, record validation) and the type-package generator, so a contract is
 * validated the same way in both places.
 */
import { createRequire } from 'node:module';
import { Ajv, type Options } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type AjvCore from 'ajv/dist/core.js';
import Ajv04 from 'ajv-draft-04';

export const DRAFTS = ['draft-04', 'draft-06', 'draft-07', '2019-09', '2020-12'] as const;
export type Draft = (typeof DRAFTS)[number];
export type AnyAjv = AjvCore.default;

/** The canonical `$schema` of each draft (the meta-schema ids ajv knows them by). */
export const DRAFT_URIS: Record<Draft, string> = {
  'draft-04': 'http://json-schema.org/draft-04/schema#',
  'draft-06': 'http://json-schema.org/draft-06/schema#',
  'draft-07': 'http://json-schema.org/draft-07/schema#',
  '2019-09': 'https://json-schema.org/draft/2019-09/schema',
  '2020-12': 'https://json-schema.org/draft/2020-12/schema',
};

export const DEFAULT_DRAFT: Draft = '2020-12';

/**
 * The draft a `$schema` value names, whatever its spelling (http or https, with or without the
 * trailing `#`), or undefined for anything else.
 */
export function draftOfUri(uri: string): Draft | undefined {
  const m = /^https?:\/\/json-schema\.org\/(draft-0[467]|draft\/2019-09|draft\/2020-12)\/schema#?$/.exec(uri);
  if (!m) return undefined;
  return (m[1].startsWith('draft/') ? m[1].slice('draft/'.length) : m[1]) as Draft;
}

/** The draft a document declares, or `fallback` when it has no `$schema` (undefined when unknown). */
export function draftOf(schema: unknown, fallback: Draft = DEFAULT_DRAFT): Draft | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return fallback;
  const declared = (schema as Record<string, unknown>).$schema;
  if (declared === undefined) return fallback;
  return typeof declared === 'string' ? draftOfUri(declared) : undefined;
}

/** The keyword that names a schema resource: draft-04 spells it `id`. */
export function idKeyword(draft: Draft): 'id' | '$id' {
  return draft === 'draft-04' ? 'id' : '$id';
}

/** A document's own id (`$id`, or draft-04's `id`), without a plain-name fragment. */
export function schemaIdOf(schema: Record<string, unknown>): string | undefined {
  const id =
    typeof schema.$id === 'string' ? schema.$id : typeof schema.id === 'string' ? schema.id : undefined;
  return id === undefined || id.startsWith('#') ? undefined : id;
}

/**
 * ajv validates one family of drafts per instance: draft-04 alone; draft-06 and draft-07 together;
 * 2019-09 with draft-06/07 documents beside it; 2020-12 alone. A contract may reference contracts of
 * the drafts its own validator can load.
 */
const LOADABLE: Record<Draft, readonly Draft[]> = {
  'draft-04': ['draft-04'],
  'draft-06': ['draft-06', 'draft-07'],
  'draft-07': ['draft-06', 'draft-07'],
  '2019-09': ['draft-06', 'draft-07', '2019-09'],
  '2020-12': ['2020-12'],
};

export function canReference(from: Draft, to: Draft): boolean {
  return LOADABLE[from].includes(to);
}

export function referenceableDrafts(from: Draft): readonly Draft[] {
  return LOADABLE[from];
}

const require = createRequire(import.meta.url);
const draft06Meta = require('ajv/dist/refs/json-schema-draft-06.json') as Record<string, unknown>;
const draft07Meta = require('ajv/dist/refs/json-schema-draft-07.json') as Record<string, unknown>;

/** A fresh ajv instance for documents of `draft` (and the drafts it may reference). */
export function ajvFor(draft: Draft, options: Options = {}): AnyAjv {
  switch (draft) {
    case 'draft-04':
      return new Ajv04.default(options) as unknown as AnyAjv;
    case 'draft-06':
    case 'draft-07': {
      const ajv = new Ajv(options);
      ajv.addMetaSchema(draft06Meta);
      return ajv;
    }
    case '2019-09': {
      const ajv = new Ajv2019(options);
      ajv.addMetaSchema(draft06Meta);
      ajv.addMetaSchema(draft07Meta);
      return ajv;
    }
    case '2020-12':
      return new Ajv2020(options);
  }
}

/** The reusable definitions of a document: `$defs` (2019-09 on) and `definitions` (before). */
export function definitionsOf(schema: Record<string, unknown>): Record<string, unknown> {
  const pick = (v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  return { ...pick(schema.definitions), ...pick(schema.$defs) };
}

/** The definition a fragment names (`/$defs/x` or `/definitions/x`), or undefined. */
export function definitionName(fragment: string): string | undefined {
  return /^\/(?:\$defs|definitions)\/([^/]+)$/.exec(fragment)?.[1];
}
