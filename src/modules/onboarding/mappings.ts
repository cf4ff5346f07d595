/**
 * From a file's row to a contract payload. A mapping names, for each column, the contract field it
 * fills (a JSON pointer), how its text becomes a value (by default the type the contract gives the
 * field), and which columns carry the system's external id and external key. Mapping files are JSON
 * (docs/import-export.md); Odoo's own exports have built-in mappings (odoo-mappings.ts).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { CanonError } from '../../errors.ts';
import type { Data } from '../records/domain-rules.ts';
import type { SourceRow } from './row-sources.ts';

/** A problem with one cell or the row, before the contract is even asked. */
export interface MappingFinding {
  code: 'BAD_VALUE' | 'UNKNOWN_REFERENCE' | 'MISSING_EXTERNAL_ID';
  pointer: string;
  message: string;
}

export interface MappedRow {
  data: Data;
  externalId: string | null;
  externalKey: string | null;
  findings: MappingFinding[];
}

/** What a mapping may ask of Canon while mapping a row: the key of a record a system's id names. */
export interface Lookups {
  keyOfExternalId(domain: string, externalId: string): Promise<string | null>;
}

export interface RowMapping {
  name: string;
  /** The domain the mapping was written for (null: any). */
  domain: string | null;
  /** Whether the mapping reads (or deliberately skips) a column; others are reported and ignored. */
  knowsColumn(column: string): boolean;
  map(row: SourceRow, lookups: Lookups): Promise<MappedRow>;
}

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';

/** The JSON type a contract gives the field at a pointer (local $refs followed), if it says one. */
export function schemaTypeAt(schema: Record<string, unknown>, pointer: string): JsonType | undefined {
  let node: Record<string, unknown> | undefined = schema;
  const resolve = (n: Record<string, unknown> | undefined) => {
    for (let i = 0; n && typeof n.$ref === 'string' && n.$ref.startsWith('#/') && i < 10; i++) {
      n = n.$ref
        .slice(2)
        .split('/')
        .reduce<Record<string, unknown> | undefined>(
          (at, part) => at?.[part] as Record<string, unknown> | undefined,
          schema,
        );
    }
    return n;
  };
  for (const part of pointer.split('/').slice(1)) {
    node = resolve(node);
    const props = node?.properties as Record<string, Record<string, unknown>> | undefined;
    node = props?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  node = resolve(node);
  const type = node?.type;
  const first = Array.isArray(type) ? type.find((t) => t !== 'null') : type;
  if (typeof first === 'string') return first as JsonType;
  // a $ref to another contract names a code (a string) in every built-in contract
  return node?.$ref ? 'string' : undefined;
}

const TRUE = new Set(['true', '1', 'yes', 'y', 't']);
const FALSE = new Set(['false', '0', 'no', 'n', 'f']);

/** A cell's text as a value of a JSON type; undefined for an empty cell (the field stays unset). */
export function coerceCell(
  text: string,
  type: JsonType | undefined,
  pointer: string,
): { value?: unknown; finding?: MappingFinding } {
  const t = text.trim();
  if (t === '') return {};
  const bad = (what: string): { finding: MappingFinding } => ({
    finding: {
      code: 'BAD_VALUE',
      pointer,
      message: `"${t.length > 60 ? `${t.slice(0, 60)}…` : t}" is not ${what}.`,
    },
  });
  switch (type) {
    case 'number':
    case 'integer': {
      const n = Number(t);
      if (!Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n)))
        return bad(`a${type === 'integer' ? 'n integer' : ' number'}`);
      return { value: n };
    }
    case 'boolean':
      if (TRUE.has(t.toLowerCase())) return { value: true };
      if (FALSE.has(t.toLowerCase())) return { value: false };
      return bad('true or false');
    case 'array':
    case 'object':
      try {
        return { value: JSON.parse(t) };
      } catch {
        return bad(`JSON (${type})`);
      }
    default:
      return { value: text };
  }
}

/** Sets a value at a JSON pointer, creating the objects on the way. */
export function setAt(data: Data, pointer: string, value: unknown): void {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let at: Data = data;
  for (const part of parts.slice(0, -1)) {
    if (typeof at[part] !== 'object' || at[part] === null) at[part] = {};
    at = at[part] as Data;
  }
  at[parts[parts.length - 1]] = value;
}

