/**
 * Exact rationals for unit arithmetic (fraction.js, BigInt-backed): ratios written as decimals
 * ("0.45359237") or fractions of decimals ("1/2.20462", Odoo's factor), never binary floats.
 */
import Fraction from 'fraction.js';

const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

export function parseDecimal(text: string): Fraction | undefined {
  return DECIMAL.test(text) ? new Fraction(text) : undefined;
}

/** "a" or "a/b" with decimal a and b; undefined when malformed or dividing by zero. */
export function parseRational(text: string): Fraction | undefined {
  const [num, den, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const n = parseDecimal(num);
  if (!n) return undefined;
  if (den === undefined) return n;
  const d = parseDecimal(den);
  if (!d || d.n === 0n) return undefined;
  return n.div(d);
}

export const ROUNDING_METHODS = ['HALF_UP', 'UP', 'DOWN'] as const;
export type RoundingMethod = (typeof ROUNDING_METHODS)[number];

/**
 * Rounds to a multiple of `step` as Odoo's float_round does (on exact values): HALF_UP rounds half
 * away from zero, UP away from zero, DOWN toward zero.
 */
export function roundToStep(value: Fraction, step: Fraction, method: RoundingMethod): Fraction {
  const q = value.div(step);
  const sign = q.s < 0n ? -1n : 1n;
  const num = q.n; // |q| = num / den
  const den = q.d;
  let whole = num / den;
  const rest = num % den;
  if (rest !== 0n) {
    if (method === 'UP') whole += 1n;
    else if (method === 'HALF_UP' && rest * 2n >= den) whole += 1n;
  }
  return new Fraction(sign * whole).mul(step);
}

/** Decimal places needed to write multiples of `step` exactly (a terminating decimal step). */
export function decimalsOf(step: Fraction): number | undefined {
  let d = step.d;
  let twos = 0;
  let fives = 0;
  while (d % 2n === 0n) {
    d /= 2n;
    twos++;
  }
  while (d % 5n === 0n) {
    d /= 5n;
    fives++;
  }
  return d === 1n ? Math.max(twos, fives) : undefined;
}

/** Writes an exact value as a decimal with `places` digits after the point (it must terminate there). */
export function toDecimalString(value: Fraction, places: number): string {
  const scale = 10n ** BigInt(places);
  const scaled = (value.n * scale) / value.d; // exact when value is a multiple of 10^-places
  const digits = scaled.toString().padStart(places + 1, '0');
  const int = places > 0 ? digits.slice(0, -places) : digits;
  const frac = places > 0 ? `.${digits.slice(-places)}` : '';
  return `${value.s < 0n && scaled !== 0n ? '-' : ''}${int}${frac}`;
}
