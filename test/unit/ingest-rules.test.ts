import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Checker } from '../../src/ingest/checker';
import { plainJson, sameJson } from '../../src/ingest/ingestion.service';
import { checkPerson, mergePerson, PersonSourceRow } from '../../src/ingest/people';
import { checkPlace, placeMatchKey } from '../../src/ingest/places';
import { DEFAULT_PRIORITIES, parsePriorities } from '../../src/ingest/priorities';
import { composeIdNumber, Gender } from '../../src/shared/id-number';
import { SourceSystem } from '../../src/sources/source-system';

const { COMPREHENSIVE_GOVERNANCE: GOV, SOCIAL_SECURITY: SOC, CIVIL_AFFAIRS: CIV, GRID_APP: APP } = SourceSystem;
const TODAY = new Date('2026-12-01T00:00:00Z');

const row = (id: string, source: SourceSystem, observedAt: string, payload: Record<string, unknown>): PersonSourceRow => ({
  id,
  source,
  observedAt,
  payload,
});

describe('mergePerson (survivorship of a person)', () => {
  const identity = { gender: Gender.FEMALE, birthDate: '1958-09-30' };

  it('takes each core field from the most trusted source that gives it, and says which record gave it', () => {
    const merged = mergePerson(
      [
        row('1', APP, '2026-11-01T00:00:00Z', { name: '刘贵兰', phone: '13900000001', address: '网格员看到的地址' }),
        row('2', SOC, '2026-10-01T00:00:00Z', { name: '刘桂兰', phone: '13900000002', address: '邮寄地址' }),
        row('3', GOV, '2025-01-01T00:00:00Z', { name: '刘桂兰', address: '团结路8号' }),
      ],
      identity,
      DEFAULT_PRIORITIES.person,
    );
    expect(merged).toMatchObject({ name: '刘桂兰', phone: '13900000002', address: '团结路8号', gender: 'FEMALE', birthDate: '1958-09-30' });
    expect(merged.lineage).toMatchObject({
      name: { source: GOV, sourceRecordId: '3' },
      phone: { source: SOC, sourceRecordId: '2' },
      address: { source: GOV, sourceRecordId: '3' },
    });
    // Gender and birth date come from the ID number: no lineage of a source.
    expect(merged.lineage).not.toHaveProperty('gender');
    expect(merged.disagreements.map((d) => d.field).sort()).toEqual(['address', 'name', 'phone']);
  });

  it('breaks ties within one source by the newest observedAt', () => {
    const merged = mergePerson(
      [row('1', GOV, '2026-01-01T00:00:00Z', { name: '甲', phone: '1' }), row('2', GOV, '2026-06-01T00:00:00Z', { name: '甲', phone: '2' })],
      identity,
      DEFAULT_PRIORITIES.person,
    );
    expect(merged.phone).toBe('2');
  });

  it("unites each source's newest tags; each facet from its own department only, the newest record first", () => {
    const merged = mergePerson(
      [
        row('1', GOV, '2026-01-01T00:00:00Z', { name: '甲', tags: ['KEY_YOUTH'], governance: { riskLevel: 'HIGH' } }),
        row('2', CIV, '2026-01-01T00:00:00Z', { name: '甲', tags: ['LOW_INCOME'], civilAffairs: { allowances: [{ type: 'LOW_INCOME', monthlyAmount: 780 }] } }),
        row('3', CIV, '2026-05-01T00:00:00Z', { name: '甲', tags: ['DISABLED'], civilAffairs: { allowances: [], disabilityGrade: 2 } }),
        // A facet in another system's record is not that system's to give (ingestion refuses it; merging ignores it).
        row('4', APP, '2026-06-01T00:00:00Z', { name: '甲', socialSecurity: { insured: false } }),
      ],
      identity,
      DEFAULT_PRIORITIES.person,
    );
    // Civil affairs' newest record no longer lists LOW_INCOME: withdrawn.
    expect(merged.tags).toEqual(['KEY_YOUTH', 'DISABLED']);
    expect(merged.civilAffairs).toEqual({ allowances: [], disabilityGrade: 2 });
    expect(merged.governance).toEqual({ keyPersonCategory: null, riskLevel: 'HIGH', gridWorker: null });
    expect(merged.socialSecurity).toBeNull();
    expect(merged.lineage.civilAffairs).toEqual({ source: CIV, sourceRecordId: '3' });
  });

  it('takes gender and birth date from the sources for a person without an ID number', () => {
    const merged = mergePerson(
      [row('1', APP, '2026-01-01T00:00:00Z', { name: 'John', gender: 'MALE', birthDate: '1975-02-03' })],
      null,
      DEFAULT_PRIORITIES.person,
    );
    expect(merged).toMatchObject({ gender: 'MALE', birthDate: '1975-02-03' });
    expect(merged.lineage.birthDate).toEqual({ source: APP, sourceRecordId: '1' });
  });
});

