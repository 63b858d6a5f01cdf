import { IncidentCategory, Severity } from '../incidents/incident.entity';
import {
  AllowanceType,
  HouseholdType,
  MedicalInsuranceType,
  PensionType,
  PersonTag,
  RiskLevel,
} from '../people/person.entity';
import { PlaceKind } from '../places/place.entity';
import { Gender } from '../shared/id-number';
import { SourceSystem } from '../sources/source-system';
import { ThingCategory, ThingKind, ThingStatus } from '../things/thing.entity';
import { IngestKind } from './ingestion.service';

/*
 * The header map of the file import (`npm run import`): which column of a spreadsheet fills which field of the
 * ingestion contract (src/ingest/ingest.types.ts), and how its cells are read. A column is found by any of its
 * Chinese headers below or by the field's own name (`idNumber`, `socialSecurity.employer`), compared after
 * folding full-width characters, dropping spaces, `*` markers and a trailing note in brackets
 * (`月补助金额（元）` is `月补助金额`), and ignoring the case of Latin letters. `--map` adds to it or overrides it.
 *
 * Enumerations accept the Chinese names listed (the first is the usual one) and the contract's own value names
 * (`MALE`, `LOW_INCOME`), in any case.
 */

/** How the cells of a column become a value of the contract's JavaScript type. */
export type ValueKind =
  /** Text as written; a number cell becomes its digits. */
  | { type: 'text' }
  /**
   * A code written with digits (ID number, grid code, phone): kept exactly as text. A workbook number too large
   * to hold every digit, or a CSV cell in scientific notation (what Excel writes for a long number), is refused.
   */
  | { type: 'code' }
  /** A whole number; `aliases` are other names of values (一级 → 1). */
  | { type: 'integer'; aliases?: Readonly<Record<string, number>> }
  /** A decimal number; thousands separators and a ¥ or 元 around it are dropped. */
  | { type: 'number' }
  /** 是/否, Y/N, true/false, 1/0, plus `aliases`. */
  | { type: 'boolean'; aliases?: Readonly<Record<string, boolean>> }
  /** One value of the enumeration `name`: each value with its Chinese names, the usual one first. */
  | { type: 'enum'; name: string; values: Readonly<Record<string, readonly string[]>> }
  /** Several values of an enumeration in one cell, separated by 、 , ， ; ； | or spaces. */
  | { type: 'enumList'; name: string; values: Readonly<Record<string, readonly string[]>> }
  /** A calendar date, sent as `YYYY-MM-DD`: 1990-01-02, 1990/1/2, 1990.1.2, 1990年1月2日, 19900102, a date cell. */
  | { type: 'date' }
  /**
   * An instant, sent as an ISO 8601 string: ISO with an offset, or a date with an optional time
   * (`2024-05-01 08:30`), or a date-time cell — without an offset, in Beijing time (UTC+8).
   */
  | { type: 'datetime' };

/** One field a column can fill. */
export interface FieldDef {
  /** Path in the record: `name`, `socialSecurity.employer`, `civilAffairs.allowances[0].type`. */
  field: string;
  /** The Chinese headers that name it (besides the field path itself). */
  headers: readonly string[];
  value: ValueKind;
}

const GENDERS = { MALE: ['男', '男性'], FEMALE: ['女', '女性'] } satisfies Record<Gender, string[]>;

const HOUSEHOLD_TYPES = {
  REGISTERED: ['户籍', '户籍人口', '常住户籍'],
  FLOATING: ['流动', '流动人口', '外来人口'],
} satisfies Record<HouseholdType, string[]>;

