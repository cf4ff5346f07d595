/**
 * The pure rules of propagation, exceptions and contract impact: subscription filters as PostgreSQL's
 * `@>`, a record's state from its newest acknowledgement, the live duplicate key of an exception,
 * payload excerpts, and the enumeration values a new schema drops.
 */
import { describe, expect, it } from 'vitest';
import { enumRemovals } from '../../src/modules/consumers/enum-removals.ts';
import { excerptOf, liveKeyOf } from '../../src/modules/exceptions/exception-intake.ts';
import { containsJson, stateOf } from '../../src/modules/propagation/propagation-reads.ts';

const row = (over: Record<string, unknown>) =>
  ({
    system_code: 'mes',
    record_id: 'r',
    domain: 'item',
    expected_revision: 3,
    applied_revision: null,
    applied_at: null,
    behind_since: null,
    last_status: null,
    last_revision: null,
    last_at: null,
    last_error_code: null,
    last_error_message: null,
    ...over,
  }) as Parameters<typeof stateOf>[0];

describe('containsJson', () => {
  it('matches objects by key and arrays by element, like @>', () => {
    expect(containsJson({ tracking: 'lot', uom: 'KGM' }, { tracking: 'lot' })).toBe(true);
    expect(containsJson({ tracking: 'lot' }, { tracking: 'serial' })).toBe(false);
    expect(containsJson({ tags: ['a', 'b'] }, { tags: ['b'] })).toBe(true);
    expect(containsJson({ tags: ['a'] }, { tags: ['b'] })).toBe(false);
    expect(containsJson({ a: { b: 1, c: 2 } }, { a: { b: 1 } })).toBe(true);
    expect(containsJson({ a: 1 }, {})).toBe(true);
    expect(containsJson(null, { a: 1 })).toBe(false);
  });
});

describe('stateOf', () => {
  it('reads a record’s state from its newest acknowledgement', () => {
    expect(stateOf(row({}), false, 3)).toBe('NOT_EXPECTED');
    expect(stateOf(undefined, true, 3)).toBe('BEHIND');
    expect(stateOf(row({ last_status: 'APPLIED', last_revision: 3 }), true, 3)).toBe('CURRENT');
    expect(stateOf(row({ last_status: 'SKIPPED', last_revision: 3 }), true, 3)).toBe('CURRENT');
    expect(stateOf(row({ last_status: 'APPLIED', last_revision: 2 }), true, 3)).toBe('BEHIND');
    // a newer revision than the projection knew (a record read just after its write) is still behind
    expect(stateOf(row({ last_status: 'APPLIED', last_revision: 3 }), true, 4)).toBe('BEHIND');
    expect(stateOf(row({ last_status: 'REFUSED', last_revision: 3 }), true, 3)).toBe('FAILED');
  });
});

describe('exceptions', () => {
  it('count repeats of the same system, subject and code on one live exception', () => {
    const base = { systemCode: 'mes', domain: 'item', code: 'NO_UOM' };
    expect(liveKeyOf({ ...base, recordId: 'r1', externalId: null })).toBe('mes|r1|NO_UOM');
    expect(liveKeyOf({ ...base, recordId: null, externalId: 'L-7' })).toBe('mes|item:L-7|NO_UOM');
    expect(liveKeyOf({ ...base, recordId: null, externalId: null })).toBe('mes|-|NO_UOM');
    expect(liveKeyOf({ ...base, code: 'X'.repeat(600), recordId: 'r', externalId: null })).toHaveLength(500);
  });

  it('keep at most 4 KB of a payload', () => {
    expect(excerptOf(null)).toBeNull();
    expect(excerptOf({ a: 1 })).toEqual({ a: 1 });
    expect(excerptOf('text')).toEqual({ value: 'text' });
    const big = excerptOf({ text: 'x'.repeat(10_000) })!;
    expect(big.truncated).toBe(true);
    expect(String(big.excerpt)).toHaveLength(4_000);
  });
});

describe('enumRemovals', () => {
  it('finds the values a new schema drops, at the data pointers records hold them', () => {
    const before = {
      type: 'object',
      properties: {
        tracking: { enum: ['none', 'lot', 'serial'] },
        weight: { type: 'object', properties: { unit: { enum: ['KGM', 'GRM'] } } },
        'a/b': { enum: [1, 2] },
        gone: { enum: ['x'] },
      },
    };
    const after = {
      type: 'object',
      properties: {
        tracking: { enum: ['none', 'lot'] },
        weight: { type: 'object', properties: { unit: { enum: ['KGM', 'GRM', 'TNE'] } } },
        'a/b': { enum: [2] },
      },
    };
    expect(enumRemovals(before, after)).toEqual([
      { pointer: '/tracking', values: ['serial'] },
      { pointer: '/a~1b', values: ['1'] },
    ]);
    expect(enumRemovals(before, before)).toEqual([]);
  });
});
