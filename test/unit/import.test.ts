import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { buildRecord, convertCell, setPath } from '../../src/ingest/cell-values';
import { FileImportFailed, HeaderError, prepareImport } from '../../src/ingest/file-import';
import { detectEncoding, FileFormatError, workbookCell } from '../../src/ingest/file-rows';
import { HEADER_MAP, headerKey, mapHeaders, parseMapJson, parseMapOption, ValueKind } from '../../src/ingest/header-map';
import { IngestReport } from '../../src/ingest/ingest.types';
import { IngestKind } from '../../src/ingest/ingestion.service';
import { csvCell, rejectsPath } from '../../src/ingest/rejects-file';
import { composeIdNumber } from '../../src/shared/id-number';
import { RecordOutcome } from '../../src/shared/outcome';
import { SourceSystem } from '../../src/sources/source-system';

const { PEOPLE, PLACES, THINGS, INCIDENTS } = IngestKind;
const { CIVIL_AFFAIRS, SOCIAL_SECURITY, COMPREHENSIVE_GOVERNANCE, CITY_MANAGEMENT } = SourceSystem;

/** The value kind of one field of the header map. */
function kindOf(kind: IngestKind, field: string): ValueKind {
  const def = HEADER_MAP[kind].find((d) => d.field === field);
  if (!def) throw new Error(`no field ${field} in ${kind}`);
  return def.value;
}

function value(kind: IngestKind, field: string, cell: string | number | boolean | Date | null): unknown {
  const converted = convertCell(kindOf(kind, field), cell);
  if (converted === null) return undefined;
  if ('error' in converted) throw new Error(converted.error);
  return converted.value;
}

function error(kind: IngestKind, field: string, cell: string | number | boolean | Date | null): string {
  const converted = convertCell(kindOf(kind, field), cell);
  if (converted === null || !('error' in converted)) throw new Error(`expected an error, got ${JSON.stringify(converted)}`);
  return converted.error;
}