/** Tag names as the departments' ledgers write them (a cell may list several). */
const PERSON_TAGS = {
  LOW_INCOME: ['低保', '低保户', '低保对象'],
  EXTREME_POVERTY: ['特困', '特困人员', '特困供养'],
  DISABLED: ['残疾人', '残疾'],
  ELDERLY_LIVING_ALONE: ['独居老人'],
  LEFT_BEHIND_CHILD: ['留守儿童'],
  COMMUNITY_CORRECTION: ['社区矫正', '社区矫正人员', '社区矫正对象'],
  RELEASED_PRISONER: ['刑满释放', '刑满释放人员'],
  DRUG_REHABILITATION: ['吸毒', '吸毒人员', '社区戒毒', '社区康复'],
  SEVERE_MENTAL_DISORDER: ['严重精神障碍', '严重精神障碍患者'],
  KEY_YOUTH: ['重点青少年'],
  KEY_PETITIONER: ['重点信访', '重点信访人员'],
} satisfies Record<PersonTag, string[]>;

const PENSION_TYPES = {
  URBAN_EMPLOYEE: ['城镇职工', '城镇职工基本养老保险', '职工养老'],
  URBAN_RURAL_RESIDENT: ['城乡居民', '城乡居民基本养老保险', '居民养老'],
  NONE: ['未参保', '无'],
} satisfies Record<PensionType, string[]>;

const MEDICAL_INSURANCE_TYPES = {
  EMPLOYEE: ['职工', '职工医保', '城镇职工', '职工基本医疗保险'],
  RESIDENT: ['居民', '居民医保', '城乡居民', '城乡居民基本医疗保险'],
  NONE: ['无', '未参保'],
} satisfies Record<MedicalInsuranceType, string[]>;

const ALLOWANCE_TYPES = {
  LOW_INCOME: ['低保', '最低生活保障', '城市低保', '农村低保'],
  EXTREME_POVERTY: ['特困', '特困供养', '特困人员救助供养'],
  SENIOR: ['高龄补贴', '尊老金', '高龄津贴'],
  DISABILITY: ['残疾人补贴', '残疾人两项补贴', '困难残疾人生活补贴', '重度残疾人护理补贴'],
} satisfies Record<AllowanceType, string[]>;

const RISK_LEVELS = {
  LOW: ['低', '低风险'],
  MEDIUM: ['中', '中风险'],
  HIGH: ['高', '高风险'],
} satisfies Record<RiskLevel, string[]>;

const PLACE_KINDS = {
  RESIDENTIAL_BUILDING: ['楼栋', '楼宇', '住宅楼'],
  HOUSE: ['房屋', '住房', '平房'],
  ORGANIZATION: ['单位', '单位组织', '企业', '机关单位', '社会组织'],
  SHOP: ['商铺', '门店', '店铺', '沿街商铺'],
  SCHOOL: ['学校', '幼儿园'],
  HOSPITAL: ['医院', '诊所', '卫生院', '卫生室'],
  KEY_PLACE: ['重点场所'],
} satisfies Record<PlaceKind, string[]>;

const THING_KINDS = {
  MANHOLE_COVER: ['井盖'],
  STREET_LAMP: ['路灯'],
  FIRE_HYDRANT: ['消防栓', '消火栓'],
  TRAFFIC_SIGNAL: ['交通信号灯', '信号灯'],
  BUS_SHELTER: ['公交站亭', '公交候车亭'],
  TRASH_BIN: ['垃圾箱', '垃圾桶'],
  PUBLIC_TOILET: ['公厕', '公共厕所'],
  BILLBOARD: ['广告牌匾', '广告牌'],
  STREET_TREE: ['行道树'],
  GREEN_BELT: ['绿地'],
  VACANT_LOT: ['待建地'],
  BRIDGE: ['桥梁'],
  CAMERA: ['视频监控', '监控', '摄像头'],
  HAZMAT_STORE: ['危化品存放点', '危化品仓库'],
} satisfies Record<ThingKind, string[]>;

