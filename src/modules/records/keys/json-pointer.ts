/** Reading and replacing one value of a JSON payload by its JSON pointer (RFC 6901). */

const tokens = (pointer: string): string[] =>
  pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));

export function getPointer(data: unknown, pointer: string): unknown {
  let at: unknown = data;
  for (const t of tokens(pointer)) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[t];
  }
  return at;
}

/** A copy of `data` with the value at `pointer` replaced; `data` itself is left as it was. */
export function withPointer<T>(data: T, pointer: string, value: unknown): T {
  const copy = structuredClone(data);
  const path = tokens(pointer);
  let at = copy as unknown as Record<string, unknown>;
  for (const t of path.slice(0, -1)) at = at[t] as Record<string, unknown>;
  at[path[path.length - 1]] = value;
  return copy;
}
