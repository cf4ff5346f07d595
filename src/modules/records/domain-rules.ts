/**
 * The rules of a master-data domain beyond what its JSON Schema can say: its business key, what it
 * references, and checks against other records (DESIGN §6). One implementation per domain.
 */
import type { Em } from '../../db/orm.ts';
import type { ErrorCode } from '../../errors.ts';

export type Data = Record<string, unknown>;

export interface Finding {
  code: ErrorCode;
  /** The domain rule that found it (rule-severities.ts lists them): what a severity is set on. */
  rule?: string;
  /** JSON pointer into the payload. */
  path: string;
  message: string;
}

export interface ReferenceSpec {
  /** JSON pointer of the referencing field. */
  field: string;
  domain: string;
  key: string;
  /** Site the key is unique within, for site-scoped domains. */
  scope?: string;
}

export interface LiveRecord {
  id: string;
  key: string;
  data: Data;
}

export interface RuleContext {
  em: Em;
  /** The ACTIVE record of a domain with a key (within a key scope), as of now. */
  findLive(domain: string, key: string, scope?: string): Promise<LiveRecord | null>;
  /**
   * ACTIVE records of a domain whose payload contains `match` (jsonb containment) — or any of several
   * matches, in one statement (a level of a structure) — excluding one id. At most 20 per match.
   */
  findLiveMatching(
    domain: string,
    match: Data | readonly Data[],
    excludeId?: string | null,
  ): Promise<LiveRecord[]>;
  /**
   * The live record (other than `excludeId`) that had this key before a rekey, whose old key stays
   * reserved; absent: looked up in the database each time.
   */
  reservedAlias?(
    domain: string,
    key: string,
    scope: string,
    excludeId: string | null,
  ): Promise<{ currentKey: string } | null>;
}

export interface DomainRules {
  domain: string;
  /** Keys unique per site (true) or per domain (false). */
  siteScoped: boolean;
  keyOf(data: Data): string;
  /** JSON pointers of the payload fields the business key is made of. */
  keyFields: string[];
  siteOf(data: Data): string | null;
  references(data: Data): ReferenceSpec[];
  /**
   * Set when the rules read a structure across records (BOM cycles, effectivity): writes of the
   * domains naming the same structure are serialised (structure-lock.ts).
   */
  structureLock?: string;
  /** Findings that block the change; `previous` is the current payload for updates. */
  check(ctx: RuleContext, data: Data, previous: Data | null, recordId: string | null): Promise<Finding[]>;
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A reference when the payload holds a key there (a string), none otherwise. */
export const referenceTo = (field: string, domain: string, key: unknown): ReferenceSpec[] =>
  typeof key === 'string' ? [{ field, domain, key }] : [];

/** The key of a domain keyed by a global `code`, with an optional `site`. */
export const globalCodeKey = {
  siteScoped: false,
  keyFields: ['/code'],
  keyOf: (d: Data) => String(d.code),
  siteOf: (d: Data) => str(d.site) ?? null,
} as const;