/** Component classes by name and by the two-digit class of the component code (01–06; 07 for governance). */
const THING_CATEGORIES = {
  PUBLIC_UTILITIES: ['公用设施', '01'],
  ROADS_AND_TRAFFIC: ['道路交通设施', '道路交通', '02'],
  CITY_APPEARANCE: ['市容环境设施', '市容环境', '03'],
  GREENERY: ['园林绿化设施', '园林绿化', '04'],
  HOUSING_AND_LAND: ['房屋土地', '05'],
  OTHER: ['其他设施', '06'],
  GOVERNANCE: ['综治物件', '07'],
} satisfies Record<ThingCategory, string[]>;

const THING_STATUSES = {
  NORMAL: ['完好', '正常'],
  DAMAGED: ['破损', '损坏'],
  MISSING: ['丢失', '缺失'],
  REMOVED: ['移除', '拆除'],
} satisfies Record<ThingStatus, string[]>;

const INCIDENT_CATEGORIES = {
  DISPUTE: ['矛盾纠纷', '纠纷'],
  SAFETY_HAZARD: ['安全隐患'],
  CITY_MANAGEMENT: ['城市管理', '城管'],
  PUBLIC_SERVICE_REQUEST: ['民生服务', '民生服务诉求'],
  PUBLIC_SECURITY: ['治安', '治安问题'],
  ENVIRONMENT: ['环境', '生态环境'],
  OTHER: ['其他'],
} satisfies Record<IncidentCategory, string[]>;

/** 紧急程度: the five grades of the usual incident forms onto the hub's four (低 and 一般 are both LOW). */
const SEVERITIES = {
  LOW: ['一般', '低'],
  MEDIUM: ['较大', '中', '较重'],
  HIGH: ['重大', '高', '严重'],
  CRITICAL: ['特别重大', '特别严重'],
} satisfies Record<Severity, string[]>;

const DISABILITY_GRADES: Record<string, number> = {
  一级: 1, 二级: 2, 三级: 3, 四级: 4, 一: 1, 二: 2, 三: 3, 四: 4, '1级': 1, '2级': 2, '3级': 3, '4级': 4,
};

const INSURED: Record<string, boolean> = { 参保: true, 已参保: true, 在保: true, 未参保: false, 停保: false };

const text = { type: 'text' } as const;
const code = { type: 'code' } as const;
const number = { type: 'number' } as const;
const integer = { type: 'integer' } as const;
const date = { type: 'date' } as const;
const datetime = { type: 'datetime' } as const;
const oneOf = (name: string, values: Record<string, readonly string[]>): ValueKind => ({ type: 'enum', name, values });

/** Fields every kind has: the record's key and version in the sending system. */
const RECORD_FIELDS: readonly FieldDef[] = [
  { field: 'sourceKey', headers: ['记录编号', '业务编号', '事件编号', '案件编号', '记录号', '编号'], value: code },
  { field: 'version', headers: ['版本号', '版本'], value: integer },
  { field: 'observedAt', headers: ['更新时间', '采集时间', '登记时间'], value: datetime },
];

/** Where it is and which grid it hangs on; places, things and incidents alike. */
const LOCATION_FIELDS: readonly FieldDef[] = [
  { field: 'gridCode', headers: ['网格编码', '网格编号', '所属网格编码'], value: code },
  { field: 'lng', headers: ['经度'], value: number },
  { field: 'lat', headers: ['纬度'], value: number },
];

