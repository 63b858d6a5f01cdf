import { describe, expect, it } from '@jest/globals';
import {
  classifyIdDocument,
  normalizeAddress,
  normalizeName,
  normalizeWidth,
  sameNameOrVariant,
  upgradeLegacyIdNumber,
} from '../../src/ingest/normalize';
import { composeIdNumber, Gender, IdNumberError } from '../../src/shared/id-number';

describe('normalizeWidth', () => {
  it('turns full-width ASCII and the ideographic space half-width, and collapses whitespace', () => {
    expect(normalizeWidth('人民路１２号　３号楼')).toBe('人民路12号 3号楼');
    expect(normalizeWidth('ＡＢＣ！～＃（）')).toBe('ABC!~#()');
    expect(normalizeWidth('\u3000 王 \t\n 伟\u3000')).toBe('王 伟');
    expect(normalizeWidth('王\u200b伟\ufeff')).toBe('王伟');
  });

  it('leaves CJK and other characters alone', () => {
    expect(normalizeWidth('海勃湾区新华街道')).toBe('海勃湾区新华街道');
    expect(normalizeWidth('①号楼 50㎡')).toBe('①号楼 50㎡');
    expect(normalizeWidth('')).toBe('');
  });
});

describe('normalizeName', () => {
  it('removes all whitespace and upper-cases latin letters', () => {
    expect(normalizeName(' 王　伟 ')).toBe('王伟');
    expect(normalizeName('john smith')).toBe('JOHNSMITH');
    expect(normalizeName('ｊｏｈｎ')).toBe('JOHN');
  });

  it.each(['·', '•', '‧', '・', '･', '.', '．', '\u00b7', '\u2022', '\u2027', '\u30fb', '\uff65'])(
    'writes the middle dot %s as U+00B7',
    (dot) => {
      expect(normalizeName(`巴特尔${dot}吉日格勒`)).toBe('巴特尔\u00b7吉日格勒');
    },
  );
});

describe('sameNameOrVariant', () => {
  it.each([
    ['王伟', '王伟'],
    ['王伟', '王玮'],
    ['王玮', '王伟'],
    ['王明', '王铭'],
    ['王小明', '王晓明'],
    ['王晓明', '王小明'],
    ['王　伟', '王伟'],
    [' 王 伟 ', '王伟'],
    ['巴特尔·吉日格勒', '巴特尔吉日格勒'],
    ['巴特尔・吉日格勒', '巴特尔.吉日格勒'],
    ['john smith', 'JOHN SMITH'],
  ])('%s and %s: same', (a, b) => {
    expect(sameNameOrVariant(a, b)).toBe(true);
  });

  it.each([
    ['王伟', '李伟'],
    ['张三', '李四'],
    ['王伟', '王伟伟'],
    ['王明', '王亮'],
    ['王小明', '王大明'],
    ['王小明', '李小明'],
    ['王小明', '王大亮'],
    ['伟王', '玮王'],
    ['巴特尔·吉日格勒', '巴特尔吉日格乐'],
    ['巴特尔·吉日格勒', '巴特尔·吉日格乐'],
    ['巴特尔·吉', '巴特尔乌吉'],
    ['JOHN', 'JOAN'],
    ['', ''],
    ['　', ' '],
    ['·', '.'],
    ['王伟', ''],
  ])('%s and %s: not the same', (a, b) => {
    expect(sameNameOrVariant(a, b)).toBe(false);
  });
});

