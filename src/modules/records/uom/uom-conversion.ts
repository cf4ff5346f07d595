/**
 * Quantity conversion between units of one dimension, exactly:
 * q × from.ratio ÷ to.ratio, rounded to the target unit's rounding step (Odoo 17/18 rounds UP by default).
 */
import { CanonError } from '../../../errors.ts';
import {
  decimalsOf,
  parseDecimal,
  parseRational,
  type RoundingMethod,
  roundToStep,
  toDecimalString,
} from './rational.ts';

export interface UnitFacts {
  code: string;
  dimension: string;
  ratio: string;
  rounding: string;
}

export interface Conversion {
  quantity: string;
  /** The exact result before rounding, as a fraction "n/d" (or an integer). */
  exact: string;
  from: string;
  to: string;
  rounding: RoundingMethod;
}

export function convertQuantity(
  quantity: string,
  from: UnitFacts,
  to: UnitFacts,
  method: RoundingMethod = 'UP',
): Conversion {
  const q = parseDecimal(quantity);
  if (!q)
    throw new CanonError('BAD_USER_INPUT', `"${quantity}" is not a decimal quantity.`, {
      path: ['quantity'],
    });
  if (from.dimension !== to.dimension) {
    throw new CanonError(
      'UOM_DIMENSION_MISMATCH',
      `${from.code} measures ${from.dimension} and ${to.code} measures ${to.dimension}; quantities convert only within one dimension.`,
      { path: ['to'] },
    );
  }
  const ratioFrom = parseRational(from.ratio);
  const ratioTo = parseRational(to.ratio);
  const step = parseDecimal(to.rounding);
  if (!ratioFrom || !ratioTo || !step || step.n === 0n) {
    throw new CanonError(
      'INVALID_STATE',
      `The units ${from.code} or ${to.code} carry an unusable ratio or rounding.`,
    );
  }
  const exact = q.mul(ratioFrom).div(ratioTo);
  const rounded = roundToStep(exact, step, method);
  const places = decimalsOf(step) ?? 0;
  return {
    quantity: toDecimalString(rounded, places),
    exact: exact.toFraction(),
    from: from.code,
    to: to.code,
    rounding: method,
  };
}

/** Odoo's representation of a unit: factor = 1/ratio, factor_inv = ratio, uom_type from the ratio. */
export function odooFields(unit: UnitFacts): {
  factor: string;
  factorInv: string;
  uomType: 'reference' | 'bigger' | 'smaller';
} {
  const ratio = parseRational(unit.ratio);
  if (!ratio) throw new CanonError('INVALID_STATE', `${unit.code} has an unusable ratio.`);
  const cmp = ratio.compare(1);
  return {
    // Odoo stores factors as floats: 12 significant digits say them exactly enough
    factor: String(Number(ratio.inverse().valueOf().toPrecision(12))),
    factorInv: String(Number(ratio.valueOf().toPrecision(12))),
    uomType: cmp === 0 ? 'reference' : cmp > 0 ? 'bigger' : 'smaller',
  };
}