const PEOPLE: readonly FieldDef[] = [
  ...RECORD_FIELDS,
  { field: 'name', headers: ['姓名'], value: text },
  { field: 'idNumber', headers: ['公民身份号码', '身份证号', '身份证号码', '证件号码'], value: code },
  { field: 'gender', headers: ['性别'], value: oneOf('Gender', GENDERS) },
  { field: 'birthDate', headers: ['出生日期'], value: date },
  { field: 'phone', headers: ['联系电话', '手机号码', '手机号', '电话'], value: code },
  { field: 'address', headers: ['居住地址', '现住址', '地址'], value: text },
  ...LOCATION_FIELDS,
  { field: 'householdType', headers: ['户籍类型', '人口类型'], value: oneOf('HouseholdType', HOUSEHOLD_TYPES) },
  { field: 'tags', headers: ['标签', '人员类别'], value: { type: 'enumList', name: 'PersonTag', values: PERSON_TAGS } },
  { field: 'socialSecurity.insured', headers: ['是否参保', '参保状态'], value: { type: 'boolean', aliases: INSURED } },
  { field: 'socialSecurity.pensionType', headers: ['养老保险类型', '养老保险'], value: oneOf('PensionType', PENSION_TYPES) },
  {
    field: 'socialSecurity.medicalInsurance',
    headers: ['医疗保险类型', '医疗保险'],
    value: oneOf('MedicalInsuranceType', MEDICAL_INSURANCE_TYPES),
  },
  { field: 'socialSecurity.employer', headers: ['参保单位', '工作单位'], value: text },
  { field: 'civilAffairs.allowances[0].type', headers: ['救助类型', '补贴类型'], value: oneOf('AllowanceType', ALLOWANCE_TYPES) },
  { field: 'civilAffairs.allowances[0].monthlyAmount', headers: ['月补助金额', '补助金额', '月发放金额'], value: number },
  { field: 'civilAffairs.allowances[0].since', headers: ['享受起始日期', '起始日期'], value: date },
  { field: 'civilAffairs.disabilityGrade', headers: ['残疾等级'], value: { type: 'integer', aliases: DISABILITY_GRADES } },
  { field: 'governance.keyPersonCategory', headers: ['重点人员类别'], value: oneOf('PersonTag', PERSON_TAGS) },
  { field: 'governance.riskLevel', headers: ['风险等级'], value: oneOf('RiskLevel', RISK_LEVELS) },
  { field: 'governance.gridWorker', headers: ['网格员'], value: text },
];

const PLACES: readonly FieldDef[] = [
  ...RECORD_FIELDS,
  { field: 'placeId', headers: [], value: code },
  { field: 'name', headers: ['名称', '场所名称', '单位名称'], value: text },
  { field: 'kind', headers: ['场所类型', '类型'], value: oneOf('PlaceKind', PLACE_KINDS) },
  { field: 'address', headers: ['标准地址', '地址'], value: text },
  ...LOCATION_FIELDS,
  { field: 'attributes.creditCode', headers: ['统一社会信用代码', '信用代码'], value: code },
  { field: 'attributes.industry', headers: ['行业', '所属行业'], value: text },
  { field: 'attributes.floors', headers: ['楼层数', '层数'], value: integer },
  { field: 'attributes.unitCount', headers: ['单元数'], value: integer },
  { field: 'attributes.householdCount', headers: ['户数'], value: integer },
  { field: 'attributes.floorArea', headers: ['建筑面积', '面积'], value: number },
  { field: 'attributes.studentCount', headers: ['学生数', '在校学生数'], value: integer },
  { field: 'attributes.bedCount', headers: ['床位数'], value: integer },
  { field: 'attributes.keyPlaceCategory', headers: ['重点场所类别'], value: text },
];

const THINGS: readonly FieldDef[] = [
  ...RECORD_FIELDS,
  { field: 'componentCode', headers: ['部件编码', '部件标识码'], value: code },
  { field: 'kind', headers: ['部件类型', '部件小类'], value: oneOf('ThingKind', THING_KINDS) },
  { field: 'category', headers: ['部件大类'], value: oneOf('ThingCategory', THING_CATEGORIES) },
  { field: 'name', headers: ['名称', '部件名称'], value: text },
  { field: 'status', headers: ['状态', '部件状态'], value: oneOf('ThingStatus', THING_STATUSES) },
  { field: 'ownerUnit', headers: ['权属单位', '主管部门'], value: text },
  { field: 'address', headers: ['地址', '位置'], value: text },
  ...LOCATION_FIELDS,
];

