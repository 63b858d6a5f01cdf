/*
 * Writes the sample files of `npm run import` in seeds/import/ (run from the project root):
 *
 *   npx tsc -p tsconfig.json && node dist/seeds/import/make-samples.js
 *
 * Ledgers of the four department systems of the demo city 乌海市 as they would export them: real grids of the
 * demo city (src/demo/city-plan.ts, the same for every seed and scale), ID numbers with valid check characters,
 * and in every file a few rows that must be rejected, listed in EXPECTED_REJECTS (the import's end-to-end test
 * checks them). The data is the same on every run (the workbook's zip entries carry the time it was written).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { GridPlan, planCity } from '../../src/demo/city-plan';
import { STREETS } from '../../src/demo/vocabulary';
import { composeIdNumber } from '../../src/shared/id-number';
import { csvQuote } from '../../src/ingest/rejects-file';

const OUT = path.resolve(process.cwd(), 'seeds/import');
const plan = planCity();

/** Row numbers (header = 1) of each sample's rows that must be rejected, and the column each is rejected on. */
export const EXPECTED_REJECTS: Record<string, Record<number, string>> = {};

function grid(communityCode: string, n: number): GridPlan {
  const found = plan.grids.find((g) => g.code === `${communityCode}${String(n).padStart(3, '0')}`);
  if (!found) throw new Error(`no grid ${n} in community ${communityCode}`);
  return found;
}

/** A point inside the grid, the same for the same k. */
function pointIn(g: GridPlan, k: number): [number, number] {
  const [w, s, e, n] = g.box;
  const fx = 0.25 + 0.5 * ((k * 0.618034) % 1);
  const fy = 0.25 + 0.5 * ((k * 0.414214) % 1);
  return [Number((w + (e - w) * fx).toFixed(6)), Number((s + (n - s) * fy).toFixed(6))];
}

function street(g: GridPlan, k: number): string {
  const names = STREETS[g.code.slice(0, 6)];
  return names[k % names.length];
}

function homeAddress(g: GridPlan, k: number, compound: string): string {
  const building = 1 + (k % 12);
  const unit = 1 + (k % 3);
  const room = `${1 + (k % 6)}0${1 + (k % 2)}`;
  return `乌海市${g.community.town.county.name}${street(g, k)}${10 + k * 7}号${compound}${building}号楼${unit}单元${room}室`;
}

/** A grid code that is not registered: the 99th grid of a community that has at most 14. */
const UNKNOWN_GRID = '150302001002099';

function breakChecksum(id: string): string {
  const last = id[17] === '0' ? '1' : '0';
  return id.slice(0, 17) + last;
}

type Row = (string | number | Date | null)[];

/**
 * The header, then the good rows with the bad ones spread among them (every third row from the 3rd on), and the
 * numbers of the bad rows that must be rejected (column named; null: accepted with a warning) recorded under `file`
 * in EXPECTED_REJECTS.
 */
function layout(file: string, header: string[], good: Row[], bad: [Row, string | null][]): Row[] {
  const rows: Row[] = [header];
  const rejects: Record<number, string> = {};
  const pending = [...bad];
  for (const row of good) {
    if (pending.length > 0 && rows.length % 3 === 0) {
      const [badRow, column] = pending.shift()!;
      rows.push(badRow);
      if (column !== null) rejects[rows.length] = column;
    }
    rows.push(row);
  }
  for (const [badRow, column] of pending) {
    rows.push(badRow);
    if (column !== null) rejects[rows.length] = column;
  }
  EXPECTED_REJECTS[file] = rejects;
  return rows;
}

