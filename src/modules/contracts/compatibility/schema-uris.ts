/** URI and JSON pointer arithmetic for `$ref` resolution (RFC 3986 references, RFC 6901 pointers). */

export function stripFragment(uri: string): string {
  const i = uri.indexOf('#');
  return i >= 0 ? uri.slice(0, i) : uri;
}

/** Resolves a reference against a base URI; works for URNs too (fragment-only refs). */
export function resolveUri(ref: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) return ref;
  if (ref.startsWith('#')) return `${stripFragment(base)}${ref}`;
  try {
    return new URL(ref, base).toString();
  } catch {
    return ref;
  }
}

/** Decodes one JSON pointer segment (RFC 6901). */
export function unescapePointer(segment: string): string {
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // not %-encoding after all (`#/%ZZ`): the segment names itself, and resolves to nothing
  }
  return decoded.replace(/~1/g, '/').replace(/~0/g, '~');
}
