import { maskIdNumber, maskPhone } from '../../src/access/masking';
import { describe, expect, it } from '@jest/globals';
import {
  checkCharacter,
  composeIdNumber,
  Gender,
  parseIdNumber,
} from '../../src/shared/id-number';

describe('GB 11643 ID numbers', () => {
  it('computes the published check character', () => {
    // The worked example of GB 11643-1999: 11010519491231002X.
    expect(checkCharacter('11010519491231002')).toBe('X');
    expect(checkCharacter('44052418800101001')).toBe('4');
  });

  it('derives gender and birth date', () => {
    expect(parseIdNumber('11010519491231002x')).toEqual({
      idNumber: '11010519491231002X',
      gender: Gender.FEMALE,
      birthDate: '1949-12-31',
    });
    const male = composeIdNumber('150302', '1985-06-15', 123);
    expect(parseIdNumber(male)).toEqual({ idNumber: male, gender: Gender.MALE, birthDate: '1985-06-15' });
  });

  it('rejects a wrong checksum, shape or date with the reason', () => {
    expect(() => parseIdNumber('110105194912310021')).toThrow(/checksum mismatch: the last character should be X/);
    expect(() => parseIdNumber('1101051949123100')).toThrow(/17 digits/);
    expect(() => parseIdNumber('11010519491231002Y')).toThrow(/17 digits/);
    const badDate = '15030219850230' + '123';
    expect(() => parseIdNumber(badDate + checkCharacter(badDate))).toThrow(/not a valid birth date/);
    const future = composeIdNumber('150302', '2030-01-01', 1);
    expect(() => parseIdNumber(future, new Date('2026-01-01'))).toThrow(/future/);
  });

  it('masks as the design shows', () => {
    expect(maskIdNumber('150302198506151234')).toBe('150302********1234');
    expect(maskPhone('13812345678')).toBe('138****5678');
  });
});
