/**
 * Reading a contract's JSON Schema for display: the node at a JSON pointer of a payload (through
 * local $refs), and the label, description and unit hints a steward reads instead of pointers.
 */
export type JsonSchema = {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  title?: string;
  description?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  default?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  format?: string;
  [k: string]: unknown;
};

const unescapePointer = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

/** Follows a local `#/...` reference; other documents' references stay as they are (shown as text). */
export function deref(root: JsonSchema, node: JsonSchema | undefined, depth = 0): JsonSchema | undefined {
  if (!node?.$ref?.startsWith('#') || depth > 20) return node;
  const target = node.$ref
    .slice(2)
    .split('/')
    .filter(Boolean)
    .map(unescapePointer)
    .reduce<unknown>((n, part) => (n as Record<string, unknown> | undefined)?.[part], root) as JsonSchema;
  const { $ref: _ref, ...rest } = node;
  return deref(root, { ...target, ...rest }, depth + 1);
}

export function schemaAt(root: JsonSchema | null | undefined, pointer: string): JsonSchema | undefined {
  if (!root) return undefined;
  let node: JsonSchema | undefined = deref(root, root);
  for (const part of pointer.split('/').slice(1).map(unescapePointer)) {
    if (!node) return undefined;
    node = /^\d+$/.test(part) && node.items ? deref(root, node.items) : deref(root, node.properties?.[part]);
  }
  return node;
}

export const humanize = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_]/g, ' ')
    .replace(/^./, (c) => c.toUpperCase());

/** The label of a payload field: the schema's title, else its name made readable. */
export function labelAt(root: JsonSchema | null | undefined, pointer: string): string {
  const parts = pointer.split('/').slice(1).map(unescapePointer);
  const parent = schemaAt(root, `/${pointer.split('/').slice(1, -1).join('/')}`.replace(/\/$/, ''));
  const own = parent?.properties?.[parts.at(-1) ?? '']?.title ?? humanize(parts.at(-1) ?? '');
  return parts.length > 1 ? `${parts.slice(0, -1).map(humanize).join(' › ')} › ${own}` : own;
}

/** Names of other contracts a schema references (`urn:canon:contract:{name}:{version}`). */
export function contractRefs(schema: unknown): { name: string; version: string }[] {
  const found = new Map<string, { name: string; version: string }>();
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string') {
          const m = /^urn:canon:contract:([a-z0-9-]+):([^#]+)/.exec(v);
          if (m) found.set(`${m[1]}@${m[2]}`, { name: m[1], version: m[2] });
        } else walk(v);
      }
    }
  };
  walk(schema);
  return [...found.values()];
}