describe('checkPerson', () => {
  const check = (record: Record<string, unknown>, source = CIV) => {
    const checker = new Checker(record);
    const checked = checkPerson(checker, source, TODAY);
    return { checked, fields: checker.errors.map((e) => e.field) };
  };

  it('converts a 15-digit legacy ID number and derives gender and birth date', () => {
    const { checked } = check({ name: '张三', idNumber: '110105491231002' });
    expect(checked?.identity).toEqual({ kind: 'CITIZEN', idNumber: '11010519491231002X', gender: Gender.FEMALE, birthDate: '1949-12-31' });
  });

  it('names every bad field: birth date against the ID, facets of other departments; warns of a bad checksum and tags it does not keep', () => {
    const good = composeIdNumber('150302', '1980-01-01', 11);
    const bad = good.slice(0, 17) + (good[17] === '1' ? '2' : '1');
    const typo = check({ name: '张三', idNumber: bad });
    expect(typo.fields).toEqual([]);
    expect(typo.checked?.identity).toEqual({ kind: 'NONE' });
    expect(typo.checked?.warnings.map((w) => w.field)).toEqual(['idNumber']);
    expect(check({ name: '张三', idNumber: good, birthDate: '1980-01-02' }).fields).toEqual(['birthDate']);
    expect(check({ name: '张三', socialSecurity: { insured: true, pensionType: 'NONE', medicalInsurance: 'NONE' } }).fields).toEqual(['socialSecurity']);
    // A tag the source does not keep is ignored with a warning; the record stands.
    const tagged = check({ name: '张三', tags: ['DISABLED', 'KEY_YOUTH'] });
    expect(tagged.fields).toEqual([]);
    expect(tagged.checked?.warnings.map((w) => w.field)).toEqual(['tags[1]']);
    expect(check({ name: '', civilAffairs: { allowances: [{ type: 'X', monthlyAmount: -1 }] }, extra: 1 }).fields.sort()).toEqual(
      ['civilAffairs.allowances[0].monthlyAmount', 'civilAffairs.allowances[0].type', 'extra', 'name'].sort(),
    );
  });

  it('keeps a passport holder without a verified ID, warns of a malformed number, and refuses one that is not text', () => {
    expect(check({ name: 'John', idNumber: 'E12345678' }).checked?.identity).toEqual({ kind: 'NONE' });
    expect(check({ name: 'John', idNumber: '12345' }).checked?.warnings.map((w) => w.field)).toEqual(['idNumber']);
    expect(check({ name: 'John', idNumber: 12345 }).fields).toEqual(['idNumber']);
  });
});

describe('placeMatchKey', () => {
  const place = (record: Record<string, unknown>) => checkPlace(new Checker(record), GOV, TODAY)!;

  it('matches addresses across full-width forms and building spellings within a grid, and keeps grids apart', () => {
    const a = placeMatchKey(place({ kind: 'RESIDENTIAL_BUILDING', name: 'A', address: '团结路８号　３号楼' }), '150302001001001');
    const b = placeMatchKey(place({ kind: 'RESIDENTIAL_BUILDING', name: 'B', address: '团结路8号3栋' }), '150302001001001');
    const c = placeMatchKey(place({ kind: 'RESIDENTIAL_BUILDING', name: 'A', address: '团结路8号3栋' }), '150302001001002');
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('tells organisations at one address apart by name, and matches them anywhere by credit code', () => {
    const grid = '150302001001001';
    const shopA = placeMatchKey(place({ kind: 'SHOP', name: '老王超市', address: '人民路1号' }), grid);
    const shopB = placeMatchKey(place({ kind: 'SHOP', name: '小李面馆', address: '人民路1号' }), grid);
    expect(shopA).not.toBe(shopB);
    const credit = '91150302MA0Q4W5E6R';
    expect(placeMatchKey(place({ kind: 'ORGANIZATION', name: 'X', attributes: { creditCode: credit } }), grid)).toBe(`c|${credit}`);
    expect(placeMatchKey(place({ kind: 'HOUSE', name: '无地址' }), grid)).toBeNull();
  });
});

describe('parsePriorities (GRIDHUB_SURVIVORSHIP_FILE)', () => {
  it('overrides the fields it names and keeps the defaults elsewhere', () => {
    const priorities = parsePriorities({ person: { phone: [APP, SOC] } });
    expect(priorities.person.phone).toEqual([APP, SOC]);
    expect(priorities.person.name).toEqual(DEFAULT_PRIORITIES.person.name);
    expect(priorities.place).toEqual(DEFAULT_PRIORITIES.place);
  });

  it.each([
    [{ animal: {} }, 'unknown kind "animal"'],
    [{ person: { shoeSize: [GOV] } }, 'unknown field person.shoeSize'],
    [{ person: { phone: ['TAX_BUREAU'] } }, 'person.phone[0]: unknown source'],
    [{ person: { phone: [GOV, GOV] } }, 'listed twice'],
    [{ person: { phone: [] } }, 'non-empty list'],
    [[], 'must be a JSON object'],
  ])('refuses %j naming the problem', (config, message) => {
    expect(() => parsePriorities(config, 'test.json')).toThrow(message);
  });
});

describe('sameJson (idempotency of a re-sent version)', () => {
  it('ignores key order and absent keys, not values', () => {
    expect(sameJson({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1, d: undefined })).toBe(true);
    expect(sameJson({ a: 1 }, { a: '1' })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
  });
});

describe('plainJson (the stored copy of a record)', () => {
  class Input {
    sourceKey = 'K1';
    phone: string | undefined = undefined;
    observedAt = new Date('2026-11-30T00:00:00Z');
    facet = Object.assign(new (class Facet {})(), { insured: true, employer: undefined });
  }

  it('is what a round trip through JSON text makes of a record', () => {
    const values: unknown[] = [
      new Input(),
      { n: -0, nan: NaN, inf: -Infinity, list: [undefined, () => 1, 1, { toJSON: () => ({ a: 1, b: undefined }) }], s: new String('s') },
      JSON.parse('{"__proto__": {"polluted": true}, "a": [1, "x", null, false]}'),
      { map: new Map([[1, 2]]), symbol: Symbol('s'), fn: () => 1 },
      'text',
      7,
      null,
    ];
    for (const value of values) expect(plainJson(value)).toStrictEqual(JSON.parse(JSON.stringify(value)));
    const copy = plainJson(values[2]) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(() => plainJson({ big: 1n })).toThrow(TypeError);
  });
});