describe('normalizeAddress', () => {
  it('makes one key of a full-width, spaced address with 号楼 and 室', () => {
    expect(normalizeAddress('海勃湾区新华街道 人民路１２号　３号楼２单元５０２室')).toBe(
      '海勃湾区新华街道人民路12号3栋2单元502',
    );
    expect(normalizeAddress('海勃湾区新华街道人民路12号3栋2单元502')).toBe('海勃湾区新华街道人民路12号3栋2单元502');
  });

  it.each(['5#楼', '5＃楼', '5 # 楼', '5#', '5栋', '5栋楼', '5幢', '5座', '5号楼', '05栋', '005号楼'])(
    'writes the building %s as 5栋',
    (building) => {
      expect(normalizeAddress(`阳光小区${building}`)).toBe('阳光小区5栋');
    },
  );

  it('removes punctuation and whitespace, keeps 单元 and 号院, upper-cases letters', () => {
    expect(normalizeAddress('人民路（东段）12号，3栋-2单元')).toBe('人民路东段12号3栋2单元');
    expect(normalizeAddress('【滨河】小区_3栋、2单元。')).toBe('滨河小区3栋2单元');
    expect(normalizeAddress('人民路12号院3号楼')).toBe('人民路12号院3栋');
    expect(normalizeAddress('万达广场b座1203室')).toBe('万达广场B栋1203');
    expect(normalizeAddress('3单元0502室')).toBe(normalizeAddress('3单元502'));
  });

  it('keeps numbers apart', () => {
    expect(normalizeAddress('5栋')).not.toBe(normalizeAddress('6栋'));
    expect(normalizeAddress('50栋')).not.toBe(normalizeAddress('5栋'));
    expect(normalizeAddress('3单元502室')).not.toBe(normalizeAddress('3单元503室'));
    expect(normalizeAddress('人民路12号')).not.toBe(normalizeAddress('人民路12号楼'));
    expect(normalizeAddress('100号')).toBe('100号');
    // Digits on both sides of a separator stay apart.
    expect(normalizeAddress('3-2-502')).toBe('3-2-502');
    expect(normalizeAddress('3 - 2 - 502')).toBe('3-2-502');
    expect(normalizeAddress('3-2-502')).not.toBe(normalizeAddress('32-502'));
  });

  it('drops 室 only after a room number at the end', () => {
    expect(normalizeAddress('新华街道社区卫生室')).toBe('新华街道社区卫生室');
    expect(normalizeAddress('3栋室内502')).toBe('3栋室内502');
    expect(normalizeAddress('502室 ')).toBe('502');
  });
});

describe('upgradeLegacyIdNumber', () => {
  it('inserts 19 before the year and appends the check character', () => {
    expect(upgradeLegacyIdNumber('110105491231002')).toBe('11010519491231002X');
    const upgraded = upgradeLegacyIdNumber('150302850615123');
    expect(upgraded).toBe(composeIdNumber('150302', '1985-06-15', 123));
  });

  // Strict: classifyIdDocument normalises width and whitespace before it upgrades.
  const notFifteenDigits = [
    '',
    '11010549123100',
    '1101054912310021',
    '11010549123100X',
    'A10105491231002',
    ' 110105491231002',
    '１１０１０５４９１２３１００２',
  ];
  it.each(notFifteenDigits)('refuses %j', (input) => {
    expect(() => upgradeLegacyIdNumber(input)).toThrow(IdNumberError);
    expect(() => upgradeLegacyIdNumber(input)).toThrow(/exactly 15 digits/);
  });
});