function csv(rows: readonly Row[]): string {
  return rows.map((row) => row.map((cell) => csvQuote(String(cell ?? ''))).join(',')).join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------------------------------------------------------
// People: one pool; the civil affairs, social security and governance ledgers each hold some of them, overlapping.

interface Resident {
  name: string;
  id: string;
  gender: '男' | '女';
  birth: string;
  phone: string;
  grid: GridPlan;
  address: string;
  household: '户籍' | '流动';
}

function resident(name: string, origin: string, birth: string, seq: number, phone: string, g: GridPlan, k: number, compound: string): Resident {
  return {
    name,
    id: composeIdNumber(origin, birth, seq),
    gender: seq % 2 === 1 ? '男' : '女',
    birth,
    phone,
    grid: g,
    address: homeAddress(g, k, compound),
    household: origin.startsWith('1503') ? '户籍' : '流动',
  };
}

const P = [
  resident('王桂兰', '150302', '1941-03-12', 102, '13904730112', grid('150302001002', 1), 1, '阳光花园'),
  resident('李建国', '150302', '1952-08-05', 311, '13847311205', grid('150302001002', 3), 2, '丽景小区'),
  resident('张秀英', '150302', '1948-11-23', 204, '15947300823', grid('150302001003', 2), 3, '滨河家园'),
  resident('刘志强', '150302', '1979-06-30', 517, '18647310630', grid('150302002001', 5), 4, '海勃新村'),
  resident('陈丽娟', '150302', '1986-01-17', 628, '13604731117', grid('150302002009', 2), 5, '黄河佳苑'),
  resident('杨永红', '150303', '1963-09-09', 416, '13214730909', grid('150303001012', 4), 6, '锦绣嘉园'),
  resident('赵明', '150302', '2011-04-02', 135, '15004732402', grid('150302003016', 7), 7, '和谐苑'),
  resident('黄淑珍', '150302', '1938-12-01', 242, '13347301201', grid('150302007001', 1), 8, '幸福小区'),
  resident('周海军', '150304', '1970-02-14', 353, '18847300214', grid('150304003007', 6), 9, '康乐公寓'),
  resident('吴凤英', '150304', '1955-07-21', 466, '15847310721', grid('150304009008', 3), 10, '颐和华府'),
  resident('马福', '640202', '1983-05-18', 579, '13995230518', grid('150302002001', 9), 11, '御景名邸'),
  resident('孙晓燕', '620402', '1992-10-08', 684, '17747301008', grid('150302008002', 2), 12, '明珠新城'),
  resident('包金花', '150302', '1960-03-03', 792, '13474730303', grid('150302101203', 1), 13, '新地村'),
  resident('郭强', '150303', '1998-08-19', 817, '18547350819', grid('150303103008', 2), 14, '世纪家园'),
  resident('何玉梅', '150302', '1945-01-27', 926, '13704730127', grid('150302001002', 4), 15, '阳光花园'),
  resident('高军', '150304', '1974-12-12', 151, '15661231212', grid('150304011011', 3), 16, '银河小区'),
  resident('林静', '150302', '1989-09-01', 262, '13384730901', grid('150302001007', 2), 17, '紫金花园'),
  resident('罗建华', '610802', '1976-04-16', 373, '18647390416', grid('150303001012', 8), 18, '金泰苑'),
  resident('梁秀兰', '150302', '1950-06-06', 484, '15148300606', grid('150302002009', 5), 19, '滨河家园'),
  resident('宋志刚', '150304', '1966-11-11', 595, '13514731111', grid('150304101008', 2), 20, '泽园小区'),
  resident('韩桂芳', '150302', '1943-02-08', 606, '13015430208', grid('150302001003', 6), 21, '丽景小区'),
  resident('唐小军', '150302', '2009-07-07', 717, '15247300707', grid('150302003016', 3), 22, '和谐苑'),
];

function civilAffairs(): void {
  const file = 'civil-affairs-people.gbk.csv';
  const header = ['序号', '记录编号', '姓名', '公民身份号码', '性别', '出生日期', '联系电话', '网格编码', '居住地址', '户籍类型',
    '人员类别', '救助类型', '月补助金额（元）', '享受起始日期', '残疾等级', '版本号', '更新时间'];
  const row = (key: number, p: Resident, tags: string, allowance: string, amount: string, since: string, grade: string): Row => [
    0, `MZ-DR-2026-${String(key).padStart(4, '0')}`, p.name, p.id, p.gender, p.birth.replace(/-/g, '/'), p.phone, p.grid.code,
    p.address, p.household, tags, allowance, amount, since, grade, 3, '2026-10-28 09:15',
  ];
  const good = [
    row(1, P[0], '低保、独居老人', '低保', '826', '2019-03-01', ''),
    row(2, P[1], '', '高龄补贴', '100', '2022/8/1', ''),
    row(3, P[2], '残疾人', '残疾人补贴', '150', '20200601', '二级'),
    row(4, P[4], '低保', '低保', '1,052.00', '2023-01-01', ''),
    row(5, P[5], '特困', '特困', '1240', '2018-07-01', ''),
    row(6, P[6], '留守儿童', '', '', '', ''),
    row(7, P[7], '独居老人', '尊老金', '300', '2018-12-01', ''),
    row(8, P[9], '残疾人，低保', '低保', '690', '2021-05-01', '3'),
    row(9, P[12], '低保', '低保', '580', '2020-10-01', ''),
    row(10, P[14], '独居老人、特困', '特困', '1240', '2016-02-01', ''),
    row(11, P[18], '残疾人', '残疾人补贴', '200', '2024-03-01', '一级'),
    row(12, P[19], '低保', '低保', '826', '2022-06-01', ''),
    row(13, P[20], '独居老人', '高龄补贴', '100', '2023-02-01', ''),
    row(14, P[21], '留守儿童', '', '', '', ''),
  ];
  const badChecksum = row(101, P[15], '低保', '低保', '826', '2024-01-01', '');
  badChecksum[3] = breakChecksum(P[15].id);
  const unknownGrid = row(102, P[16], '低保', '低保', '826', '2024-01-01', '');
  unknownGrid[7] = UNKNOWN_GRID;
  const noName = row(104, P[3], '低保', '低保', '826', '2024-01-01', '');
  noName[2] = '';
  const rows = layout(file, header, good, [
    // A bad check character is kept (without a verified ID) with a warning, not rejected.
    [badChecksum, null],
    [unknownGrid, '网格编码'],
    [row(103, P[17], '低保', '临时救助', '500', '2024-01-01', ''), '救助类型'],
    [noName, '姓名'],
    [row(105, P[10], '低保', '低保', '826', '2024-02-30', ''), '享受起始日期'],
  ]);
  rows.slice(1).forEach((r, i) => (r[0] = i + 1)); // 序号
  writeFileSync(path.join(OUT, file), iconv.encode(csv(rows), 'gbk'));
}

function socialSecurity(): void {
  const file = 'social-security-people.csv';
  const header = ['业务编号', '姓名', '身份证号', '联系电话', '网格编码', '现住址', '是否参保', '养老保险类型', '医疗保险类型',
    '参保单位', '版本号', '更新时间'];
  const row = (key: number, p: Resident, insured: string, pension: string, medical: string, employer: string): Row => [
    `SB-DR-${150300000000 + key}`, p.name, p.id, p.phone, p.grid.code, p.address, insured, pension, medical, employer, 12,
    '2026-10-30T08:00:00+08:00',
  ];
  const good = [
    row(1, P[1], '是', '城镇职工', '职工', '乌海市第一中学（退休）'),
    row(2, P[3], '是', '城镇职工', '职工', '神华乌海能源有限责任公司'),
    row(3, P[4], '是', '城乡居民', '居民', ''),
    row(4, P[8], '是', '城镇职工', '职工', '乌海市自来水公司'),
    row(5, P[10], '是', '城镇职工', '职工', '内蒙古君正能源化工集团股份有限公司'),
    row(6, P[11], '是', '城乡居民', '居民', ''),
    row(7, P[13], '是', '城镇职工', '职工', '乌海市鑫源商贸有限公司'),
    row(8, P[15], '是', '城镇职工', '职工', '乌海市路灯管理所'),
    row(9, P[16], '是', '城镇职工', '职工', '乌海市人民医院'),
    row(10, P[17], '否', '未参保', '居民', ''),
    row(11, P[19], '是', '城乡居民', '居民', ''),
    row(12, P[0], '是', '城乡居民', '居民', ''),
  ];
  const badChecksum = row(901, P[21], '是', '城镇职工', '职工', '乌海市第二中学');
  badChecksum[2] = breakChecksum(P[21].id);
  const unknownGrid = row(902, P[6], '是', '城镇职工', '职工', '乌海市第二中学');
  unknownGrid[4] = UNKNOWN_GRID;
  const noName = row(904, P[9], '是', '城镇职工', '职工', '乌海市第二中学');
  noName[1] = '';
  const rows = layout(file, header, good, [
    // A bad check character is kept (without a verified ID) with a warning, not rejected.
    [badChecksum, null],
    [unknownGrid, '网格编码'],
    [row(903, P[7], '是', '商业保险', '职工', '乌海市第二中学'), '养老保险类型'],
    [noName, '姓名'],
  ]);
  writeFileSync(path.join(OUT, file), `\uFEFF${csv(rows)}`);
}

/** Wall-clock date (and time) as a workbook date cell shows it. */
function cellDate(text: string): Date {
  return new Date(`${text.length === 10 ? `${text}T00:00:00` : text.replace(' ', 'T')}Z`);
}

async function governancePeople(): Promise<void> {
  const file = 'governance-people.xlsx';
  const header = ['记录编号', '姓名', '公民身份号码', '性别', '出生日期', '手机号码', '网格编码', '居住地址', '经度', '纬度', '人口类型',
    '标签', '重点人员类别', '风险等级', '网格员', '版本号', '更新时间'];
  const row = (key: number, p: Resident, tags: string, category: string, risk: string, worker: string): Row => {
    const [lng, lat] = pointIn(p.grid, key);
    return [`ZZ-DR-150302-${String(key).padStart(6, '0')}`, p.name, p.id, p.gender, cellDate(p.birth), p.phone, p.grid.code, p.address,
      lng, lat, p.household, tags, category, risk, worker, 5, cellDate('2026-10-25 16:40:00')];
  };
  const good = [
    row(1, P[0], '独居老人', '', '', '刘晓燕'),
    row(2, P[3], '刑满释放人员', '刑满释放人员', '中', '王海涛'),
    row(3, P[5], '', '', '', '李娜'),
    row(4, P[7], '独居老人', '', '', '张丽'),
    row(5, P[8], '社区矫正', '社区矫正', '高', '赵磊'),
    row(6, P[10], '', '', '', '王海涛'),
    row(7, P[11], '重点青少年', '重点青少年', '低', '孙静'),
    row(8, P[13], '吸毒人员', '吸毒人员', '高', '马超'),
    row(9, P[14], '独居老人', '', '', '刘晓燕'),
    row(10, P[17], '重点信访人员', '重点信访人员', '中', '韩梅'),
    row(11, P[18], '严重精神障碍患者、残疾人', '严重精神障碍患者', '中', '周洁'),
    row(12, P[21], '留守儿童', '', '', '张丽'),
    row(13, P[2], '残疾人', '', '', '李娜'),
  ];
  const badChecksum = row(101, P[16], '', '', '', '林芳');
  badChecksum[2] = breakChecksum(P[16].id);
  const unknownGrid = row(102, P[19], '', '', '', '林芳');
  unknownGrid[6] = UNKNOWN_GRID;
  const noName = row(104, P[9], '', '', '', '林芳');
  noName[1] = null;
  // An ID number typed into a number cell: Excel keeps only 15 significant digits of it.
  const idAsNumber = row(105, P[12], '', '', '', '林芳');
  idAsNumber[2] = Number(P[12].id.slice(0, 17));
  const rows = layout(file, header, good, [
    // A bad check character is kept (without a verified ID) with a warning, not rejected.
    [badChecksum, null],
    [unknownGrid, '网格编码'],
    [row(103, P[20], '社区矫正', '社区矫正', '极高', '林芳'), '风险等级'],
    [noName, '姓名'],
    [idAsNumber, '公民身份号码'],
  ]);

  const workbook = new ExcelJS.Workbook();
  workbook.creator = '乌海市社会治理综合指挥中心';
  workbook.created = workbook.modified = new Date('2026-10-25T08:40:00Z');
  const sheet = workbook.addWorksheet('实有人口');
  for (const values of rows) sheet.addRow(values);
  sheet.getColumn(5).numFmt = 'yyyy-mm-dd';
  sheet.getColumn(17).numFmt = 'yyyy-mm-dd hh:mm:ss';
  const notes = workbook.addWorksheet('填表说明');
  notes.addRow(['公民身份号码、网格编码请设置为文本格式；标签可填多个，用顿号分隔。']);
  await workbook.xlsx.writeFile(path.join(OUT, file));
}

// ---------------------------------------------------------------------------------------------------------------

function cityManagementThings(): void {
  const file = 'city-management-things.csv';
  const header = ['记录编号', '部件编码', '部件类型', '名称', '状态', '权属单位', '地址', '网格编码', '经度', '纬度', '版本号', '更新时间'];
  /** `classes`: the class and subclass digits of the component code. */
  const row = (serial: number, community: string, n: number, kind: string, classes: string, name: string, status: string, owner: string): Row => {
    const g = grid(community, n);
    const code = thingCode(community, classes, serial);
    const [lng, lat] = pointIn(g, serial + 31);
    return [`CG-BJ-${code}`, code, kind, name, status, owner, `${street(g, serial)}${20 + serial * 3}号附近`, g.code, lng.toFixed(6),
      lat.toFixed(6), 2, '2026-10-20 14:00'];
  };
  const good = THINGS.map(([serial, community, n, kind, classes, name, status, owner]) => row(serial, community, n, kind, classes, name, status, owner));
  const unknownGrid = row(40, '150302001002', 5, '井盖', '0101', '污水井盖', '完好', '乌海市市政设施管理处');
  unknownGrid[7] = UNKNOWN_GRID;
  const badLng = row(43, '150302001003', 4, '路灯', '0124', '路灯', '完好', '乌海市路灯管理所');
  badLng[8] = '106.8x';
  const rows = layout(file, header, good, [
    [unknownGrid, '网格编码'],
    [row(41, '150302001002', 6, '电线杆', '0199', '电线杆', '完好', '乌海供电公司'), '部件类型'],
    [row(42, '150302001003', 2, '路灯', '0124', '', '完好', '乌海市路灯管理所'), '名称'],
    [badLng, '经度'],
    [row(44, '150302001003', 5, '垃圾箱', '0307', '垃圾箱', '待核实', '海勃湾区环境卫生服务中心'), '状态'],
  ]);
  writeFileSync(path.join(OUT, file), csv(rows));
}

/** Component code: county, class and subclass, serial (from 900001: clear of the demo city's). */
function thingCode(community: string, classes: string, serial: number): string {
  return `${community.slice(0, 6)}${classes}${String(900000 + serial)}`;
}

/** [serial, community, grid number, kind, class+subclass, name, status, owner unit] */
const THINGS: [number, string, number, string, string, string, string, string][] = [
  [1, '150302001002', 1, '井盖', '0101', '污水井盖', '完好', '乌海市市政设施管理处'],
  [2, '150302001002', 2, '井盖', '0101', '雨水井盖', '破损', '乌海市市政设施管理处'],
  [3, '150302001003', 1, '路灯', '0124', '路灯', '完好', '乌海市路灯管理所'],
  [4, '150302001003', 3, '路灯', '0124', '路灯', '损坏', '乌海市路灯管理所'],
  [5, '150302002001', 4, '消防栓', '0114', '室外消火栓', '正常', '乌海市自来水公司'],
  [6, '150302002009', 1, '交通信号灯', '0205', '交通信号灯', '完好', '乌海市公安局交通管理支队'],
  [7, '150302003016', 2, '公交站亭', '0201', '公交候车亭', '完好', '乌海市公共交通有限公司'],
  [8, '150302007001', 5, '垃圾箱', '0307', '分类垃圾箱', '丢失', '海勃湾区环境卫生服务中心'],
  [9, '150302008002', 1, '公厕', '0312', '公共厕所', '完好', '海勃湾区环境卫生服务中心'],
  [10, '150302001007', 3, '行道树', '0401', '国槐', '完好', '乌海市园林绿化中心'],
  [11, '150303001012', 2, '井盖', '0101', '电力井盖', '缺失', '乌海供电公司'],
  [12, '150303001012', 6, '路灯', '0124', '路灯', '拆除', '乌海市路灯管理所'],
  [13, '150304003007', 2, '广告牌匾', '0316', '户外广告牌', '破损', '乌达区城市管理综合执法局'],
  [14, '150304009008', 4, '消防栓', '0114', '室外消火栓', '完好', '乌海市消防救援支队'],
  [15, '150304011011', 1, '桥梁', '0214', '人行天桥', '完好', '乌海市市政设施管理处'],
  [16, '150302002001', 7, '绿地', '0402', '街头绿地', '完好', '海勃湾区园林绿化所'],
];

function governancePlaces(): void {
  const file = 'governance-places.csv';
  const header = ['记录编号', '名称', '场所类型', '标准地址', '网格编码', '经度', '纬度', '统一社会信用代码', '行业', '楼层数', '户数',
    '床位数', '在校学生数', '重点场所类别', '版本号', '更新时间'];
  const row = (key: number, community: string, n: number, name: string, kind: string, credit = '', industry = '',
    floors = '', households = '', beds = '', students = '', category = ''): Row => {
    const g = grid(community, n);
    const [lng, lat] = pointIn(g, key + 61);
    const prefix = kind === '楼栋' || kind === '房屋' ? 'FW' : kind === '重点场所' ? 'CS' : 'DW';
    return [`ZZ-DR-${prefix}-${community.slice(0, 6)}-${String(key).padStart(6, '0')}`, name, kind,
      `乌海市${g.community.town.county.name}${street(g, key)}${8 + key * 5}号`, g.code, lng, lat, credit, industry, floors, households,
      beds, students, category, 4, '2026-10-18'];
  };
  const good = [
    row(1, '150302001002', 1, '阳光花园3号楼', '楼栋', '', '', '18', '72'),
    row(2, '150302001002', 3, '丽景小区7号楼', '楼栋', '', '', '6', '36'),
    row(3, '150302001003', 2, '滨河家园12号楼', '楼栋', '', '', '11', '88'),
    row(4, '150302002001', 5, '乌海市鑫源商贸有限公司', '单位', '91150302MA0N3K5X2Q', '批发和零售业'),
    row(5, '150302002009', 2, '恒泰便利店', '商铺', '92150302MA7F2QJ81B', '零售业'),
    row(6, '150302003016', 7, '乌海市第二十中学', '学校', '12150300460120453H', '教育', '', '', '', '1260'),
    row(7, '150302007001', 1, '海勃湾区人民医院', '医院', '12150302460030212L', '卫生', '', '', '320'),
    row(8, '150302008002', 2, '星空网吧', '重点场所', '92150302MA13WLB26N', '互联网上网服务', '', '', '', '', '网吧'),
    row(9, '150303001012', 4, '泽苑宾馆', '重点场所', '92150303MA0Q4RLJ5C', '住宿业', '', '', '', '', '旅馆'),
    row(10, '150304003007', 6, '铁西加油站', '重点场所', '91150304MA0N7T4C1U', '燃料零售', '', '', '', '', '加油站'),
    row(11, '150304009008', 3, '巴音赛街12号平房', '房屋', '', '', '1', '1'),
    row(12, '150304011011', 3, '苏海图社区幼儿园', '学校', '52150304MJ1830562Y', '教育', '', '', '', '180'),
  ];
  const unknownGrid = row(40, '150302001002', 4, '和平社区9号楼', '楼栋', '', '', '6', '24');
  unknownGrid[4] = UNKNOWN_GRID;
  const rows = layout(file, header, good, [
    [unknownGrid, '网格编码'],
    [row(41, '150302001003', 4, '公园仓储点', '仓库'), '场所类型'],
    [row(42, '150302001003', 5, '', '商铺', '', '餐饮业'), '名称'],
    [row(43, '150302001003', 6, '公园小区2号楼', '楼栋', '', '', '六', '36'), '楼层数'],
  ]);
  writeFileSync(path.join(OUT, file), `\uFEFF${csv(rows)}`);
}

function governanceIncidents(): void {
  const file = 'governance-incidents.csv';
  const header = ['事件编号', '标题', '事件描述', '事件类型', '子类', '紧急程度', '网格编码', '地址', '经度', '纬度', '上报时间', '版本号'];
  const row = (key: number, community: string, n: number, title: string, description: string, category: string, sub: string,
    severity: string, reported: string): Row => {
    const g = grid(community, n);
    const [lng, lat] = pointIn(g, key + 91);
    return [`ZZSJ-DR-2026${String(key).padStart(6, '0')}`, title, description, category, sub, severity, g.code,
      `乌海市${g.community.town.county.name}${street(g, key)}${12 + key * 9}号`, lng, lat, reported, 1];
  };
  const good = [
    row(1, '150302001002', 1, '楼上漏水引发邻里纠纷', '阳光花园3号楼住户反映楼上卫生间漏水，双方协商未果。', '矛盾纠纷', '邻里纠纷', '一般', '2026-10-21 09:12'),
    row(2, '150302001003', 2, '小区消防通道被占用', '滨河家园12号楼消防通道长期停放私家车。', '安全隐患', '消防安全', '较大', '2026-10-21 15:40'),
    row(3, '150302002001', 5, '拖欠农民工工资', '某装修队拖欠6名工人工资约4万元。', '矛盾纠纷', '劳资纠纷', '较大', '2026-10-22 10:05'),
    row(4, '150302002009', 2, '独居老人多日未出门', '网格员走访发现独居老人多日未出门，已联系家属。', '民生服务', '关爱帮扶', '一般', '2026-10-22 16:30'),
    row(5, '150302003016', 7, '校园周边流动摊贩', '学校门口放学时段流动摊贩聚集。', '治安', '校园周边', '一般', '2026-10-23 17:10'),
    row(6, '150302007001', 1, '医院门口电动车乱停', '医院门诊楼前电动车占用盲道。', '城市管理', '乱停乱放', '低', '2026-10-23 08:45'),
    row(7, '150302008002', 2, '网吧接纳未成年人', '群众举报星空网吧夜间有未成年人上网。', '治安', '娱乐场所', '重大', '2026-10-24 22:20'),
    row(8, '150303001012', 4, '燃气管道异味', '居民反映楼道内有燃气异味。', '安全隐患', '燃气安全', '特别重大', '2026-10-25 07:30'),
    row(9, '150304003007', 6, '加油站旁堆放易燃物', '加油站东侧空地堆放大量废旧木料。', '安全隐患', '危化品', '重大', '2026-10-25 11:00'),
    row(10, '150304009008', 3, '土地承包纠纷', '两户村民因承包地边界发生争执。', '矛盾纠纷', '土地纠纷', '一般', '2026-10-26 14:15'),
    row(11, '150304011011', 3, '河道边焚烧垃圾', '有人在河道边焚烧生活垃圾，烟雾较大。', '环境', '大气污染', '较大', '2026-10-27 19:05'),
  ];
  const unknownGrid = row(40, '150302001002', 2, '停车位纠纷', '两户居民争抢车位。', '矛盾纠纷', '邻里纠纷', '一般', '2026-10-27 09:00');
  unknownGrid[6] = UNKNOWN_GRID;
  const rows = layout(file, header, good, [
    [unknownGrid, '网格编码'],
    [row(41, '150302001002', 3, '楼道噪音', '夜间装修噪音扰民。', '邻里矛盾', '', '一般', '2026-10-27 23:10'), '事件类型'],
    [row(42, '150302001002', 4, '', '井盖松动。', '安全隐患', '', '一般', '2026-10-28 08:00'), '标题'],
    [row(43, '150302001002', 5, '路面塌陷', '人行道局部塌陷。', '安全隐患', '', '较大', '昨天下午'), '上报时间'],
  ]);
  writeFileSync(path.join(OUT, file), `\uFEFF${csv(rows)}`);
}

function cityManagementIncidents(): void {
  const file = 'city-management-incidents.csv';
  const header = ['案件编号', '标题', '问题描述', '事件大类', '事件小类', '紧急程度', '网格编码', '事发地址', '经度', '纬度', '上报时间',
    '关联部件编码', '版本号'];
  const row = (key: number, community: string, n: number, title: string, description: string, category: string, sub: string,
    severity: string, thing = ''): Row => {
    const g = grid(community, n);
    const [lng, lat] = pointIn(g, key + 121);
    return [`CG2026${9000000 + key}`, title, description, category, sub, severity, g.code, `${street(g, key)}${30 + key * 4}号附近`, lng, lat,
      `2026/10/${20 + (key % 8)} ${8 + (key % 10)}:${String((key * 7) % 60).padStart(2, '0')}`, thing, 1];
  };
  /** The component of THINGS with this serial, by its code. */
  const thing = (serial: number) => {
    const [, community, , , classes] = THINGS.find(([s]) => s === serial)!;
    return thingCode(community, classes, serial);
  };
  const good = [
    row(1, '150302001002', 2, '雨水井盖破损', '井盖破损，存在行人跌落隐患。', '安全隐患', '井盖破损', '较大', thing(2)),
    row(2, '150302001003', 3, '路灯不亮', '路灯夜间不亮，已持续三天。', '城市管理', '路灯损坏', '一般', thing(4)),
    row(3, '150302007001', 5, '垃圾箱丢失', '路口分类垃圾箱丢失。', '城市管理', '环卫设施', '一般', thing(8)),
    row(4, '150303001012', 2, '电力井盖缺失', '井盖缺失，已设置临时围挡。', '安全隐患', '井盖缺失', '重大', thing(11)),
    row(5, '150304003007', 2, '广告牌破损', '户外广告牌面板脱落，有坠落风险。', '安全隐患', '广告牌匾', '较大', thing(13)),
    row(6, '150302002001', 3, '占道经营', '商户在人行道摆放货架经营。', '城市管理', '占道经营', '一般'),
    row(7, '150302002009', 4, '渣土车抛洒', '渣土车沿路抛洒，路面污染。', '环境', '道路扬尘', '较大'),
    row(8, '150302008002', 1, '违规张贴小广告', '楼道及电线杆张贴大量小广告。', '城市管理', '乱贴乱画', '低'),
    row(9, '150304009008', 2, '绿地被毁', '街头绿地被车辆碾压。', '城市管理', '绿化损毁', '一般'),
  ];
  const unknownGrid = row(40, '150302001002', 6, '井盖异响', '车辆经过井盖有异响。', '城市管理', '井盖', '一般');
  unknownGrid[6] = UNKNOWN_GRID;
  const rows = layout(file, header, good, [
    [unknownGrid, '网格编码'],
    [row(41, '150302001002', 7, '路面坑洼', '道路出现多处坑洼。', '城市管理', '道路破损', '紧急'), '紧急程度'],
    [row(42, '150302001002', 8, '', '垃圾满溢。', '城市管理', '垃圾满溢', '一般'), '标题'],
  ]);
  writeFileSync(path.join(OUT, file), csv(rows));
}

async function main(): Promise<void> {
  civilAffairs();
  socialSecurity();
  await governancePeople();
  cityManagementThings();
  governancePlaces();
  governanceIncidents();
  cityManagementIncidents();
  writeFileSync(path.join(OUT, 'expected-rejects.json'), `${JSON.stringify(EXPECTED_REJECTS, null, 2)}\n`);
  console.log(`wrote the samples to ${OUT}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
