import { describe, expect, it } from '@jest/globals';
import { maskText, maskValue } from '../../src/access/masking';
import { checkCharacter, composeIdNumber } from '../../src/shared/id-number';

const id = composeIdNumber('150302', '1930-02-15', 631);
const masked = `150302********${id.slice(-4)}`;

describe('masking personal data in payloads', () => {
  it('masks by key, whatever the value type', () => {
    expect(maskValue({ idNumber: id, phone: '13812345678', mobilePhone: 13912345678, sfzhm: id })).toEqual({
      idNumber: masked,
      phone: '138****5678',
      mobilePhone: '139****5678',
      sfzhm: masked,
    });
  });

  it('masks an ID number sent as a JSON number, under any key (pinyin zjhm, or none known)', () => {
    // As a JSON number an 18-digit ID has lost its last digits; what matters is that none of the middle survive.
    expect(maskValue({ zjhm: Number(id.slice(0, 17)) * 10, other: 150302193002156310 })).toEqual({
      zjhm: expect.stringMatching(/^150302\*{8}\d{4}$/),
      other: expect.stringMatching(/^150302\*{8}\d{4}$/),
    });
  });

  it('masks ID and mobile numbers found inside other text, nested', () => {
    const value = maskValue({ remark: `本人${id}，电话13812345678`, nested: [{ idNo: id }], count: 3 }) as any;
    expect(value.remark).toBe(`本人${masked}，电话138****5678`);
    expect(value.nested[0].idNo).toBe(masked);
    expect(value.count).toBe(3);
  });

  it('leaves numbers that are not ID, mobile numbers or dates alone', () => {
    // 18 digits with no birth date inside (month 13) and a wrong check character: an account number, say.
    const first17 = '15030219991345678';
    const notAnId = first17 + (checkCharacter(first17) === '0' ? '1' : '0');
    expect(maskText(`${notAnId} 150302001002001 12345678901`)).toBe(`${notAnId} 150302001002001 12345678901`);
    expect(maskText(`SB-${id}`)).toBe(`SB-${masked}`);
    expect(maskValue({ amount: 1280.5, count: 19851301, households: 240 })).toEqual({ amount: 1280.5, count: 19851301, households: 240 });
  });
});

describe('numbers however they are written', () => {
  it('masks mobiles with country codes and separators, and IDs run together with letters', () => {
    expect(maskText('+8613812345678 / 0086 13912345678 / 138 1234 5678 / 138-1234-5678')).toBe(
      '138****5678 / 139****5678 / 138****5678 / 138****5678',
    );
    expect(maskText(`sfz${id}`)).toBe(`sfz${masked}`);
  });

  it('leaves grid codes and component codes alone', () => {
    for (const code of ['150302001002001', '1503020201000123', 'GA-150302001002-0042']) {
      expect(maskText(code)).toBe(code);
    }
  });
});

describe('dates, however they are written, keep the year only', () => {
  it('in free text', () => {
    expect(maskText('生于1985-01-01，19850101，1985/1/1，1985.01.01，1985年1月1日')).toBe(
      '生于1985-**-**，1985-**-**，1985-**-**，1985-**-**，1985-**-**',
    );
    expect(maskText('1985-01-01T00:00:00Z')).toBe('1985-**-**T00:00:00Z');
  });

  it('leaves what is not a calendar date', () => {
    expect(maskText('19851301 1985-13-01 2026-02-30 12/31')).toBe('19851301 1985-13-01 2026-02-30 12/31');
  });

  it('under birth-date keys, as strings or numbers; allowances starting on a birthday too', () => {
    expect(maskValue({ csrq: 19850101, birthday: '1985/01/01', dob: '1985-01-01T00:00:00Z' })).toEqual({
      csrq: '1985-**-**',
      birthday: '1985-**-**',
      dob: '1985-**-**',
    });
    expect(maskValue({ allowances: [{ type: 'SENIOR', since: '2015-03-04' }] })).toEqual({
      allowances: [{ type: 'SENIOR', since: '2015-**-**' }],
    });
  });
});

describe('what review found passing through', () => {
  it('an ID number with a wrong check character, whose birth date is still there', () => {
    const wrong = id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
    expect(maskText(`证件${wrong}`)).toBe(`证件150302********${wrong.slice(-4)}`);
  });

  it('full-width digits, landlines, and birth dates written day first under their keys', () => {
    expect(maskText('电话１３８１２３４５６７８')).toBe('电话138****5678');
    expect(maskText('办公 0473-1234567，010 12345678')).toBe('办公 0473-***4567，010 ****5678');
    expect(maskValue({ csrq: '15/06/1985', birthday: 'unknown' })).toEqual({ csrq: '1985-**-**', birthday: '****' });
  });
});
