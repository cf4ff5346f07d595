/**
 * Confluent schema references (`references: [{ name, subject, version }]`, the `name` being what the
 * schema's `$ref`s say) and Canon's cross-contract `$ref`s (`urn:canon:contract:<name>:<version>`):
 * on the way in each `$ref` to a reference's name is rewritten to the contract version's URN; on the
 * way out a stored schema's URNs are listed as references again.
 */
import type { CallContext } from '../auth/actor-context.ts';
import { contractUri } from '../contracts/contract-ids.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import { referencedContracts } from '../contracts/schema-checks.ts';
import { invalidSchema } from './ccompat-errors.ts';
import { knownContractOf } from './subject-names.ts';

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

const DATA_KEYWORDS = new Set(['enum', 'const', 'examples', 'default']);

function parseReferences(raw: unknown): SchemaReference[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidSchema('references must be an array of { name, subject, version }.');
  return raw.map((r, i) => {
    const ok =
      typeof r === 'object' &&
      r !== null &&
      typeof r.name === 'string' &&
      r.name !== '' &&
      typeof r.subject === 'string' &&
      Number.isInteger(r.version);
    if (!ok)
      throw invalidSchema(`references[${i}] must be { name: string, subject: string, version: integer }.`);
    return { name: r.name, subject: r.subject, version: r.version };
  });
}

/** The document with every `$ref` to a reference's name pointing at that contract version's URN. */
export async function resolveReferences(
  ctx: CallContext,
  contracts: ContractsService,
  schema: unknown,
  rawReferences: unknown,
): Promise<unknown> {
  const references = parseReferences(rawReferences);
  if (references.length === 0) return schema;
  const targets = new Map<string, string>();
  for (const ref of references) {
    const contract = knownContractOf(ref.subject);
    const versions = contract ? await contracts.registry.versions(ctx, contract, true) : [];
    const found = ref.version === -1 ? versions.at(-1) : versions.find((v) => v.sequence === ref.version);
    if (!found)
      throw invalidSchema(
        `The reference "${ref.name}" names subject '${ref.subject}' version ${ref.version}, which is not registered.`,
      );
    targets.set(ref.name, contractUri(found.contract, found.version));
  }
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') {
        const hash = v.indexOf('#');
        const base = hash >= 0 ? v.slice(0, hash) : v;
        const target = targets.get(base);
        out[k] = target ? `${target}${hash >= 0 ? v.slice(hash) : ''}` : v;
      } else out[k] = DATA_KEYWORDS.has(k) ? v : rewrite(v);
    }
    return out;
  };
  return rewrite(schema);
}

/** The references a stored schema makes, as Confluent lists them (name = the `$ref` URN). */
export async function referencesOf(
  ctx: CallContext,
  contracts: ContractsService,
  schema: Record<string, unknown>,
): Promise<SchemaReference[]> {
  const out: SchemaReference[] = [];
  for (const ref of referencedContracts(schema, 'schema')) {
    const version = (await contracts.registry.versions(ctx, ref.name, true)).find(
      (v) => v.version === ref.version,
    );
    if (version) out.push({ name: ref.uri, subject: ref.name, version: version.sequence });
  }
  return out;
}