describe('header map', () => {
  it('finds columns by their Chinese headers and field names, ignoring full-width forms, spaces, * and notes', () => {
    expect(headerKey(' 月补助金额（元） ')).toBe('月补助金额');
    expect(headerKey('*姓 名')).toBe('姓名');
    expect(headerKey('idNumber')).toBe('idnumber');
    const mapping = mapHeaders(PEOPLE, CIVIL_AFFAIRS, ['序号', '记录编号', '姓名*', '身份证号码', 'birthDate', '月补助金额(元)', '民族', '']);
    expect(mapping.problems).toEqual([]);
    expect(mapping.columns.map((c) => [c.index, c.def.field])).toEqual([
      [1, 'sourceKey'],
      [2, 'name'],
      [3, 'idNumber'],
      [4, 'birthDate'],
      [5, 'civilAffairs.allowances[0].monthlyAmount'],
    ]);
    expect(mapping.unknown).toEqual(['民族', '(column 8)']);
  });

  it('knows every field of each kind by its own name', () => {
    for (const kind of Object.values(IngestKind)) {
      const fields = HEADER_MAP[kind].map((d) => d.field);
      expect(new Set(fields).size).toBe(fields.length);
      const source = kind === PEOPLE ? CIVIL_AFFAIRS : CITY_MANAGEMENT;
      const own = HEADER_MAP[kind].filter((d) => kind !== PEOPLE || !/^(socialSecurity|governance)\./.test(d.field));
      const mapping = mapHeaders(kind, source, own.map((d) => d.field));
      expect(mapping.columns.map((c) => c.def.field)).toEqual(own.map((d) => d.field));
    }
  });

  it('stops before sending when a column the kind needs is missing, naming the headers that would do', () => {
    const mapping = mapHeaders(PEOPLE, CIVIL_AFFAIRS, ['身份证号', '电话']);
    expect(mapping.problems).toHaveLength(2);
    expect(mapping.problems[0]).toMatch(/no column for sourceKey .*记录编号/);
    expect(mapping.problems[1]).toMatch(/no column for name .*姓名/);
    expect(mapHeaders(THINGS, CITY_MANAGEMENT, ['记录编号', '名称', '部件类型']).problems).toEqual([
      expect.stringMatching(/no column for componentCode/),
    ]);
    expect(mapHeaders(INCIDENTS, COMPREHENSIVE_GOVERNANCE, ['事件编号', '标题', '事件类型']).problems).toEqual([]);
    expect(mapHeaders(PLACES, COMPREHENSIVE_GOVERNANCE, ['记录编号', '名称', '场所类型']).problems).toEqual([]);
  });

  it('hints at a title row above the header', () => {
    const mapping = mapHeaders(PEOPLE, CIVIL_AFFAIRS, ['乌海市海勃湾区低保人员花名册', '', '']);
    expect(mapping.problems.at(-1)).toMatch(/first row must be the header row/);
  });

  it('refuses two columns for one field and a facet the source may not send', () => {
    const twice = mapHeaders(PEOPLE, CIVIL_AFFAIRS, ['记录编号', '姓名', '身份证号', '公民身份号码']);
    expect(twice.problems).toEqual([expect.stringMatching(/"身份证号" and "公民身份号码" both fill idNumber/)]);
    const facet = mapHeaders(PEOPLE, CIVIL_AFFAIRS, ['记录编号', '姓名', '参保单位', '风险等级']);
    expect(facet.problems).toEqual([
      expect.stringMatching(/"参保单位" fills socialSecurity.employer, which only SOCIAL_SECURITY may send/),
      expect.stringMatching(/"风险等级" fills governance.riskLevel, which only COMPREHENSIVE_GOVERNANCE may send/),
    ]);
    expect(mapHeaders(PEOPLE, SOCIAL_SECURITY, ['记录编号', '姓名', '参保单位']).problems).toEqual([]);
  });

  it('applies --map: adds, overrides and ignores columns, and names an unknown field', () => {
    const overrides = parseMapOption('人员编号=sourceKey, 单位=socialSecurity.employer,身份证号=');
    expect([...overrides]).toEqual([
      ['人员编号', 'sourceKey'],
      ['单位', 'socialSecurity.employer'],
      ['身份证号', null],
    ]);
    const mapping = mapHeaders(PEOPLE, SOCIAL_SECURITY, ['人员编号', '姓名', '单位', '身份证号', '公民身份号码'], overrides);
    expect(mapping.problems).toEqual([]);
    expect(mapping.unknown).toEqual([]);
    expect(mapping.columns.map((c) => c.def.field)).toEqual(['sourceKey', 'name', 'socialSecurity.employer', 'idNumber']);
    expect(mapping.columns[3].index).toBe(4);

    const json = parseMapJson('{"低保金额": "civilAffairs.allowances.0.monthlyAmount", "备注": null}');
    const fromJson = mapHeaders(PEOPLE, CIVIL_AFFAIRS, ['记录编号', '姓名', '低保金额', '备注'], json);
    expect(fromJson.columns.map((c) => c.def.field)).toContain('civilAffairs.allowances[0].monthlyAmount');
    expect(fromJson.unknown).toEqual([]);

    const bad = mapHeaders(PEOPLE, CIVIL_AFFAIRS, ['记录编号', '姓名'], parseMapOption('姓名=fullName'));
    expect(bad.problems).toEqual([expect.stringMatching(/--map 姓名=fullName: people have no field "fullName"/)]);
    expect(() => parseMapOption('sourceKey')).toThrow('is not COLUMN=field');
    expect(() => parseMapJson('["a"]')).toThrow('JSON object');
  });

  it('warns when no column versions the records, or --map names a column that is not there', () => {
    const mapping = mapHeaders(PEOPLE, CIVIL_AFFAIRS, ['记录编号', '姓名'], parseMapOption('身份证=idNumber'));
    expect(mapping.warnings).toEqual([
      expect.stringMatching(/does not have: "身份证"/),
      expect.stringMatching(/no 版本号 or 更新时间 column/),
    ]);
    expect(mapHeaders(PEOPLE, CIVIL_AFFAIRS, ['记录编号', '姓名', '更新时间']).warnings).toEqual([]);
  });
});