describe('classifyIdDocument', () => {
  const today = new Date('2026-06-01');

  it.each([null, undefined, '', '   ', '\u3000', '\u200b'])('finds no document in %j', (raw) => {
    expect(classifyIdDocument(raw, today)).toEqual({ kind: 'NONE' });
  });

  it('upgrades and parses a 15-digit legacy number', () => {
    expect(classifyIdDocument('110105491231002', today)).toEqual({
      kind: 'CITIZEN',
      idNumber: '11010519491231002X',
      gender: Gender.FEMALE,
      birthDate: '1949-12-31',
      converted: true,
    });
    expect(classifyIdDocument('110105491331002', today)).toEqual({
      kind: 'INVALID_CITIZEN',
      reason: '15-digit legacy number: "19491331" is not a valid birth date',
    });
  });

  it('parses an 18-character number after normalising width, whitespace and case', () => {
    const citizen = {
      kind: 'CITIZEN',
      idNumber: '11010519491231002X',
      gender: Gender.FEMALE,
      birthDate: '1949-12-31',
      converted: false,
    };
    expect(classifyIdDocument('11010519491231002X', today)).toEqual(citizen);
    expect(classifyIdDocument(' １１０１０５ 1949\u30001231 002ｘ ', today)).toEqual(citizen);
    const male = composeIdNumber('150302', '1985-06-15', 123);
    expect(classifyIdDocument(male, today)).toEqual({
      kind: 'CITIZEN',
      idNumber: male,
      gender: Gender.MALE,
      birthDate: '1985-06-15',
      converted: false,
    });
  });

  it("reports an 18-character number's checksum or date error with the parser's message", () => {
    expect(classifyIdDocument('110105194912310021', today)).toEqual({
      kind: 'INVALID_CITIZEN',
      reason: 'checksum mismatch: the last character should be X',
    });
    const badDate = composeIdNumber('150302', '1985-02-30', 123);
    expect(classifyIdDocument(badDate, today)).toEqual({
      kind: 'INVALID_CITIZEN',
      reason: '"19850230" is not a valid birth date',
    });
    const future = composeIdNumber('150302', '2026-06-02', 1);
    expect(classifyIdDocument(future, today)).toEqual({
      kind: 'INVALID_CITIZEN',
      reason: 'the birth date lies in the future',
    });
  });

  it.each(['810000', '820000', '830000'])(
    'takes a Hong Kong, Macao or Taiwan residence permit (%s) as a citizen number',
    (prefix) => {
      const permit = composeIdNumber(prefix, '1990-05-01', 12);
      expect(classifyIdDocument(permit, today)).toEqual({
        kind: 'CITIZEN',
        idNumber: permit,
        gender: Gender.FEMALE,
        birthDate: '1990-05-01',
        converted: false,
      });
    },
  );

  it('tells the foreigner permanent residence ID apart by its leading 9', () => {
    const residence = composeIdNumber('911840', '1980-01-01', 1);
    expect(classifyIdDocument(residence, today)).toEqual({
      kind: 'OTHER_DOCUMENT',
      reason: 'foreigner permanent residence ID',
      document: residence,
    });
    const wrongCheck = residence.slice(0, 17) + (residence[17] === '0' ? '1' : '0');
    expect(classifyIdDocument(wrongCheck, today)).toMatchObject({ kind: 'INVALID_CITIZEN' });
  });

  it.each([
    ['H12345678', 'H12345678', /回乡证/],
    ['m1234567890', 'M1234567890', /回乡证/],
    ['12345678', '12345678', /台胞证/],
    ['1234567890', '1234567890', /台胞证/],
    ['E12345678', 'E12345678', /passport/],
    ['ea 1234567', 'EA1234567', /passport/],
    ['H1234567', 'H1234567', /passport/],
    ['CHN110078050201', 'CHN110078050201', /permanent residence card/],
  ])('takes %j as another document', (raw, document, reason) => {
    const result = classifyIdDocument(raw, today);
    expect(result).toEqual({ kind: 'OTHER_DOCUMENT', reason: expect.any(String), document });
    expect(result.kind === 'OTHER_DOCUMENT' && result.reason).toMatch(reason);
  });

  const unrecognised = [
    '1234',
    'ABC',
    '11010519491231002Y',
    '11010519491231',
    '12345678901',
    '12345678901234567',
    'ABCD123456',
    '110105-19491231-002X',
  ];
  it.each(unrecognised)('refuses %j', (raw) => {
    expect(classifyIdDocument(raw, today)).toEqual({
      kind: 'INVALID_CITIZEN',
      reason: 'not a citizen ID number (18 characters), a 15-digit legacy number, or a recognised permit or passport number',
    });
  });
});
