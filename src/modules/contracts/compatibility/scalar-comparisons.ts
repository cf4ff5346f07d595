/**
 * The diff engine's comparisons of leaf constraints: numeric bounds (lengths, ranges, counts),
 * string patterns and formats, numbers' multipleOf (exactly, in rationals) and enum values.
 */
import type { ChangeKind } from './change-kinds.ts';
import type { RawChange } from './schema-diff.ts';
import type { EnumNode, NumberNode, StringNode } from './schema-nodes.ts';
import { canonicalJson } from './schema-nodes.ts';

export type BoundPrefix =
  | 'MAX_LENGTH'
  | 'MIN_LENGTH'
  | 'MAXIMUM'
  | 'MINIMUM'
  | 'EXCLUSIVE_MAXIMUM'
  | 'EXCLUSIVE_MINIMUM'
  | 'MAX_PROPERTIES'
  | 'MIN_PROPERTIES'
  | 'MAX_ITEMS'
  | 'MIN_ITEMS'
  | 'MAX_CONTAINS'
  | 'MIN_CONTAINS';

export function bound(
  out: RawChange[],
  name: string,
  before: number | undefined,
  after: number | undefined,
  prefix: BoundPrefix,
): void {
  if (before === after) return;
  let suffix: 'ADDED' | 'REMOVED' | 'INCREASED' | 'DECREASED';
  if (before === undefined) suffix = 'ADDED';
  else if (after === undefined) suffix = 'REMOVED';
  else suffix = before < after ? 'INCREASED' : 'DECREASED';
  out.push({ kind: `${prefix}_${suffix}` as ChangeKind, path: [name] });
}

export function compareString(a: StringNode, b: StringNode, out: RawChange[]): void {
  bound(out, 'maxLength', a.maxLength, b.maxLength, 'MAX_LENGTH');
  bound(out, 'minLength', a.minLength, b.minLength, 'MIN_LENGTH');
  if (a.pattern === undefined && b.pattern !== undefined)
    out.push({ kind: 'PATTERN_ADDED', path: ['pattern'] });
  else if (a.pattern !== undefined && b.pattern === undefined)
    out.push({ kind: 'PATTERN_REMOVED', path: ['pattern'] });
  else if (a.pattern !== b.pattern) out.push({ kind: 'PATTERN_CHANGED', path: ['pattern'] });
  if (a.format === undefined && b.format !== undefined) out.push({ kind: 'FORMAT_ADDED', path: ['format'] });
  else if (a.format !== undefined && b.format === undefined)
    out.push({ kind: 'FORMAT_REMOVED', path: ['format'] });
  else if (a.format !== b.format) out.push({ kind: 'FORMAT_CHANGED', path: ['format'] });
}

export function compareNumber(a: NumberNode, b: NumberNode, out: RawChange[]): void {
  bound(out, 'maximum', a.maximum, b.maximum, 'MAXIMUM');
  bound(out, 'minimum', a.minimum, b.minimum, 'MINIMUM');
  bound(out, 'exclusiveMaximum', a.exclusiveMaximum, b.exclusiveMaximum, 'EXCLUSIVE_MAXIMUM');
  bound(out, 'exclusiveMinimum', a.exclusiveMinimum, b.exclusiveMinimum, 'EXCLUSIVE_MINIMUM');
  if (a.multipleOf !== b.multipleOf) {
    if (a.multipleOf === undefined) out.push({ kind: 'MULTIPLE_OF_ADDED', path: ['multipleOf'] });
    else if (b.multipleOf === undefined) out.push({ kind: 'MULTIPLE_OF_REMOVED', path: ['multipleOf'] });
    else if (isMultiple(b.multipleOf, a.multipleOf))
      out.push({ kind: 'MULTIPLE_OF_EXPANDED', path: ['multipleOf'] });
    else if (isMultiple(a.multipleOf, b.multipleOf))
      out.push({ kind: 'MULTIPLE_OF_REDUCED', path: ['multipleOf'] });
    else out.push({ kind: 'MULTIPLE_OF_CHANGED', path: ['multipleOf'] });
  }
  if (a.integer !== b.integer) out.push({ kind: a.integer ? 'TYPE_EXTENDED' : 'TYPE_NARROWED', path: [] });
}

/** Exact test that `x` is an integer multiple of `step`, for decimal steps too (0.3 of 0.1). */
export function isMultiple(x: number, step: number): boolean {
  const a = toRational(x);
  const b = toRational(step);
  if (b.num === 0n) return false;
  // x / step = (a.num * b.den) / (a.den * b.num)
  return (a.num * b.den) % (a.den * b.num) === 0n;
}

/** The exact rational a JavaScript number prints as (its shortest round-trip decimal). */
function toRational(n: number): { num: bigint; den: bigint } {
  const [mantissa, exponentText] = n.toString().toLowerCase().split('e');
  const exponent = Number(exponentText ?? 0);
  const [int, frac = ''] = mantissa.split('.');
  let num = BigInt(int + frac);
  let den = 10n ** BigInt(frac.length);
  if (exponent > 0) num *= 10n ** BigInt(exponent);
  else if (exponent < 0) den *= 10n ** BigInt(-exponent);
  return { num, den };
}

export function compareEnum(a: EnumNode, b: EnumNode, out: RawChange[]): void {
  const before = new Set(a.values.map(canonicalJson));
  const after = new Set(b.values.map(canonicalJson));
  const same = before.size === after.size && [...before].every((v) => after.has(v));
  if (same) return;
  const at = [b.keyword];
  if ([...before].every((v) => after.has(v))) out.push({ kind: 'ENUM_ARRAY_EXTENDED', path: at });
  else if ([...after].every((v) => before.has(v))) out.push({ kind: 'ENUM_ARRAY_NARROWED', path: at });
  else out.push({ kind: 'ENUM_ARRAY_CHANGED', path: at });
}