describe('cell values', () => {
  it('reads codes as written, and refuses the ones Excel has rounded', () => {
    expect(value(PEOPLE, 'idNumber', " '150302 19900102 001x ")).toBe('15030219900102001x');
    expect(value(PEOPLE, 'gridCode', 150302001002003)).toBe('150302001002003');
    expect(value(PEOPLE, 'phone', 13812345678)).toBe('13812345678');
    expect(error(PEOPLE, 'idNumber', 150302199001020000)).toMatch(/held as a number, which keeps only 15 digits/);
    expect(error(PEOPLE, 'idNumber', '1.50302E+17')).toMatch(/scientific notation/);
    expect(error(PEOPLE, 'gridCode', '１.５０３０２Ｅ＋１４')).toMatch(/scientific notation/);
  });

  it('leaves blank cells out', () => {
    expect(convertCell(kindOf(PEOPLE, 'name'), '  ')).toBeNull();
    expect(convertCell(kindOf(PEOPLE, 'name'), null)).toBeNull();
    expect(convertCell(kindOf(PEOPLE, 'version'), '')).toBeNull();
  });

  it('reads enumerations by their Chinese names and their own names', () => {
    expect(value(PEOPLE, 'gender', '男')).toBe('MALE');
    expect(value(PEOPLE, 'gender', 'female')).toBe('FEMALE');
    expect(value(PEOPLE, 'householdType', '流动人口')).toBe('FLOATING');
    expect(value(PEOPLE, 'householdType', '户籍')).toBe('REGISTERED');
    expect(value(PEOPLE, 'socialSecurity.pensionType', '城乡居民')).toBe('URBAN_RURAL_RESIDENT');
    expect(value(PEOPLE, 'socialSecurity.pensionType', '无')).toBe('NONE');
    expect(value(PEOPLE, 'socialSecurity.medicalInsurance', '职工')).toBe('EMPLOYEE');
    expect(value(PEOPLE, 'civilAffairs.allowances[0].type', '尊老金')).toBe('SENIOR');
    expect(value(PEOPLE, 'governance.riskLevel', '高')).toBe('HIGH');
    expect(value(PEOPLE, 'governance.keyPersonCategory', '社区矫正人员')).toBe('COMMUNITY_CORRECTION');
    expect(value(PLACES, 'kind', '重点场所')).toBe('KEY_PLACE');
    expect(value(THINGS, 'kind', '消火栓')).toBe('FIRE_HYDRANT');
    expect(value(THINGS, 'status', '拆除')).toBe('REMOVED');
    expect(value(THINGS, 'category', '01')).toBe('PUBLIC_UTILITIES');
    expect(value(INCIDENTS, 'category', '民生服务')).toBe('PUBLIC_SERVICE_REQUEST');
    expect(value(INCIDENTS, 'severity', '一般')).toBe('LOW');
    expect(value(INCIDENTS, 'severity', '较大')).toBe('MEDIUM');
    expect(value(INCIDENTS, 'severity', '特别重大')).toBe('CRITICAL');
    expect(value(INCIDENTS, 'severity', 'high')).toBe('HIGH');
    expect(error(PEOPLE, 'gender', '未知')).toBe('"未知" is not one of 男, 女');
    expect(error(THINGS, 'status', '待核实')).toMatch(/"待核实" is not one of 完好, 破损, 丢失, 移除/);
  });

  it('splits tags on 、,，;；| and spaces', () => {
    expect(value(PEOPLE, 'tags', '低保、独居老人')).toEqual(['LOW_INCOME', 'ELDERLY_LIVING_ALONE']);
    expect(value(PEOPLE, 'tags', '残疾人，低保；特困|留守儿童 KEY_YOUTH,低保')).toEqual([
      'DISABLED', 'LOW_INCOME', 'EXTREME_POVERTY', 'LEFT_BEHIND_CHILD', 'KEY_YOUTH',
    ]);
    expect(value(PEOPLE, 'tags', '刑满释放、吸毒、严重精神障碍、重点信访、社区矫正')).toEqual([
      'RELEASED_PRISONER', 'DRUG_REHABILITATION', 'SEVERE_MENTAL_DISORDER', 'KEY_PETITIONER', 'COMMUNITY_CORRECTION',
    ]);
    expect(error(PEOPLE, 'tags', '低保、五保户、空巢')).toMatch(/^"五保户", "空巢" are not one of 低保, 特困/);
  });

  it('reads numbers, whole numbers and yes/no', () => {
    expect(value(PEOPLE, 'civilAffairs.allowances[0].monthlyAmount', '1,052.50')).toBe(1052.5);
    expect(value(PEOPLE, 'civilAffairs.allowances[0].monthlyAmount', '￥826元')).toBe(826);
    expect(value(PEOPLE, 'lng', '106.823451')).toBe(106.823451);
    expect(value(PEOPLE, 'lat', 39.65)).toBe(39.65);
    expect(error(PEOPLE, 'lng', '106.8x')).toBe('"106.8x" is not a number');
    expect(error(PEOPLE, 'lng', '1,05')).toBe('"1,05" is not a number');
    expect(value(PLACES, 'attributes.floors', '18')).toBe(18);
    expect(value(PLACES, 'attributes.floors', 6)).toBe(6);
    expect(error(PLACES, 'attributes.floors', '六')).toBe('"六" is not a whole number');
    expect(error(PLACES, 'attributes.floors', '5.5')).toBe('"5.5" is not a whole number');
    expect(value(PEOPLE, 'civilAffairs.disabilityGrade', '二级')).toBe(2);
    expect(value(PEOPLE, 'civilAffairs.disabilityGrade', '4')).toBe(4);
    expect(error(PEOPLE, 'civilAffairs.disabilityGrade', '五级')).toMatch(/not a whole number \(or one of 一级, 二级/);
    expect(value(PEOPLE, 'socialSecurity.insured', '是')).toBe(true);
    expect(value(PEOPLE, 'socialSecurity.insured', '否')).toBe(false);
    expect(value(PEOPLE, 'socialSecurity.insured', '未参保')).toBe(false);
    expect(value(PEOPLE, 'socialSecurity.insured', true)).toBe(true);
    expect(value(PEOPLE, 'socialSecurity.insured', 'Y')).toBe(true);
    expect(error(PEOPLE, 'socialSecurity.insured', '不详')).toBe('"不详" is not yes or no: use 是 or 否');
  });

  it('reads dates written every usual way, and workbook date cells', () => {
    for (const written of ['1990-01-02', '1990/1/2', '1990.01.02', '1990年1月2日', '19900102', '1990-01-02 00:00:00', '１９９０－０１－０２']) {
      expect(value(PEOPLE, 'birthDate', written)).toBe('1990-01-02');
    }
    expect(value(PEOPLE, 'birthDate', new Date(Date.UTC(1990, 0, 2)))).toBe('1990-01-02');
    expect(value(PEOPLE, 'birthDate', 19900102)).toBe('1990-01-02');
    expect(value(PEOPLE, 'birthDate', 32875)).toBe('1990-01-02'); // an Excel date serial in a cell without a date format
    expect(error(PEOPLE, 'birthDate', '1990-02-30')).toBe('"1990-02-30" is not a date: use 1990-01-02, 1990/1/2 or 19900102');
    expect(error(PEOPLE, 'birthDate', '02/01/1990')).toMatch(/is not a date/);
    expect(error(PEOPLE, 'civilAffairs.allowances[0].since', '去年')).toMatch(/is not a date/);
  });

  it('reads times in Beijing time unless they carry an offset', () => {
    expect(value(PEOPLE, 'observedAt', '2026-10-28 09:15')).toBe('2026-10-28T01:15:00.000Z');
    expect(value(PEOPLE, 'observedAt', '2026/10/28 9:15:30')).toBe('2026-10-28T01:15:30.000Z');
    expect(value(PEOPLE, 'observedAt', '2026-10-28')).toBe('2026-10-27T16:00:00.000Z');
    expect(value(PEOPLE, 'observedAt', '20261028')).toBe('2026-10-27T16:00:00.000Z');
    expect(value(PEOPLE, 'observedAt', '2026-10-28T09:15:00Z')).toBe('2026-10-28T09:15:00.000Z');
    expect(value(PEOPLE, 'observedAt', '2026-10-28T09:15:00+08:00')).toBe('2026-10-28T01:15:00.000Z');
    expect(value(INCIDENTS, 'reportedAt', new Date(Date.UTC(2026, 9, 28, 9, 15)))).toBe('2026-10-28T01:15:00.000Z');
    expect(value(INCIDENTS, 'reportedAt', 46323.5)).toBe('2026-10-28T04:00:00.000Z'); // serial: 2026-10-28 12:00
    expect(error(INCIDENTS, 'reportedAt', '昨天下午')).toMatch(/"昨天下午" is not a date and time/);
    expect(error(INCIDENTS, 'reportedAt', '2026-10-28 25:00')).toMatch(/is not a date and time/);
  });

  it('quotes at most 40 characters of a bad value', () => {
    expect(error(PEOPLE, 'gender', 'x'.repeat(100))).toBe(`"${'x'.repeat(40)}…" is not one of 男, 女`);
  });

  it('builds a record with nested facets, or the errors of every cell that did not convert', () => {
    const mapping = mapHeaders(PEOPLE, CIVIL_AFFAIRS, ['记录编号', '姓名', '救助类型', '月补助金额', '享受起始日期', '残疾等级', '版本号', '电话']);
    expect(buildRecord(mapping.columns, ['MZ-1', ' 王桂兰 ', '低保', '826', '2019/3/1', '', '3'])).toEqual({
      record: {
        sourceKey: 'MZ-1',
        name: '王桂兰',
        civilAffairs: { allowances: [{ type: 'LOW_INCOME', monthlyAmount: 826, since: '2019-03-01' }] },
        version: 3,
      },
    });
    expect(buildRecord(mapping.columns, ['MZ-2', '李四', '临时救助', '八百', '2019/3/1', '', '3', ''])).toEqual({
      errors: [
        { column: '救助类型', message: expect.stringMatching(/"临时救助" is not one of 低保/) },
        { column: '月补助金额', message: '"八百" is not a number' },
      ],
    });
  });

  it('sets nested paths', () => {
    const target: Record<string, unknown> = {};
    setPath(target, 'a.list[0].b', 1);
    setPath(target, 'a.list[0].c', 2);
    setPath(target, 'a.d', 3);
    expect(target).toEqual({ a: { list: [{ b: 1, c: 2 }], d: 3 } });
  });

  it('reads workbook cells: formulas by their result, rich text by its text', () => {
    expect(workbookCell({ formula: 'A1*2', result: 4 })).toBe(4);
    expect(workbookCell({ richText: [{ text: '王' }, { text: '桂兰' }] })).toBe('王桂兰');
    expect(workbookCell({ text: '链接', hyperlink: 'http://example.invalid' })).toBe('链接');
    expect(workbookCell({ error: '#N/A' })).toBe('#N/A');
    expect(workbookCell(undefined)).toBeNull();
  });
});

describe('encoding detection', () => {
  const text = '姓名,公民身份号码\n王桂兰,150302194103121025\n';

  it('takes a byte-order mark for UTF-8', () => {
    expect(detectEncoding(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))).toEqual({
      encoding: 'utf8',
      reason: 'byte-order mark',
    });
  });

  it('takes valid UTF-8 for UTF-8, even when the sample ends inside a character', () => {
    const bytes = Buffer.from(text);
    expect(detectEncoding(bytes, true).encoding).toBe('utf8');
    expect(detectEncoding(bytes.subarray(0, 2), false).encoding).toBe('utf8'); // the first two bytes of 姓
    expect(detectEncoding(bytes.subarray(0, 2), true).encoding).toBe('gb18030');
  });

  it('takes anything else for GB18030, as Excel on Chinese Windows writes', () => {
    expect(detectEncoding(iconv.encode(text, 'gbk'), true)).toEqual({ encoding: 'gb18030', reason: 'not UTF-8' });
  });

  it('refuses UTF-16', () => {
    expect(() => detectEncoding(Buffer.from([0xff, 0xfe, 0x53, 0x59]))).toThrow(FileFormatError);
  });
});