const INCIDENTS: readonly FieldDef[] = [
  ...RECORD_FIELDS,
  { field: 'title', headers: ['标题', '事件标题'], value: text },
  { field: 'description', headers: ['描述', '事件描述', '问题描述'], value: text },
  { field: 'category', headers: ['事件类型', '类别', '事件类别', '事件大类'], value: oneOf('IncidentCategory', INCIDENT_CATEGORIES) },
  { field: 'subCategory', headers: ['子类', '事件小类'], value: text },
  { field: 'severity', headers: ['紧急程度'], value: oneOf('Severity', SEVERITIES) },
  { field: 'address', headers: ['地址', '发生地址', '事发地址'], value: text },
  ...LOCATION_FIELDS,
  { field: 'reportedAt', headers: ['上报时间', '发生时间'], value: datetime },
  { field: 'place.sourceKey', headers: ['关联场所编号'], value: code },
  { field: 'thing.componentCode', headers: ['关联部件编码'], value: code },
];

/** The fields of each kind a file can fill, with their headers. */
export const HEADER_MAP: Readonly<Record<IngestKind, readonly FieldDef[]>> = {
  [IngestKind.PEOPLE]: PEOPLE,
  [IngestKind.PLACES]: PLACES,
  [IngestKind.THINGS]: THINGS,
  [IngestKind.INCIDENTS]: INCIDENTS,
};

/** Columns a file of each kind must have: without them no record could be valid, so nothing is sent. */
export const REQUIRED_FIELDS: Readonly<Record<IngestKind, readonly string[]>> = {
  [IngestKind.PEOPLE]: ['sourceKey', 'name'],
  [IngestKind.PLACES]: ['sourceKey', 'kind', 'name'],
  [IngestKind.THINGS]: ['sourceKey', 'componentCode', 'kind', 'name'],
  [IngestKind.INCIDENTS]: ['sourceKey', 'title', 'category'],
};

/** A person's facets, each sent only by its own department (the contract refuses them from any other). */
export const FACET_SOURCES: Readonly<Record<string, SourceSystem>> = {
  socialSecurity: SourceSystem.SOCIAL_SECURITY,
  civilAffairs: SourceSystem.CIVIL_AFFAIRS,
  governance: SourceSystem.COMPREHENSIVE_GOVERNANCE,
};

/** Columns skipped without a warning: the row counter of ledgers, and what a rejects file adds. */
export const IGNORED_HEADERS: readonly string[] = ['序号', '行号', '错误原因'];

/** The key a header is looked up by: full-width folded, no spaces, `*` or trailing bracketed note, Latin lower-case. */
export function headerKey(header: string): string {
  return header
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/\*/g, '')
    .replace(/[(\[【][^()\[\]【】]*[)\]】]$/, '')
    .toLowerCase();
}

/** A column of the file and the field it fills. */
export interface MappedColumn {
  /** 0-based position in the row. */
  index: number;
  /** The header as written in the file. */
  header: string;
  def: FieldDef;
}

/** What the header row means for a kind and source. */
export interface HeaderMapping {
  columns: MappedColumn[];
  /** Headers of columns that fill nothing (warned about once, then ignored); blank headers as `(column N)`. */
  unknown: string[];
  /** Reasons the file cannot be imported as it is; empty when it can. */
  problems: string[];
  /** Notes worth a warning that do not stop the import. */
  warnings: string[];
}

/**
 * `--map` entries: column header → field path, or null to ignore the column. Later entries win.
 * @throws Error naming the bad entry.
 */
export function parseMapOption(text: string): Map<string, string | null> {
  const entries = new Map<string, string | null>();
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const at = part.indexOf('=');
    if (at <= 0) throw new Error(`"${part.trim()}" is not COLUMN=field`);
    const column = part.slice(0, at).trim();
    const field = part.slice(at + 1).trim();
    entries.set(column, field === '' ? null : field);
  }
  return entries;
}

/**
 * `--map` given as a JSON file's contents: an object of column header → field path (`""` or null: ignore).
 * @throws Error saying what is wrong.
 */
