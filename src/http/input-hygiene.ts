/**
 * JSON a GraphQL request may not carry, refused before any resolver or SQL sees it (for yoga and the
 * compiled lane alike): NUL characters (PostgreSQL text cannot hold them), lone UTF-16 surrogates
 * (not Unicode: jsonb refuses them), numbers too large for a double (JSON.parse makes them Infinity)
 * and nesting deeper than any payload needs (a stack hazard for every recursive walk after). One
 * linear scan of the body; only a body that fails it is parsed again to name the offending path.
 */

export const MAX_JSON_DEPTH = 64;

export interface HygieneProblem {
  /** Where: `variables.input.data.name`, or `query`. */
  path: string;
  message: string;
}

/** The first problem in a request body, or null. Cheap on clean bodies: no parse, no allocation. */
export function checkRequestBody(body: string): HygieneProblem | null {
  let depth = 0;
  let inString = false;
  let suspect = false;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) {
        if (body.charCodeAt(i + 1) === 0x75 /* u */) {
          const hex = body.slice(i + 2, i + 6).toLowerCase();
          if (hex === '0000' || (hex >= 'd800' && hex <= 'dfff')) suspect = true;
          i += 5;
        } else i++;
      } else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH + 2) suspect = true; // the request envelope adds two levels
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if ((c === 0x65 || c === 0x45) /* e, E */ && /[0-9.]/.test(body[i - 1] ?? '')) suspect = true;
    else if (c >= 0x30 && c <= 0x39) {
      // a run of digits longer than a double's range
      let j = i;
      while (j < body.length && body.charCodeAt(j) >= 0x30 && body.charCodeAt(j) <= 0x39) j++;
      if (j - i > 300) suspect = true;
      i = j - 1;
    }
    if (suspect) break;
  }
  if (!suspect) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null; // not JSON: the GraphQL server answers that itself
  }
  return findProblem(parsed, '', 0);
}

function isLoneSurrogateAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = s.charCodeAt(i + 1);
    return !(next >= 0xdc00 && next <= 0xdfff);
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const prev = s.charCodeAt(i - 1);
    return !(prev >= 0xd800 && prev <= 0xdbff);
  }
  return false;
}

/** What is wrong with a string for Canon, or null. */
export function stringProblem(s: string): string | null {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) === 0) return 'holds a NUL character';
    if (isLoneSurrogateAt(s, i)) return 'holds a lone UTF-16 surrogate (not Unicode text)';
  }
  return null;
}

function findProblem(value: unknown, path: string, depth: number): HygieneProblem | null {
  const at = path || 'the request';
  if (depth > MAX_JSON_DEPTH + 1)
    return { path: at, message: `${at} is nested deeper than ${MAX_JSON_DEPTH} levels.` };
  if (typeof value === 'string') {
    const problem = stringProblem(value);
    return problem ? { path: at, message: `${at} ${problem}.` } : null;
  }
  if (typeof value === 'number' && !Number.isFinite(value))
    return { path: at, message: `${at} is a number too large to represent.` };
  if (value && typeof value === 'object') {
    for (const [k, v] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
      const keyProblem = typeof k === 'string' ? stringProblem(k) : null;
      const child = path ? `${path}.${k}` : String(k);
      if (keyProblem) return { path: child, message: `A key of ${at} ${keyProblem}.` };
      const found = findProblem(v, child, depth + 1);
      if (found) return found;
    }
  }
  return null;
}