const columnSpec = z.union([
  z.string().regex(/^\//, 'a JSON pointer starting with /'),
  z.object({
    field: z.string().regex(/^\//, 'a JSON pointer starting with /'),
    type: z.enum(['string', 'number', 'integer', 'boolean', 'array', 'object']).optional(),
    /** Replaces cell texts with values (e.g. Odoo's "consu" → "consumable"). */
    values: z.record(z.string(), z.unknown()).optional(),
    /** The cell is an external id of the import's system in this domain: the record's key is used. */
    lookup: z.string().optional(),
  }),
]);

const mappingFile = z.object({
  domain: z.string().optional(),
  columns: z.record(z.string(), columnSpec),
  externalId: z.string().optional(),
  externalKey: z.string().optional(),
  ignore: z.array(z.string()).default([]),
  defaults: z.record(z.string().regex(/^\//), z.unknown()).default({}),
});
export type MappingFile = z.infer<typeof mappingFile>;

/** A mapping from its JSON text; a bad file is a BAD_USER_INPUT naming the field at fault. */
export function parseMappingFile(text: string, name: string): MappingFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CanonError('BAD_USER_INPUT', `The mapping ${name} is not JSON: ${(error as Error).message}`);
  }
  const parsed = mappingFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CanonError('BAD_USER_INPUT', `The mapping ${name}: ${issue.path.join('.')}: ${issue.message}`, {
      path: issue.path.map(String),
    });
  }
  return parsed.data;
}

export async function loadMappingFile(path: string): Promise<MappingFile> {
  return parseMappingFile(await readFile(path, 'utf8'), path);
}

/** A declarative mapping (a file's) over a contract schema, which types the cells. */
export function declarativeMapping(
  name: string,
  file: MappingFile,
  schema: Record<string, unknown>,
): RowMapping {
  const known = new Set([...Object.keys(file.columns), ...file.ignore]);
  if (file.externalId) known.add(file.externalId);
  if (file.externalKey) known.add(file.externalKey);
  return {
    name,
    domain: file.domain ?? null,
    knowsColumn: (c) => known.has(c),
    async map(row, lookups) {
      const cells = row.cells ?? stringCells(row.object ?? {});
      const data: Data = {};
      for (const [pointer, value] of Object.entries(file.defaults))
        setAt(data, pointer, structuredClone(value));
      const findings: MappingFinding[] = [];
      for (const [column, spec] of Object.entries(file.columns)) {
        const text = cells[column];
        if (text === undefined) continue;
        const s = typeof spec === 'string' ? { field: spec } : spec;
        if (s.values && text.trim() !== '') {
          if (!(text.trim() in s.values)) {
            findings.push({
              code: 'BAD_VALUE',
              pointer: s.field,
              message: `"${text.trim()}" is not one of ${Object.keys(s.values).join(', ')}.`,
            });
            continue;
          }
          setAt(data, s.field, s.values[text.trim()]);
          continue;
        }
        if (s.lookup && text.trim() !== '') {
          const key = await lookups.keyOfExternalId(s.lookup, text.trim());
          if (key === null)
            findings.push({
              code: 'UNKNOWN_REFERENCE',
              pointer: s.field,
              message: `No ${s.lookup} record is linked to the id ${text.trim()}.`,
            });
          else setAt(data, s.field, key);
          continue;
        }
        const { value, finding } = coerceCell(text, s.type ?? schemaTypeAt(schema, s.field), s.field);
        if (finding) findings.push(finding);
        else if (value !== undefined) setAt(data, s.field, value);
      }
      return {
        data,
        externalId: file.externalId ? cells[file.externalId]?.trim() || null : null,
        externalKey: file.externalKey ? cells[file.externalKey]?.trim() || null : null,
        findings,
      };
    },
  };
}

function stringCells(object: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(object).map(([k, v]) => [
      k,
      v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  );
}

/**
 * Canon's own layout, with no mapping file: CSV columns named after the contract's fields (nested
 * ones as pointers, `shelfLife/expirationDays`), typed by the contract; NDJSON lines that are the
 * payload itself, or an export line `{ "data": {…}, "externalId", "externalKey" }`.
 */
export function canonMapping(schema: Record<string, unknown>): RowMapping {
  const fields = new Set(Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {}));
  const knowsColumn = (c: string) =>
    c === 'externalId' || c === 'externalKey' || fields.has(c.replace(/^\//, '').split('/')[0]);
  return {
    name: 'canon',
    domain: null,
    knowsColumn,
    async map(row) {
      if (row.object) {
        const o = row.object;
        const isExport = typeof o.data === 'object' && o.data !== null && !Array.isArray(o.data);
        return {
          data: (isExport ? o.data : o) as Data,
          externalId: isExport && typeof o.externalId === 'string' ? o.externalId : null,
          externalKey: isExport && typeof o.externalKey === 'string' ? o.externalKey : null,
          findings: [],
        };
      }
      const data: Data = {};
      const findings: MappingFinding[] = [];
      let externalId: string | null = null;
      let externalKey: string | null = null;
      for (const [column, text] of Object.entries(row.cells ?? {})) {
        if (column === 'externalId') externalId = text.trim() || null;
        else if (column === 'externalKey') externalKey = text.trim() || null;
        else if (knowsColumn(column)) {
          const pointer = column.startsWith('/') ? column : `/${column}`;
          const { value, finding } = coerceCell(text, schemaTypeAt(schema, pointer), pointer);
          if (finding) findings.push(finding);
          else if (value !== undefined) setAt(data, pointer, value);
        }
      }
      return { data, externalId, externalKey, findings };
    },
  };
}
