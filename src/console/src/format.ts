/** How values read for a steward: units beside quantities, dates in the local zone, ages in words. */

const isMeasure = (v: unknown): v is { quantity: string; uom: string } =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  typeof (v as { quantity?: unknown }).quantity === 'string' &&
  typeof (v as { uom?: unknown }).uom === 'string';

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (isMeasure(value)) return `${value.quantity} ${value.uom}`;
  if (Array.isArray(value))
    return value.every((v) => typeof v !== 'object') ? value.join(' / ') : JSON.stringify(value);
  if (typeof value === 'object')
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${formatValue(v)}`)
      .join(', ');
  return String(value);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function age(iso: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.round((now - new Date(iso).getTime()) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} d`;
}

/** A record's display name: its name, else its key. */
export function recordLabel(data: unknown, key?: string | null): string {
  const d = (data ?? {}) as { name?: unknown; code?: unknown; number?: unknown };
  const name = typeof d.name === 'string' ? d.name : null;
  const id = key ?? (typeof d.code === 'string' ? d.code : typeof d.number === 'string' ? d.number : null);
  return [id, name].filter(Boolean).join(' — ') || '(new record)';
}
