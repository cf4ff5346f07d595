/** A PostgreSQL array literal of texts (null as NULL), for `unnest(?::text[])` batch statements. */
export function toPgArray(values: readonly (string | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
}
