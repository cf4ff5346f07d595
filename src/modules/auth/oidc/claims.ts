/** Reading a verified JWT's claims: nested paths, and groups given as a list or a space-separated string. */
import type { JWTPayload } from 'jose';

export function claimAt(payload: JWTPayload, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

export function groupsIn(payload: JWTPayload, path: string): string[] {
  const value = claimAt(payload, path);
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return [];
}

/** A printable name of at most 200 characters (the actor name's column). */
export function displayName(payload: JWTPayload, nameClaim: string): string {
  for (const candidate of [claimAt(payload, nameClaim), payload.email, payload.sub]) {
    if (typeof candidate === 'string' && candidate.trim()) return candidate.trim().slice(0, 200);
  }
  return 'unnamed';
}
