/**
 * What a business key may hold. Codes are free text as in Odoo ("FURN 001", "[E-COM11]") and are
 * stored exactly as given; a key must still be findable by what a person would type: no empty key,
 * no whitespace at either end, no control characters, and no longer than the key columns hold.
 */
import type { Data, Finding } from '../domain-rules.ts';
import { getPointer } from './json-pointer.ts';

export const MAX_KEY_PART_LENGTH = 200;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Findings for the key fields of a payload that hold text no key may hold. */
export function keyTextFindings(data: Data, keyFields: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  for (const path of keyFields) {
    const value = getPointer(data, path);
    if (typeof value !== 'string') continue; // the contract says what type it must be
    const problem =
      value.length === 0
        ? 'is empty'
        : value.trim() !== value
          ? 'starts or ends with whitespace'
          : CONTROL.test(value)
            ? 'holds a control character'
            : value.length > MAX_KEY_PART_LENGTH
              ? `is longer than ${MAX_KEY_PART_LENGTH} characters`
              : null;
    if (problem)
      findings.push({
        code: 'CONTRACT_VALIDATION_FAILED',
        path,
        message: `The key field ${path} ${problem}; a business key is printable text without surrounding whitespace.`,
      });
  }
  return findings;
}

/** `%` and `/` escaped in each part of a composite key, so the `/` between parts is never ambiguous. */
export const keyPart = (v: string): string => v.replace(/%/g, '%25').replace(/\//g, '%2F');