describe('file import (with a stand-in for the ingestion service)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gridhub-import-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const id1 = composeIdNumber('150302', '1941-03-12', 102);
  const id2 = composeIdNumber('150302', '1952-08-05', 311);
  const header = '序号,记录编号,姓名,公民身份号码,出生日期,救助类型,月补助金额（元）,民族,版本号';
  const lines = [
    header,
    `1,MZ-1,王桂兰,${id1},1941/3/12,低保,826,汉族,3`,
    '',
    `2,MZ-2,李建国,${id2},1952-08-05,临时救助,100,汉族,3`,
    `3,MZ-3,"张,秀英",${id2.slice(0, 17)}0,19481123,特困,1240,蒙古族,3`,
    `4,MZ-4,赵明,,2011-04-02,,,汉族,3`,
  ];

  /** Accepts every record except those whose idNumber ends in 0, which it rejects on idNumber. */
  function standIn(batches: unknown[][]) {
    return async (records: readonly unknown[]): Promise<IngestReport> => {
      batches.push([...records]);
      const results = records.map((record) => {
        const r = record as { sourceKey: string; idNumber?: string };
        const bad = r.idNumber?.endsWith('0');
        return {
          sourceKey: r.sourceKey,
          outcome: bad ? RecordOutcome.REJECTED : RecordOutcome.CREATED,
          entityId: bad ? null : '1',
          errors: bad ? [{ field: 'idNumber', message: 'checksum mismatch' }] : [],
        };
      });
      const rejected = results.filter((r) => r.outcome === RecordOutcome.REJECTED).length;
      return { created: results.length - rejected, updated: 0, unchanged: 0, stale: 0, rejected, results };
    };
  }

  async function importFile(file: string, kind: IngestKind, source: SourceSystem, batchSize = 2) {
    const prepared = await prepareImport({ file, kind, source, batchSize });
    const batches: unknown[][] = [];
    const summary = await prepared.run(standIn(batches));
    return { prepared, batches, summary };
  }

  for (const [name, encode] of [
    ['utf8.csv', (s: string) => Buffer.from(s)],
    ['bom.csv', (s: string) => Buffer.from(`\uFEFF${s}`)],
    ['gbk.csv', (s: string) => iconv.encode(s, 'gbk')],
  ] as const) {
    it(`imports a CSV file (${name}) in batches, writing the rejects file`, async () => {
      const file = path.join(dir, name);
      writeFileSync(file, encode(`${lines.join('\r\n')}\r\n`));
      const { prepared, batches, summary } = await importFile(file, PEOPLE, CIVIL_AFFAIRS);
      expect(prepared.mapping.unknown).toEqual(['民族']);
      expect(batches.map((batch) => batch.map((r) => (r as { sourceKey: string }).sourceKey))).toEqual([['MZ-1'], ['MZ-3', 'MZ-4']]);
      expect(batches[0][0]).toEqual({
        sourceKey: 'MZ-1',
        name: '王桂兰',
        idNumber: id1,
        birthDate: '1941-03-12',
        civilAffairs: { allowances: [{ type: 'LOW_INCOME', monthlyAmount: 826 }] },
        version: 3,
      });
      expect(summary).toMatchObject({ rows: 4, created: 2, rejected: 2, rejectedLocally: 1, stopped: false, lastRow: 6 });
      expect(summary.rejectsFile).toBe(rejectsPath(file));
      const rejects = readFileSync(rejectsPath(file), 'utf8');
      expect(rejects.startsWith('\uFEFF行号,错误原因,序号,记录编号,姓名,公民身份号码,')).toBe(true);
      const rows = rejects.trim().split('\r\n').slice(1);
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatch(/^4,"救助类型: ""临时救助"" is not one of 低保, .*",2,MZ-2,李建国,"\t\d{17}[\dX]",1952-08-05,临时救助,100,汉族,3$/);
      expect(rows[1]).toMatch(/^5,公民身份号码: checksum mismatch,3,MZ-3,"张,秀英",/);
    });
  }

  it('stops at a header it cannot import, before reading on', async () => {
    const file = path.join(dir, 'no-name.csv');
    writeFileSync(file, '记录编号,身份证号\nMZ-1,1\n');
    await expect(prepareImport({ file, kind: PEOPLE, source: CIVIL_AFFAIRS, batchSize: 10 })).rejects.toThrow(HeaderError);
  });

  it('fails on a file that turns out not to be UTF-8 after its first 64 KB', async () => {
    const file = path.join(dir, 'late-gbk.csv');
    const ascii = Array.from({ length: 8000 }, (_, i) => `K${i},Wang${i}`).join('\n');
    writeFileSync(file, Buffer.concat([Buffer.from(`记录编号,姓名\n${ascii}\n`), iconv.encode('K-gbk,王桂兰\n', 'gbk')]));
    const prepared = await prepareImport({ file, kind: PEOPLE, source: CIVIL_AFFAIRS, batchSize: 1000 });
    const failure = await prepared.run(standIn([])).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(FileImportFailed);
    expect((failure as FileImportFailed).cause).toBeInstanceOf(FileFormatError);
    expect((failure as FileImportFailed).message).toMatch(/not valid UTF-8 after byte .*--encoding gb18030/);
    // The batches before the bad byte were sent; how many depends on how far the reader had got.
    expect((failure as FileImportFailed).summary.rows % 1000).toBe(0);
  });

  it('rejects a row with more cells than the header has', async () => {
    const file = path.join(dir, 'shifted.csv');
    writeFileSync(file, '记录编号,姓名,居住地址\nK1,王桂兰,海拉路12号\nK2,李建国,海拉路,12号\n');
    const { summary, batches } = await importFile(file, PEOPLE, CIVIL_AFFAIRS);
    expect(batches.flat()).toHaveLength(1);
    expect(summary).toMatchObject({ rows: 2, rejectedLocally: 1 });
    expect(readFileSync(rejectsPath(file), 'utf8')).toMatch(/\r\n3,"\(column 4\): the row has 4 cells, the header 3: a comma in an unquoted cell\?",K2,/);
  });

  it('stops sending when asked, keeping what was sent', async () => {
    const file = path.join(dir, 'stop.csv');
    writeFileSync(file, `记录编号,姓名\n${Array.from({ length: 10 }, (_, i) => `K${i},名${i}`).join('\n')}\n`);
    const prepared = await prepareImport({ file, kind: PEOPLE, source: CIVIL_AFFAIRS, batchSize: 3 });
    const batches: unknown[][] = [];
    const summary = await prepared.run(standIn(batches), { shouldStop: () => batches.length >= 2 });
    expect(batches.map((b) => b.length)).toEqual([3, 3]);
    expect(summary).toMatchObject({ rows: 6, created: 6, stopped: true, lastRow: 7, rejectsFile: null });
  });

  it('reads the first visible worksheet of a workbook, or the one named, with typed cells', async () => {
    const file = path.join(dir, 'people.xlsx');
    const workbook = new ExcelJS.Workbook();
    const hidden = workbook.addWorksheet('字典', { state: 'hidden' });
    hidden.addRow(['性别', '男', '女']);
    const sheet = workbook.addWorksheet('人员');
    sheet.addRow(['记录编号', '姓名', '公民身份号码', '出生日期', '更新时间', '纬度', '版本号']);
    sheet.addRow(['ZZ-1', { richText: [{ text: '王' }, { text: '桂兰' }] }, id1, new Date(Date.UTC(1941, 2, 12)),
      new Date(Date.UTC(2026, 9, 25, 16, 40)), 39.87, { formula: '1+2', result: 3 }]);
    sheet.addRow([]);
    sheet.addRow(['ZZ-2', '李建国', Number(id2.slice(0, 17)), '', '', '', 3]);
    sheet.getColumn(4).numFmt = 'yyyy-mm-dd';
    sheet.getColumn(5).numFmt = 'yyyy-mm-dd hh:mm';
    workbook.addWorksheet('说明').addRow(['记录编号', '姓名']);
    await workbook.xlsx.writeFile(file);

    const { prepared, batches, summary } = await importFile(file, PEOPLE, COMPREHENSIVE_GOVERNANCE);
    expect(prepared.describe()).toBe('worksheet "人员"');
    expect(batches).toEqual([[{
      sourceKey: 'ZZ-1', name: '王桂兰', idNumber: id1, birthDate: '1941-03-12', observedAt: '2026-10-25T08:40:00.000Z', lat: 39.87, version: 3,
    }]]);
    expect(summary).toMatchObject({ rows: 2, created: 1, rejectedLocally: 1 });
    expect(readFileSync(rejectsPath(file), 'utf8')).toMatch(/\r\n4,"公民身份号码: ""\d{17}"" is held as a number, which keeps only 15 digits/);

    const named = await prepareImport({ file, kind: PEOPLE, source: COMPREHENSIVE_GOVERNANCE, sheet: '说明', batchSize: 10 });
    expect(named.empty).toBe(true);
    named.close();
    await expect(prepareImport({ file, kind: PEOPLE, source: COMPREHENSIVE_GOVERNANCE, sheet: '花名册', batchSize: 10 }))
      .rejects.toThrow('no worksheet named "花名册" (it has "字典", "人员", "说明")');
  });

  it('reads Chinese text of a large workbook intact (no character garbled between two chunks)', async () => {
    const file = path.join(dir, 'large.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('人员');
    sheet.addRow(['记录编号', '姓名', '居住地址']);
    const address = (i: number) => `乌海市海勃湾区滨河大道${i}号阳光花园${i % 12}号楼`;
    // About 150 KB of shared strings: exceljs's own streaming pass garbles a few of these (4 in 1,500 when tried).
    for (let i = 0; i < 1500; i++) sheet.addRow([`K${i}`, `王桂兰${i}`, address(i)]);
    await workbook.xlsx.writeFile(file);
    const { batches, summary } = await importFile(file, PEOPLE, COMPREHENSIVE_GOVERNANCE, 1000);
    expect(summary).toMatchObject({ rows: 1500, created: 1500 });
    const records = batches.flat() as { sourceKey: string; address: string }[];
    expect(records.filter((r, i) => r.address !== address(i))).toEqual([]);
  }, 30_000);

  it('keeps long digit runs as text for Excel in the rejects file', () => {
    expect(csvCell('150302194103121025')).toBe('"\t150302194103121025"');
    expect(csvCell('13904730112')).toBe('13904730112');
    expect(csvCell('a "b", c')).toBe('"a ""b"", c"');
  });
});
