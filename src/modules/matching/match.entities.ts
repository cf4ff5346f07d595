import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../db/ids.ts';

export const MATCH_RULE_KINDS = ['EXACT', 'FUZZY'] as const;
export type MatchRuleKind = (typeof MATCH_RULE_KINDS)[number];

/**
 * A duplicate-detection rule of a domain. EXACT: every field in `fields` is present on both records
 * and equal (after normalisation: letters and digits only, case-folded, when `normalise`). FUZZY: the
 * text at `fields[0]` is similar (pg_trgm similarity ≥ minSimilarity), every `agree` field is equal
 * where both records have it, and with `numbersAgree` the numbers in the two texts are the same.
 * A pair's score is `score` (EXACT) or similarity × `score` (FUZZY); suggested from `suggestAt`, a
 * merge proposed by itself from `autoMergeAt`.
 */
export const MatchRuleEntity = defineEntity({
  name: 'MatchRule',
  tableName: 'match_rule',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    domain: p.string().length(100),
    name: p.string().length(100),
    kind: p.enum(MATCH_RULE_KINDS),
    fields: p.json<string[]>(),
    agree: p.json<string[]>(),
    normalise: p.boolean().default(true),
    minSimilarity: p.double().runtimeType('number').$type<number>().nullable(),
    numbersAgree: p.boolean().default(false),
    score: p.double().runtimeType('number').$type<number>(),
    suggestAt: p.double().runtimeType('number').$type<number>(),
    autoMergeAt: p.double().runtimeType('number').$type<number>().nullable(),
    active: p.boolean().default(true),
    description: p.string().length(500).nullable(),
    updatedAt: p.datetime().onCreate(() => new Date()),
    updatedBy: p.uuid().nullable(),
    lockVersion: p.integer().version(),
  },
  uniques: [{ name: 'match_rule_domain_name', properties: ['domain', 'name'] }],
});
export class MatchRule extends MatchRuleEntity.class {}
MatchRuleEntity.setClass(MatchRule);

export const CANDIDATE_STATUSES = ['OPEN', 'NOT_DUPLICATE', 'MERGED'] as const;
export type CandidateStatus = (typeof CANDIDATE_STATUSES)[number];

/** Why a pair matched: one rule, its score and the fields compared. */
export interface MatchReason {
  rule: string;
  kind: MatchRuleKind;
  score: number;
  fields: { path: string; left: unknown; right: unknown }[];
  message: string;
}

/**
 * A pair of live records that may be duplicates (recordA < recordB, one row per pair and domain). A
 * steward merges them or marks them NOT_DUPLICATE — remembered: the pair is never suggested again.
 */
export const MatchCandidateEntity = defineEntity({
  name: 'MatchCandidate',
  tableName: 'match_candidate',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    domain: p.string().length(100),
    recordA: p.uuid(),
    recordB: p.uuid(),
    score: p.double().runtimeType('number').$type<number>(),
    rule: p.string().length(100),
    reasons: p.json<MatchReason[]>(),
    status: p.enum(CANDIDATE_STATUSES).default('OPEN'),
    /** PROPOSAL (found when a proposal arrived) or JOB (a match over the domain). */
    foundBy: p.string().length(20),
    foundAt: p.datetime().onCreate(() => new Date()),
    decidedAt: p.datetime().nullable(),
    decidedBy: p.uuid().nullable(),
    note: p.text().nullable(),
    lockVersion: p.integer().version(),
  },
  uniques: [{ name: 'match_candidate_pair', properties: ['domain', 'recordA', 'recordB'] }],
  indexes: [
    // the stewards' queue: a domain's open pairs, best first
    { name: 'match_candidate_queue', properties: ['domain', 'status', 'score', 'id'] },
    { name: 'match_candidate_record_b', properties: ['recordB'] },
  ],
});
export class MatchCandidate extends MatchCandidateEntity.class {}
MatchCandidateEntity.setClass(MatchCandidate);

export const MATCH_JOB_STATUSES = ['RUNNING', 'COMPLETED', 'FAILED'] as const;

/** A match over a whole domain, run in the background; its progress is readable while it runs. */
export const MatchJobEntity = defineEntity({
  name: 'MatchJob',
  tableName: 'match_job',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    domain: p.string().length(100).index(),
    status: p.enum(MATCH_JOB_STATUSES).default('RUNNING'),
    /** READING, EXACT, FUZZY, STORING, DONE. */
    phase: p.string().length(20),
    records: p.integer().default(0),
    comparisons: p.integer().default(0),
    compared: p.integer().default(0),
    found: p.integer().default(0),
    autoMerges: p.integer().default(0),
    error: p.text().nullable(),
    /** The newest record write of the domain and its rules (a digest) when it started: a start with nothing changed answers this job. */
    recordsAsOf: p.datetime().nullable(),
    rulesSignature: p.string().length(64).nullable(),
    startedBy: p.uuid().nullable(),
    startedAt: p.datetime().onCreate(() => new Date()),
    finishedAt: p.datetime().nullable(),
  },
});
export class MatchJob extends MatchJobEntity.class {}
MatchJobEntity.setClass(MatchJob);
