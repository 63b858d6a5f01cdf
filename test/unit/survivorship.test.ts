import { describe, expect, it } from '@jest/globals';
import { SourceSystem } from '../../src/sources/source-system';
import {
  DEFAULT_PERSON_PRIORITY,
  listDisagreements,
  PERSON_CORE_FIELDS,
  SourceCandidate,
  SourcePriority,
  surviveFields,
} from '../../src/sources/survivorship';

const { COMPREHENSIVE_GOVERNANCE: ZZ, SOCIAL_SECURITY: SB, CIVIL_AFFAIRS: MZ, GRID_APP: GA } = SourceSystem;

interface PersonCore {
  name: string;
  phone: string;
  gridCode: string;
  address: string;
  householdType: string;
}

const governance: SourceCandidate<PersonCore> = {
  source: ZZ,
  sourceRecordId: '11',
  observedAt: '2026-03-01T00:00:00Z',
  values: {
    name: '王丽',
    phone: '13900000001',
    gridCode: '150302001002001',
    address: '海勃湾区凤凰岭街道滨河路12号',
    householdType: 'REGISTERED',
  },
};
const socialSecurity: SourceCandidate<PersonCore> = {
  source: SB,
  sourceRecordId: '12',
  observedAt: '2026-10-01T00:00:00Z',
  values: { name: '王莉', phone: '13900000002', gridCode: '150302001002001', address: '乌海市人民路1号' },
};
const civilAffairs: SourceCandidate<PersonCore> = {
  source: MZ,
  sourceRecordId: '13',
  observedAt: '2026-09-01T00:00:00Z',
  values: { name: '王丽', phone: null, gridCode: '150302001002001', address: null, householdType: 'FLOATING' },
};

