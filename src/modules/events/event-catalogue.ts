/**
 * Canon's change events as the landscape sees them on the message broker: each outbox event type has
 * a dotted name (`record.changed`), a contract describing its message (`event.record.changed`, in
 * contracts/ and published at start like the domain contracts) and a subject
 * `<prefix>.<domain>.<name>`, so a consumer filters with NATS wildcards: `canon.item.>` (everything
 * about items), `canon.*.record.changed` (every record change), `canon.*.xref.>` (every xref event).
 */
import semver from 'semver';
import { EVENT_CONTRACT_PREFIX } from '../contracts/contract-ids.ts';
import { BUILT_IN_CONTRACTS_DIR, readContractsFolder } from '../contracts/contracts-folder.ts';
import { OUTBOX_EVENT_TYPES, type OutboxEventType } from './outbox.service.ts';

export interface EventKind {
  type: OutboxEventType;
  /** `record.changed`: the subject's last tokens and the contract's name after `event.`. */
  name: string;
  summary: string;
}

const SUMMARIES: Record<OutboxEventType, string> = {
  RECORD_CHANGED: 'A golden record got a new revision (created, updated, retired, restored).',
  RECORD_REKEYED: "A golden record's business key changed; references and xrefs followed.",
  RECORD_MERGED:
    'A golden record was merged into another (the survivor): references and xrefs moved to the survivor.',
  RECORD_UNMERGED:
    'A merge was undone: the merged record is live again with the references and xrefs the merge moved.',
  RECORD_EFFECTIVE: 'A revision scheduled for a later valid time became current.',
  RECORD_QUARANTINED:
    'A blocking exception holds a golden record back: connectors that hold quarantined records skip it until released.',
  RECORD_RELEASED:
    'A quarantined golden record goes through again (its blocking exceptions resolved, or a steward released it).',
  XREF_LINKED: "A system's id was linked to a golden record.",
  XREF_UNLINKED: "A system's id no longer points to a golden record.",
  XREF_REPOINTED: "A system's id now points to another golden record (a merge or an unmerge moved it).",
  CHANGE_REQUEST_PROPOSED: 'A proposal is waiting for stewards.',
  CHANGE_REQUEST_DECIDED: 'A proposal was approved, rejected, withdrawn or found in conflict.',
  BULK_CHANGE_PROPOSED: 'An import in propose mode left a batch of rows for stewards.',
  IMPORT_PROGRESS: 'An import committed a batch, or ended.',
  CONTRACT_VERSION_PUBLISHED: 'A contract version was published.',
  CONTRACT_VERSION_DEPRECATED: 'A contract version was deprecated.',
  CONTRACT_VERSION_RETIRED: 'A contract version was retired.',
  CONTRACT_IMPACT_PENDING: "A breaking contract version waits for its consumers' owners to acknowledge it.",
  CONTRACT_IMPACT_ACKNOWLEDGED:
    "A consumer's owner acknowledged a breaking contract version (or an admin overrode the wait).",
};

/** `RECORD_CHANGED` → `record.changed`, `CHANGE_REQUEST_PROPOSED` → `change-request.proposed`. */
function nameOf(type: OutboxEventType): string {
  const words = type.toLowerCase().split('_');
  const action = words.pop()!;
  // the entity's words are one kebab-case token, except contract.version.*
  if (words[0] === 'contract') return `contract.${words.slice(1).join('-')}.${action}`;
  return `${words.join('-')}.${action}`;
}

export const EVENT_KINDS: readonly EventKind[] = OUTBOX_EVENT_TYPES.map((type) => ({
  type,
  name: nameOf(type),
  summary: SUMMARIES[type],
}));

const byType = new Map(EVENT_KINDS.map((k) => [k.type, k]));

export function eventKindOf(type: string): EventKind {
  const kind = byType.get(type as OutboxEventType);
  if (!kind) throw new Error(`unknown outbox event type ${type}`);
  return kind;
}

/** The contract of an event type's message: `event.record.changed`. */
export const eventContractOf = (type: string): string => `${EVENT_CONTRACT_PREFIX}${eventKindOf(type).name}`;

/**
 * A subject token for a domain: NATS tokens are separated by dots, so a dotted contract name (a
 * namespaced custom domain, or an event contract's own publication) has its dots replaced by `_`.
 */
export const subjectToken = (domain: string | null): string => (domain ? domain.replaceAll('.', '_') : '_');

export const subjectOf = (prefix: string, type: string, domain: string | null): string =>
  `${prefix}.${subjectToken(domain)}.${eventKindOf(type).name}`;

let latest: Map<string, string> | undefined;

/** The newest version of each event contract shipped in contracts/ (what Canon publishes at start). */
export function eventContractVersions(): Map<string, string> {
  if (!latest) {
    latest = new Map();
    for (const doc of readContractsFolder(BUILT_IN_CONTRACTS_DIR)) {
      if (!doc.contract.startsWith(EVENT_CONTRACT_PREFIX)) continue;
      const seen = latest.get(doc.contract);
      if (!seen || semver.gt(doc.version, seen)) latest.set(doc.contract, doc.version);
    }
  }
  return latest;
}

/** `event.record.changed@1.0.0`: the contract version the message of an event type conforms to. */
export function eventContractVersionOf(type: string): { contract: string; version: string } {
  const contract = eventContractOf(type);
  const version = eventContractVersions().get(contract);
  if (!version) throw new Error(`contracts/ has no ${contract} contract`);
  return { contract, version };
}