export function parseMapJson(json: string): Map<string, string | null> {
  const value: unknown = JSON.parse(json);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error('must hold a JSON object of "column": "field"');
  }
  const entries = new Map<string, string | null>();
  for (const [column, field] of Object.entries(value)) {
    if (field !== null && typeof field !== 'string') throw new Error(`"${column}": the field must be a string`);
    entries.set(column.trim(), field === null || field.trim() === '' ? null : field.trim());
  }
  return entries;
}

/**
 * Reads a header row: which column fills which field of `kind`, and what stops the import before anything is
 * sent — a required field no column fills, two columns for one field, a `--map` naming an unknown field, a facet
 * `source` may not send.
 */
export function mapHeaders(
  kind: IngestKind,
  source: SourceSystem,
  headers: readonly string[],
  overrides: ReadonlyMap<string, string | null> = new Map(),
): HeaderMapping {
  const defs = HEADER_MAP[kind];
  const byKey = new Map<string, FieldDef>();
  for (const def of defs) {
    byKey.set(headerKey(def.field), def);
    for (const header of def.headers) byKey.set(headerKey(header), def);
  }
  const byField = new Map(defs.map((def) => [def.field, def]));
  const problems: string[] = [];
  const overrideByKey = new Map<string, FieldDef | null>();
  for (const [column, field] of overrides) {
    if (field === null) {
      overrideByKey.set(headerKey(column), null);
      continue;
    }
    const def = byField.get(field) ?? byField.get(field.replace(/\.(\d+)(?=\.|$)/g, '[$1]'));
    if (!def) {
      problems.push(`--map ${column}=${field}: ${kind} have no field "${field}" (fields: ${defs.map((d) => d.field).join(', ')})`);
      continue;
    }
    overrideByKey.set(headerKey(column), def);
  }
  const ignored = new Set(IGNORED_HEADERS.map(headerKey));

  const columns: MappedColumn[] = [];
  const unknown: string[] = [];
  headers.forEach((header, index) => {
    const key = headerKey(header);
    if (key === '') {
      unknown.push(`(column ${index + 1})`);
      return;
    }
    const def = overrideByKey.has(key) ? overrideByKey.get(key)! : ignored.has(key) ? null : byKey.get(key);
    if (def === undefined) unknown.push(header.trim());
    if (def) columns.push({ index, header: header.trim(), def });
  });

  const seen = new Map<string, MappedColumn>();
  for (const column of columns) {
    const first = seen.get(column.def.field);
    if (first) {
      problems.push(
        `columns "${first.header}" and "${column.header}" both fill ${column.def.field}: ` +
          `ignore one with --map '${column.header}='`,
      );
    } else {
      seen.set(column.def.field, column);
    }
  }
  const missing = REQUIRED_FIELDS[kind].filter((field) => !seen.has(field));
  for (const field of missing) {
    const def = byField.get(field)!;
    const names = [...def.headers, def.field].join(', ');
    problems.push(`no column for ${field} (a ${kind} file needs one headed ${names}, or --map COLUMN=${field})`);
  }
  if (missing.length > 0 && headers.filter((header) => header.trim() !== '').length === 1) {
    problems.push('the first row must be the header row: delete any title row above it');
  }
  for (const column of columns) {
    const facet = column.def.field.split('.')[0];
    const owner = FACET_SOURCES[facet];
    if (owner && owner !== source) {
      problems.push(`column "${column.header}" fills ${column.def.field}, which only ${owner} may send (not ${source})`);
    }
  }

  const warnings: string[] = [];
  const headerKeys = new Set(headers.map(headerKey));
  for (const column of overrides.keys()) {
    if (!headerKeys.has(headerKey(column))) warnings.push(`--map names a column the file does not have: "${column}"`);
  }
  if (!seen.has('version') && !seen.has('observedAt')) {
    warnings.push('no 版本号 or 更新时间 column: each record is versioned by the time gridhub receives it');
  }
  return { columns, unknown, problems, warnings };
}
