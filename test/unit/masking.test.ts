import { describe, expect, it } from '@jest/globals';
import { composeIdNumber, maskText } from '../../src/shared/id-number';
import { maskPayload } from '../../src/sources/source-record.resolver';

const id = composeIdNumber('150302', '1930-02-15', 631);

describe('masking personal data in payloads', () => {
  it('masks by key, whatever the value type', () => {
    expect(maskPayload({ idNumber: id, phone: '13812345678', mobilePhone: 13912345678, sfzhm: id })).toEqual({
      idNumber: '150302********' + id.slice(-4),
      phone: '138****5678',
      mobilePhone: '139****5678',
      sfzhm: '150302********' + id.slice(-4),
    });
  });

  it('masks ID and mobile numbers found inside other text, nested', () => {
    const masked = maskPayload({ remark: `本人${id}，电话13812345678`, nested: [{ idNo: id }], count: 3 }) as any;
    expect(masked.remark).toBe(`本人150302********${id.slice(-4)}，电话138****5678`);
    expect(masked.nested[0].idNo).toBe('150302********' + id.slice(-4));
    expect(masked.count).toBe(3);
  });

  it('leaves numbers that are not ID or mobile numbers alone', () => {
    const notAnId = id.slice(0, 17) + (id[17] === '0' ? '1' : '0'); // wrong check character
    expect(maskText(`${notAnId} 150302001002001 12345678901`)).toBe(`${notAnId} 150302001002001 12345678901`);
    expect(maskText(`SB-${id}`)).toBe(`SB-150302********${id.slice(-4)}`);
  });
});

describe('numbers however they are written', () => {
  it('masks mobiles with country codes and separators, and IDs run together with letters', () => {
    expect(maskText('+8613812345678 / 0086 13912345678 / 138 1234 5678 / 138-1234-5678')).toBe(
      '138****5678 / 139****5678 / 138****5678 / 138****5678',
    );
    expect(maskText(`sfz${id}`)).toBe(`sfz150302********${id.slice(-4)}`);
  });

  it('leaves codes gridhub itself writes alone', () => {
    for (const code of ['150302001002001', '1503020201000123', '150302-20261031-00075', '2026-11-01']) {
      expect(maskText(code)).toBe(code);
    }
  });

  it('reduces payload dates to the year (a senior allowance starts on a birthday)', () => {
    expect(maskPayload({ allowances: [{ type: 'SENIOR', since: '2015-03-04' }], observedAt: '2026-10-01T08:00:00Z' })).toEqual({
      allowances: [{ type: 'SENIOR', since: '2015-**-**' }],
      observedAt: '2026-10-01T08:00:00Z',
    });
  });
});
