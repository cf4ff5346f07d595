/** The shapes of cross-references and the checks and conversions the link and read paths share. */
import { CanonError } from '../../errors.ts';

export const MAX_IDS_PER_CALL = 1000;

export interface LinkInput {
  externalId: string;
  recordId: string;
  externalKey?: string | null;
}

export interface XrefView {
  system: string;
  domain: string;
  externalId: string;
  externalKey: string | null;
  recordId: string;
  key: string;
  state: string;
  syncedAt: Date;
}

export interface Resolution {
  externalId: string;
  recordId: string | null;
  key: string | null;
  /** Held back: the record is quarantined and the caller asked to hold quarantined records. */
  held?: boolean;
}

export interface KeyResolution {
  externalKey: string;
  externalId: string | null;
  recordId: string | null;
  key: string | null;
  /** The key is carried by live ids of different records: nothing is answered for it. */
  ambiguous: boolean;
}

export interface Translation {
  externalId: string;
  recordId: string | null;
  targetId: string | null;
  targetKey: string | null;
}

export interface LinkResult {
  linked: number;
  unchanged: number;
  xrefs: XrefView[];
}

export function checkIds(ids: readonly string[], field: string): void {
  if (ids.length > MAX_IDS_PER_CALL) {
    throw new CanonError(
      'BAD_USER_INPUT',
      `At most ${MAX_IDS_PER_CALL} ids per call (got ${ids.length}); split the batch.`,
      { path: [field] },
    );
  }
  const bad = ids.findIndex((id) => typeof id !== 'string' || id.length === 0 || id.length > 300);
  if (bad >= 0)
    throw new CanonError('BAD_USER_INPUT', 'An external id is 1-300 characters.', {
      path: [field, String(bad)],
    });
}

export type Row = {
  system_code: string;
  domain: string;
  external_id: string;
  external_key: string | null;
  record_id: string;
  key: string;
  state: string;
  synced_at: Date;
};

export const toView = (r: Row): XrefView => ({
  system: r.system_code,
  domain: r.domain,
  externalId: r.external_id,
  externalKey: r.external_key,
  recordId: r.record_id,
  key: r.key,
  state: r.state,
  syncedAt: new Date(r.synced_at),
});

/** A PostgreSQL text[] literal (values quoted and escaped, null as NULL), passed as one parameter. */
export { toPgArray } from '../../db/pg-array.ts';
