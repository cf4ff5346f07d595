/**
 * The references a proposal adds or removes, computed from its proposed payload and its diff: the
 * payload before is rebuilt by undoing the diff, nested and escaped pointers included.
 */
import { describe, expect, it } from 'vitest';
import { fieldDiff } from '../../src/modules/records/field-diff.ts';
import { payloadBefore, referenceChanges } from '../../src/modules/records/reference-changes.ts';

describe('payloadBefore', () => {
  it('undoes every kind of change, nested and with escaped keys', () => {
    const before = {
      code: 'A',
      weight: { quantity: '1', uom: 'KGM' },
      'a/b': 1,
      'c~d': { e: true },
      gone: 'x',
    };
    const after = { code: 'A', weight: { quantity: '2', uom: 'GRM' }, 'a/b': 2, 'c~d': {}, added: [1] };
    expect(payloadBefore(after, fieldDiff(before, after))).toEqual(before);
  });

  it('leaves the proposed payload untouched', () => {
    const after = { name: 'new' };
    payloadBefore(after, fieldDiff({ name: 'old' }, after));
    expect(after).toEqual({ name: 'new' });
  });
});

describe('referenceChanges', () => {
  const item = (data: Record<string, unknown>, previous: Record<string, unknown> | null) => ({
    domain: 'item',
    operation: previous ? ('UPDATE' as const) : ('CREATE' as const),
    proposed: data,
    diff: fieldDiff(previous ?? {}, data),
  });

  it('lists the references of a new record as added', () => {
    expect(referenceChanges(item({ code: 'A', uom: 'KGM', purchaseUom: 'TNE' }, null))).toEqual([
      { op: 'ADDED', field: '/uom', domain: 'uom', key: 'KGM', site: null },
      { op: 'ADDED', field: '/purchaseUom', domain: 'uom', key: 'TNE', site: null },
    ]);
  });

  it('lists a changed reference as removed and added, and an untouched one not at all', () => {
    const changes = referenceChanges(
      item({ code: 'A', uom: 'GRM', purchaseUom: 'TNE' }, { code: 'A', uom: 'KGM', purchaseUom: 'TNE' }),
    );
    expect(changes).toEqual([
      { op: 'REMOVED', field: '/uom', domain: 'uom', key: 'KGM', site: null },
      { op: 'ADDED', field: '/uom', domain: 'uom', key: 'GRM', site: null },
    ]);
  });

  it('lists a dropped optional reference as removed', () => {
    expect(
      referenceChanges(item({ code: 'A', uom: 'KGM' }, { code: 'A', uom: 'KGM', purchaseUom: 'TNE' })),
    ).toEqual([{ op: 'REMOVED', field: '/purchaseUom', domain: 'uom', key: 'TNE', site: null }]);
  });

  it('has none for a domain without references', () => {
    expect(
      referenceChanges({ domain: 'custom-thing', operation: 'CREATE', proposed: { code: 'x' }, diff: [] }),
    ).toEqual([]);
  });
});
