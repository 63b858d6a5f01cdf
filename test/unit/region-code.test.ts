import { describe, expect, it } from '@jest/globals';
import {
  ancestorCodesOf,
  codeRange,
  divisionCodeOf,
  levelOf,
  parentCodeOf,
  parseRegionCode,
  RegionCodeError,
  RegionLevel,
} from '../../src/shared/region-code';

describe('parseRegionCode', () => {
  it('accepts every short form and keeps it', () => {
    for (const code of ['15', '1503', '150302', '150302001', '150302001001', '150302001001003']) {
      expect(parseRegionCode(code)).toBe(code);
    }
  });

  it('strips the padding of the 12-digit division code down to the significant digits', () => {
    expect(parseRegionCode('150000000000')).toBe('15');
    expect(parseRegionCode('150300000000')).toBe('1503');
    expect(parseRegionCode('150302000000')).toBe('150302');
    expect(parseRegionCode('150302400000')).toBe('150302400');
    expect(parseRegionCode('150302001001')).toBe('150302001001');
    expect(parseRegionCode(' 150302 ')).toBe('150302');
  });

  it('rejects non-digits, wrong lengths and all-zero segments with a reason', () => {
    expect(() => parseRegionCode('15030x')).toThrow(/only digits/);
    expect(() => parseRegionCode('')).toThrow(RegionCodeError);
    expect(() => parseRegionCode('15030')).toThrow(/2, 4, 6, 9, 12 or 15 digits/);
    expect(() => parseRegionCode('1503020010010031')).toThrow(/digits/);
    expect(() => parseRegionCode('150302000')).toThrow(/town digits are all zero/);
    expect(() => parseRegionCode('150302001001000')).toThrow(/grid digits are all zero/);
    expect(() => parseRegionCode('00')).toThrow(/province digits are all zero/);
  });
});

describe('code arithmetic', () => {
  it('derives level, parent, ancestors and division code', () => {
    expect(levelOf('150302001001003')).toBe(RegionLevel.GRID);
    expect(levelOf('150302400')).toBe(RegionLevel.TOWN);
    expect(parentCodeOf('150302001001003')).toBe('150302001001');
    expect(parentCodeOf('150302001')).toBe('150302');
    expect(parentCodeOf('15')).toBeNull();
    expect(ancestorCodesOf('150302001001003')).toEqual(['15', '1503', '150302', '150302001', '150302001001']);
    expect(divisionCodeOf('150302')).toBe('150302000000');
    expect(divisionCodeOf('150302001001003')).toBe('150302001001');
  });

  it('gives the half-open range of codes under a region', () => {
    expect(codeRange('150302')).toEqual({ low: '150302', high: '150303' });
    expect(codeRange('1503029')).toEqual({ low: '1503029', high: '1503030' });
    expect(codeRange('150309')).toEqual({ low: '150309', high: '150310' });
    expect(codeRange('99')).toEqual({ low: '99', high: null });
    const { low, high } = codeRange('150302');
    for (const inside of ['150302', '150302001', '150302999999999']) expect(inside >= low && inside < high!).toBe(true);
    for (const outside of ['150303', '1503', '150301999']) expect(outside >= low && outside < high!).toBe(false);
  });
});
