/**
 * The executable schema of a set of published contracts: the hand-written (Pothos) schema extended
 * with the types the contracts define (typed-model → typed-sdl → graphql-js `extendSchema` →
 * typed-resolvers). Pure and synchronous: the same contracts give the same schema, printed the same.
 *
 * Per record domain (event contracts are not records), every published major gets types: the newest
 * major the domain's own name (`Item`, `Supplier`), older ones a suffix (`ItemV1`) with their own
 * queries (`itemV1`, `itemsV1`). A built-in domain whose type is hand-written keeps its fields and
 * gains the contract's others; every other type is generated whole.
 */
import { extendSchema, type GraphQLSchema, isObjectType, parse, print, printSchema } from 'graphql';
import semver from 'semver';
import { isEventContract } from '../../contracts/contract-ids.ts';
import { DOMAIN_TYPES } from '../record.graphql.ts';
import { rulesFor } from '../rules-registry.ts';
import { type ContractSource, type DomainModel, domainModel, typeNameOf } from './typed-model.ts';
import { attachResolvers } from './typed-resolvers.ts';
import { type ModelNames, modelSdl, rootNamesOf } from './typed-sdl.ts';

/** A published version of a contract, as the schema builder needs it. */
export interface PublishedContract extends ContractSource {
  /** The document's `$id` (cross-contract references resolve through it). */
  id: string;
}

export interface TypedSchema {
  schema: GraphQLSchema;
  /** The models it was built from (docs, diagnostics). */
  models: ModelNames[];
  /** What each published contract gave, e.g. `item@1.1.0 → Item (+hsCode)`. */
  summary: string[];
  /** Domains left out because their types could not be built, with why. */
  failed?: { domain: string; reason: string }[];
}

const recordFieldsCache = new WeakMap<GraphQLSchema, string>();

/** The fields of GenericRecord as SDL: every generated record type starts with them. */
function recordFieldsSdl(base: GraphQLSchema): string {
  let sdl = recordFieldsCache.get(base);
  if (!sdl) {
    const doc = parse(printSchema(base));
    const generic = doc.definitions.find(
      (d) => d.kind === 'ObjectTypeDefinition' && d.name.value === 'GenericRecord',
    );
    if (generic?.kind !== 'ObjectTypeDefinition') throw new Error('GenericRecord is missing');
    sdl = (generic.fields ?? []).map((f) => `  ${print(f).replace(/\n/g, '\n  ')}\n`).join('');
    recordFieldsCache.set(base, sdl);
  }
  return sdl;
}

const versionOf = (c: PublishedContract) => c.version.slice(c.version.lastIndexOf('@') + 1);

/** The newest version of each live major of each record domain, newest major first per domain. */
function majorsByDomain(contracts: PublishedContract[]): Map<string, PublishedContract[]> {
  const byDomain = new Map<string, PublishedContract[]>();
  for (const c of contracts) {
    if (isEventContract(c.domain)) continue;
    const list = byDomain.get(c.domain) ?? [];
    list.push(c);
    byDomain.set(c.domain, list);
  }
  for (const [domain, list] of byDomain) {
    list.sort((a, b) => semver.rcompare(versionOf(a), versionOf(b)));
    byDomain.set(
      domain,
      list.filter((c, i) => i === 0 || c.major !== list[i - 1].major),
    );
  }
  return byDomain;
}

/** The names a generated record type brings along: it is renamed when any is taken. */
const namesOfRecordType = (t: string) => [
  t,
  `${t}Connection`,
  `${t}Edge`,
  `${t}Result`,
  `Propose${t}ChangeInput`,
  `Propose${t}ChangePayload`,
  `Propose${t}ChangeResult`,
];

/**
 * Builds the schema of these published contracts over the hand-written `base`. A domain whose types
 * cannot be built (the generator met something it cannot map) is left out and named in `failed`:
 * one contract never takes the others' types down.
 */
export function buildTypedSchema(base: GraphQLSchema, contracts: PublishedContract[]): TypedSchema {
  const documents = new Map(contracts.map((c) => [c.id, c.schema]));
  try {
    return buildOnce(base, contracts, documents);
  } catch (error) {
    const domains = [...new Set(contracts.map((c) => c.domain))];
    const failed: { domain: string; reason: string }[] = [];
    for (const domain of domains) {
      try {
        buildOnce(
          base,
          contracts.filter((c) => c.domain === domain),
          documents,
        );
      } catch (alone) {
        failed.push({ domain, reason: alone instanceof Error ? alone.message : String(alone) });
      }
    }
    if (failed.length === 0) throw error;
    const left = new Set(failed.map((f) => f.domain));
    return {
      ...buildOnce(
        base,
        contracts.filter((c) => !left.has(c.domain)),
        documents,
      ),
      failed,
    };
  }
}