describe('surviveFields', () => {
  it('takes each field from the highest-priority source that has a value, with lineage to that record', () => {
    const { values, lineage } = surviveFields([socialSecurity, civilAffairs, governance], DEFAULT_PERSON_PRIORITY);
    // Name and address: governance beats the newer social security record.
    expect(values.name).toBe('王丽');
    expect(lineage.name).toEqual({ source: ZZ, sourceRecordId: '11' });
    expect(values.address).toBe('海勃湾区凤凰岭街道滨河路12号');
    expect(lineage.address).toEqual({ source: ZZ, sourceRecordId: '11' });
    // Phone: social security first.
    expect(values.phone).toBe('13900000002');
    expect(lineage.phone).toEqual({ source: SB, sourceRecordId: '12' });
    // Household type: governance says REGISTERED, civil affairs FLOATING; governance ranks first.
    expect(values.householdType).toBe('REGISTERED');
    expect(lineage.householdType).toEqual({ source: ZZ, sourceRecordId: '11' });
  });

  it('does not depend on the order of the candidates', () => {
    const a = surviveFields([governance, socialSecurity, civilAffairs], DEFAULT_PERSON_PRIORITY);
    const b = surviveFields([civilAffairs, socialSecurity, governance], DEFAULT_PERSON_PRIORITY);
    expect(b).toEqual(a);
  });

  it('skips null, missing and blank values and falls through to the next source', () => {
    const noPhoneAtSb = { ...socialSecurity, values: { ...socialSecurity.values, phone: '  ' } };
    const withoutGovernance = surviveFields([noPhoneAtSb, civilAffairs], DEFAULT_PERSON_PRIORITY);
    // Phone: SB blank, civil affairs null, so nobody has one.
    expect(withoutGovernance.values.phone).toBeNull();
    expect(withoutGovernance.lineage.phone).toBeUndefined();
    // Name: no governance record, so social security (second) wins over civil affairs.
    expect(withoutGovernance.values.name).toBe('王莉');
    expect(withoutGovernance.lineage.name).toEqual({ source: SB, sourceRecordId: '12' });
    // Address: civil affairs is null, so social security's value survives although it ranks last.
    expect(withoutGovernance.values.address).toBe('乌海市人民路1号');
    expect(withoutGovernance.lineage.address).toEqual({ source: SB, sourceRecordId: '12' });
    // Household type: social security does not send one; civil affairs' value survives.
    expect(withoutGovernance.values.householdType).toBe('FLOATING');
    expect(withoutGovernance.lineage.householdType).toEqual({ source: MZ, sourceRecordId: '13' });
  });

  it('breaks ties between records of the same rank by the newest observedAt, then the larger record id', () => {
    const older: SourceCandidate<PersonCore> = {
      source: GA,
      sourceRecordId: '30',
      observedAt: new Date('2026-01-01T00:00:00Z'),
      values: { phone: '13800000030' },
    };
    const newer: SourceCandidate<PersonCore> = {
      source: GA,
      sourceRecordId: '7',
      observedAt: new Date('2026-06-01T00:00:00Z'),
      values: { phone: '13800000007' },
    };
    const result = surviveFields([newer, older], DEFAULT_PERSON_PRIORITY);
    expect(result.values.phone).toBe('13800000007');
    expect(result.lineage.phone).toEqual({ source: GA, sourceRecordId: '7' });

    const sameTime = { ...older, observedAt: newer.observedAt };
    const tie = surviveFields([sameTime, newer], DEFAULT_PERSON_PRIORITY);
    // Same rank and time: record 30 beats record 7 numerically (not as strings, where "7" > "30").
    expect(tie.lineage.phone).toEqual({ source: GA, sourceRecordId: '30' });
  });

  it('ranks sources missing from the priority list after the listed ones, newest first among them', () => {
    const priority: SourcePriority<'name'> = { name: [MZ] };
    const result = surviveFields<{ name: string }>(
      [
        { source: ZZ, sourceRecordId: '1', observedAt: '2026-01-01T00:00:00Z', values: { name: 'A' } },
        { source: SB, sourceRecordId: '2', observedAt: '2026-02-01T00:00:00Z', values: { name: 'B' } },
      ],
      priority,
    );
    expect(result.values.name).toBe('B');
    expect(result.lineage.name).toEqual({ source: SB, sourceRecordId: '2' });
  });

  it('covers exactly the fields of the priority table', () => {
    const { values } = surviveFields([governance], DEFAULT_PERSON_PRIORITY);
    expect(Object.keys(values).sort()).toEqual([...PERSON_CORE_FIELDS].sort());
    expect(Object.keys(DEFAULT_PERSON_PRIORITY).sort()).toEqual([...PERSON_CORE_FIELDS].sort());
    expect(DEFAULT_PERSON_PRIORITY.name[0]).toBe(ZZ);
    expect(DEFAULT_PERSON_PRIORITY.phone[0]).toBe(SB);
  });
});

describe('listDisagreements', () => {
  it('lists each field whose given values differ, with every value and the survivor first', () => {
    const disagreements = listDisagreements([socialSecurity, civilAffairs, governance], DEFAULT_PERSON_PRIORITY);
    expect(disagreements.map((d) => d.field)).toEqual(['name', 'phone', 'address', 'householdType']);

    const name = disagreements.find((d) => d.field === 'name')!;
    expect(name.values.map((v) => [v.source, v.sourceRecordId, v.value])).toEqual([
      [ZZ, '11', '王丽'],
      [SB, '12', '王莉'],
      [MZ, '13', '王丽'],
    ]);
    // Civil affairs gave no phone: it is not listed for phone.
    const phone = disagreements.find((d) => d.field === 'phone')!;
    expect(phone.values.map((v) => v.source)).toEqual([SB, ZZ]);
    expect(phone.values[0].value).toBe(surviveFields([governance, socialSecurity], DEFAULT_PERSON_PRIORITY).values.phone);
  });

  it('ignores surrounding blanks and reports nothing when the sources agree', () => {
    const same: SourceCandidate<PersonCore> = {
      ...civilAffairs,
      values: { name: ' 王丽 ', gridCode: '150302001002001' },
    };
    expect(listDisagreements([governance, same], DEFAULT_PERSON_PRIORITY)).toEqual([]);
    expect(listDisagreements([governance], DEFAULT_PERSON_PRIORITY)).toEqual([]);
  });
});
