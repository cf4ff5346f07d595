/**
 * Enumeration values a new schema no longer accepts, at the data pointers where records hold them:
 * walks `properties` (nested objects too) of the old and the new schema side by side. Pure.
 */
type Schema = Record<string, unknown>;

export interface EnumRemoval {
  /** JSON pointer into the record's data (`/tracking`). */
  pointer: string;
  values: string[];
}

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);
const pointerToken = (token: string) => token.replaceAll('~', '~0').replaceAll('/', '~1');

export function enumRemovals(before: unknown, after: unknown, pointer = ''): EnumRemoval[] {
  if (!isObject(before) || !isObject(after)) return [];
  const out: EnumRemoval[] = [];
  if (Array.isArray(before.enum) && Array.isArray(after.enum)) {
    const kept = new Set(after.enum.map((v) => JSON.stringify(v)));
    const removed = before.enum
      .filter((v) => !kept.has(JSON.stringify(v)))
      .map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    if (removed.length > 0) out.push({ pointer, values: removed });
  }
  const oldProps = isObject(before.properties) ? before.properties : {};
  const newProps = isObject(after.properties) ? after.properties : {};
  for (const [name, sub] of Object.entries(oldProps))
    if (name in newProps) out.push(...enumRemovals(sub, newProps[name], `${pointer}/${pointerToken(name)}`));
  return out;
}