function buildOnce(
  base: GraphQLSchema,
  contracts: PublishedContract[],
  documents: Map<string, Record<string, unknown>>,
): TypedSchema {
  const taken = new Set(Object.keys(base.getTypeMap()));
  const rootFields = new Set([
    ...Object.keys(base.getQueryType()!.getFields()),
    ...Object.keys(base.getMutationType()!.getFields()),
  ]);
  const newestTypes = new Map<string, string>();
  const plan: { source: PublishedContract; newest: boolean; typeName: string; handWritten: boolean }[] = [];
  for (const [domain, majors] of [...majorsByDomain(contracts)].sort(([a], [b]) => a.localeCompare(b))) {
    majors.forEach((source, i) => {
      const newest = i === 0;
      const handWritten = newest && DOMAIN_TYPES[domain] !== undefined;
      const plain = handWritten ? DOMAIN_TYPES[domain] : typeNameOf(domain, source.major, newest);
      let typeName = plain;
      // a domain named like one of Canon's own types (`system`, `contract`), or whose names another
      // domain's types took (`supplier-connection` beside `supplier`), gets a suffix
      for (let n = 1; !handWritten && namesOfRecordType(typeName).some((t) => taken.has(t)); n++)
        typeName = `${plain}Record${n > 1 ? n : ''}`;
      if (!handWritten) for (const t of namesOfRecordType(typeName)) taken.add(t);
      if (newest) newestTypes.set(domain, typeName);
      plan.push({ source, newest, typeName, handWritten });
    });
  }
  const models: ModelNames[] = [];
  for (const { source, newest, typeName, handWritten } of plan) {
    const rules = rulesFor(source.domain, source.schema);
    const existing = handWritten ? base.getType(typeName) : base.getType('GenericRecord');
    const reserved = new Set(isObjectType(existing) ? Object.keys(existing.getFields()) : []);
    const model: DomainModel = {
      ...domainModel(source, {
        documents,
        taken,
        reservedFields: reserved,
        newest,
        keyFields: rules.keyFields,
      }),
      typeName,
    };
    model.root.name = typeName;
    // a domain named like one of Canon's queries (`system`) is queried by its type's name instead
    const byDomain = rootNamesOf(model);
    const roots =
      rootFields.has(byDomain.list) || rootFields.has(byDomain.lookup)
        ? rootNamesOf(
            { ...model, domain: typeName.replace(/V\d+$/, '') },
            model.newest ? '' : `V${model.major}`,
          )
        : byDomain;
    /** Whether a generated root field may take the name (and takes it). */
    const free = (name: string) => {
      if (handWritten || rootFields.has(name)) return false;
      rootFields.add(name);
      return true;
    };
    const names: ModelNames = {
      model,
      generated: !handWritten,
      list: free(roots.list) ? roots.list : undefined,
      lookup: free(roots.lookup) ? roots.lookup : undefined,
      // a contract without a property GraphQL can name has no typed payload to propose
      propose: model.root.fields.length > 0 && free(roots.propose) ? roots.propose : undefined,
      inputs: new Map(),
      lookupBy:
        rules.keyFields.length === 1 && rules.keyFields[0] === '/code' && !rules.siteScoped ? 'code' : 'key',
      siteScoped: rules.siteScoped,
    };
    if (names.propose)
      for (const o of [model.root, ...model.objects]) {
        let input = `${o.name}Input`;
        for (let n = 2; taken.has(input); n++) input = `${o.name}Input${n}`;
        taken.add(input);
        names.inputs.set(o.name, input);
      }
    models.push(names);
  }
  const ctx = {
    typeOfDomain: (domain: string) => newestTypes.get(domain) ?? DOMAIN_TYPES[domain] ?? 'GoldenRecord',
    recordFieldsSdl: recordFieldsSdl(base),
  };
  const sdl = models.map((m) => modelSdl(m, ctx)).filter((s) => s.trim().length > 0);
  const schema = sdl.length > 0 ? extendSchema(base, parse(sdl.join('\n')), { assumeValidSDL: false }) : base;
  if (schema !== base) attachResolvers(schema, base, models);
  return {
    schema,
    models,
    summary: models.map(
      (m) =>
        `${m.model.version} → ${m.model.typeName}${m.generated ? '' : ` (+${m.model.root.fields.map((f) => f.name).join(', ') || 'nothing'})`}`,
    ),
  };
}
