import { describe, expect, it } from 'vitest';
import { memberBump, nextMetaVersion } from '../../codegen/meta-version.ts';

describe('the contracts meta package version', () => {
  it('starts at 1.0.0 and stays put when no member moved', () => {
    expect(nextMetaVersion(null, { '@canon/item': '1.0.0' })).toBe('1.0.0');
    expect(
      nextMetaVersion(
        { version: '1.4.0', dependencies: { '@canon/item': '^1.2.0' } },
        { '@canon/item': '1.2.0' },
      ),
    ).toBeNull();
  });

  it('takes the largest change among its members', () => {
    const previous = { version: '1.4.2', dependencies: { '@canon/item': '^1.2.0', '@canon/uom': '^1.0.0' } };
    expect(nextMetaVersion(previous, { '@canon/item': '1.2.1', '@canon/uom': '1.0.0' })).toBe('1.4.3');
    expect(nextMetaVersion(previous, { '@canon/item': '1.3.0', '@canon/uom': '1.0.1' })).toBe('1.5.0');
    expect(
      nextMetaVersion(previous, { '@canon/item': '1.2.0', '@canon/uom': '1.0.0', '@canon/lot': '1.0.0' }),
    ).toBe('1.5.0');
    expect(nextMetaVersion(previous, { '@canon/item': '2.0.0', '@canon/uom': '1.1.0' })).toBe('2.0.0');
    expect(nextMetaVersion(previous, { '@canon/item': '1.2.0' })).toBe('2.0.0');
  });

  it('treats a member moving back (its newer version deprecated) as breaking', () => {
    expect(memberBump('2.0.0', '1.5.0')).toBe('major');
    expect(memberBump('1.3.0', '1.2.0')).toBe('major');
    expect(memberBump(undefined, '1.0.0')).toBe('minor');
    expect(memberBump('1.0.0', undefined)).toBe('major');
  });
});
