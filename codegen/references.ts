/**
 * References between contract versions: which contract versions a schema names in its `$ref`s
 * (`urn:canon:contract:<name>:<version>[#…]`), and one transitive walk over them. The registry (to
 * check and resolve references, with its own validation of what a reference may name) and the
 * package generator (to bundle what a package's types need) both walk with `walkReferences`.
 */

export interface ContractRef {
  name: string;
  version: string;
  /** `urn:canon:contract:<name>:<version>` (no fragment). */
  uri: string;
}

const CONTRACT_URI = /^urn:canon:contract:([a-z][a-z0-9-]*):(\d+\.\d+\.\d+)$/;
/** Keywords whose values are data, not schemas: a `$ref` key inside them is not a reference. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'examples', 'default']);

/** The contract versions a schema's `$ref`s name, each once, in document order. */
export function contractRefsIn(schema: unknown): ContractRef[] {
  const found = new Map<string, ContractRef>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const x of node) walk(x);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string') {
          const uri = v.split('#')[0];
          const m = CONTRACT_URI.exec(uri);
          if (m && !found.has(uri)) found.set(uri, { name: m[1], version: m[2], uri });
        } else if (!DATA_KEYWORDS.has(k)) walk(v);
      }
    }
  };
  walk(schema);
  return [...found.values()];
}

/**
 * Every contract version reachable from `roots`, breadth first, each loaded once: `load` finds one
 * (undefined: not there — the caller decides whether that is an error by throwing), `refsOf` names
 * what a loaded one references in turn. Answers them by URI, in the order they were first reached.
 */
export async function walkReferences<T>(
  roots: ContractRef[],
  load: (ref: ContractRef) => T | undefined | Promise<T | undefined>,
  refsOf: (loaded: T) => ContractRef[],
): Promise<Map<string, T>> {
  const loaded = new Map<string, T>();
  const seen = new Set<string>();
  let pending = roots;
  while (pending.length > 0) {
    const next: ContractRef[] = [];
    for (const ref of pending) {
      if (seen.has(ref.uri)) continue;
      seen.add(ref.uri);
      const found = await load(ref);
      if (found === undefined) continue;
      loaded.set(ref.uri, found);
      next.push(...refsOf(found));
    }
    pending = next;
  }
  return loaded;
}
