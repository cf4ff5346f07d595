import { describe, expect, it } from 'vitest';
import { parseRational, roundToStep } from '../../src/modules/records/uom/rational.ts';
import { rec20Problem } from '../../src/modules/records/uom/rec20.ts';
import { STANDARD_UNITS } from '../../src/modules/records/uom/standard-units.ts';
import { convertQuantity, odooFields } from '../../src/modules/records/uom/uom-conversion.ts';

const unit = (code: string) => STANDARD_UNITS.find((u) => u.code === code)!;
const conv = (q: string, from: string, to: string, method?: 'HALF_UP' | 'UP' | 'DOWN') =>
  convertQuantity(q, unit(from), unit(to), method).quantity;

describe('exact UoM conversion', () => {
  it('converts within a dimension as Odoo does: q × from.ratio ÷ to.ratio, rounded UP to the target step', () => {
    expect(conv('1', 'DZN', 'C62')).toBe('12.00');
    expect(conv('25', 'C62', 'DZN')).toBe('2.09'); // 2.08333… rounded up
    expect(conv('25', 'C62', 'DZN', 'HALF_UP')).toBe('2.08');
    expect(conv('25', 'C62', 'DZN', 'DOWN')).toBe('2.08');
    expect(conv('1', 'KGM', 'LBR')).toBe('2.21'); // 2.20462 rounded up to 0.01
    expect(conv('1', 'KGM', 'LBR', 'HALF_UP')).toBe('2.20');
    expect(conv('10', 'LBR', 'KGM', 'HALF_UP')).toBe('4.54'); // 10 / 2.20462 = 4.5359…
    expect(conv('1', 'TNE', 'GRM')).toBe('1000000.00');
    expect(conv('1', 'WDAY', 'WHUR')).toBe('8.00');
    expect(conv('90', 'WMIN', 'WHUR')).toBe('1.50');
    expect(conv('1', 'DAY', 'HUR')).toBe('24.00');
    expect(conv('1', 'SMI', 'KMT', 'HALF_UP')).toBe('1.61');
    expect(conv('1', 'GLL', 'LTR', 'HALF_UP')).toBe('3.79');
  });

  it('keeps Odoo-defined units exact: converting there and back is the identity before rounding', () => {
    const there = convertQuantity('1', unit('KGM'), unit('LBR'));
    expect(there.exact).toBe('110231/50000'); // 2.20462 exactly
    const back = convertQuantity('2.20462', unit('LBR'), unit('KGM'), 'HALF_UP');
    expect(back.exact).toBe('1');
  });

  it('rounds negative quantities away from / toward zero', () => {
    expect(conv('-25', 'C62', 'DZN', 'UP')).toBe('-2.09');
    expect(conv('-25', 'C62', 'DZN', 'DOWN')).toBe('-2.08');
    expect(roundToStep(parseRational('0.125')!, parseRational('0.01')!, 'HALF_UP').toString()).toBe('0.13');
  });

  it('refuses conversions across dimensions, also calendar time against working time', () => {
    expect(() => conv('1', 'KGM', 'MTR')).toThrow(
      expect.objectContaining({ code: 'UOM_DIMENSION_MISMATCH' }),
    );
    expect(() => conv('1', 'DAY', 'WDAY')).toThrow(
      expect.objectContaining({ code: 'UOM_DIMENSION_MISMATCH' }),
    );
    expect(() => conv('abc', 'KGM', 'GRM')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });

  it('derives the Odoo fields', () => {
    expect(odooFields(unit('LBR'))).toMatchObject({ factor: '2.20462', uomType: 'smaller' });
    expect(odooFields(unit('DZN'))).toMatchObject({ factorInv: '12', uomType: 'bigger' });
    expect(odooFields(unit('KGM'))).toMatchObject({ factor: '1', uomType: 'reference' });
  });

  it('parses rationals strictly', () => {
    expect(parseRational('1/2.20462')?.toFraction()).toBe('50000/110231');
    for (const bad of ['', '1/0', 'a', '1//2', '1/2/3', '.5', '1e3'])
      expect(parseRational(bad), bad).toBeUndefined();
  });
});

describe('standard units', () => {
  it('carry current Rec 20 codes and one reference unit per dimension', () => {
    for (const u of STANDARD_UNITS) if (u.rec20) expect(rec20Problem(u.rec20), u.code).toBeUndefined();
    const references = STANDARD_UNITS.filter((u) => u.ratio === '1').map((u) => u.dimension);
    expect(new Set(references).size).toBe(references.length);
    expect(rec20Problem('ZZZ')).toMatch(/not a UN\/ECE/);
    expect(rec20Problem('05')).toMatch(/deleted/);
  });
});
