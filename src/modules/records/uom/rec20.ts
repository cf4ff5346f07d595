/** The current UN/ECE Recommendation 20 common codes (data/unece-rec20-units.csv). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

let codes: Map<string, { name: string; status: string }> | undefined;

function load(): Map<string, { name: string; status: string }> {
  const text = readFileSync(resolve(import.meta.dirname, 'data/unece-rec20-units.csv'), 'utf8');
  const map = new Map<string, { name: string; status: string }>();
  for (const line of text.split('\n').slice(1)) {
    // Status,CommonCode,Name,…: the first three fields hold no quoted commas
    const m = /^([^,]*),([^,]+),("[^"]*"|[^,]*)/.exec(line);
    if (m) map.set(m[2].trim(), { name: m[3].replace(/^"|"$/g, ''), status: m[1].trim() });
  }
  return map;
}

/** `undefined` when the code is current; otherwise why it is not acceptable. */
export function rec20Problem(code: string): string | undefined {
  codes ??= load();
  const entry = codes.get(code);
  if (!entry) return `"${code}" is not a UN/ECE Recommendation 20 common code.`;
  if (entry.status === 'X') return `"${code}" (${entry.name}) was deleted from Recommendation 20.`;
  if (entry.status === 'D') return `"${code}" (${entry.name}) is deprecated in Recommendation 20.`;
  return undefined;
}
