import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import { composeIdNumber } from '../../src/shared/id-number';
import { TEST_ADMIN_URL, TEST_TEMPLATE } from '../support/env';

/*
 * `npm run import` as a user runs it: `node dist/src/cli/import.js` on the sample ledgers of seeds/import/, against
 * a fresh copy of the test template database. The samples' rows that must be rejected, and on which column, are in
 * seeds/import/expected-rejects.json (written by seeds/import/make-samples.ts).
 */

const CLI = path.resolve(__dirname, '..', '..', 'src', 'cli', 'import.js');
const SAMPLES = path.resolve(__dirname, '..', '..', '..', 'seeds', 'import');
const EXPECTED_REJECTS = JSON.parse(readFileSync(path.join(SAMPLES, 'expected-rejects.json'), 'utf8')) as Record<
  string,
  Record<string, string>
>;
/** Nothing listens there: a CLI that tried to open the database would fail with ECONNREFUSED. */
const NO_DATABASE = 'postgres://gridhub@127.0.0.1:9/none';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runImport(args: string[], databaseUrl: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl };
    delete env.NODE_ENV;
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A report line's count: `  created          14` → 14. */
function reported(run: Run, label: string): number {
  const match = new RegExp(`^  ${label}\\s+([\\d,]+)`, 'm').exec(run.stdout);
  if (!match) throw new Error(`no "${label}" in the report:\n${run.stdout}\n${run.stderr}`);
  return Number(match[1].replace(/,/g, ''));
}

/** The rejects file as rows of cells (a minimal CSV reader: the file's quoting is the CLI's own). */
function readRejects(file: string): { bom: boolean; rows: string[][] } {
  const text = readFileSync(file, 'utf8');
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && body[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      (row = []), (cell = ''), i++;
    } else cell += c;
  }
  return { bom: text.startsWith('\uFEFF'), rows };
}

describe('npm run import: refusals before anything is sent', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gridhub-import-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers a bad flag with a usage error naming it (exit 2)', async () => {
    const file = path.join(dir, 'people.csv');
    writeFileSync(file, '记录编号,姓名\nK1,王桂兰\n');
    const cases: [string[], RegExp][] = [
      [['--kind', 'people', file], /--source is required/],
      [['--source', 'CIVIL', '--kind', 'people', file], /--source must be one of COMPREHENSIVE_GOVERNANCE, .*got "CIVIL"/],
      [['--source', 'CIVIL_AFFAIRS', '--kind', 'persons', file], /--kind must be one of people, places, things, incidents/],
      [['--source', 'CIVIL_AFFAIRS', '--kind', 'people', '--batch', '2000', file], /--batch must be a whole number from 1 to 1000/],
      [['--source', 'CIVIL_AFFAIRS', '--kind', 'people', '--encoding', 'big5', file], /--encoding must be one of utf8, gbk, gb18030/],
      [['--source', 'CIVIL_AFFAIRS', '--kind', 'people', '--sheet', '人员', file], /--sheet applies to .xlsx files only/],
      [['--source', 'CIVIL_AFFAIRS', '--kind', 'people', '--map', '姓名', file], /--map 姓名: "姓名" is not COLUMN=field/],
      [['--source', 'CIVIL_AFFAIRS', '--kind', 'people', '--colour', file], /Unknown option '--colour'/],
      [['--source', 'CIVIL_AFFAIRS', '--kind', 'people'], /FILE is required/],
      [['--source', 'CIVIL_AFFAIRS', '--kind', 'people', path.join(dir, 'people.txt')], /FILE must be a .csv or .xlsx file/],
      [['--source', 'CIVIL_AFFAIRS', '--kind', 'people', path.join(dir, 'missing.csv')], /FILE: no such file/],
    ];
    for (const [args, message] of cases) {
      const run = await runImport(args, NO_DATABASE);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain('npm run import -- --source SYSTEM --kind KIND [options] FILE');
    }
  });

  it('stops at a header that cannot be imported, naming what is missing, without opening the database (exit 1)', async () => {
    const file = path.join(dir, 'no-name.csv');
    writeFileSync(file, '\uFEFF序号,记录编号,身份证号,参保单位\n1,MZ-1,150302194103121025,乌海市第一中学\n');
    const run = await runImport(['--source', 'CIVIL_AFFAIRS', '--kind', 'people', file], NO_DATABASE);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no-name.csv cannot be imported as people; nothing was sent:');
    expect(run.stderr).toMatch(/- no column for name \(a people file needs one headed 姓名/);
    expect(run.stderr).toMatch(/- column "参保单位" fills socialSecurity.employer, which only SOCIAL_SECURITY may send/);
    expect(run.stderr).not.toContain('ECONNREFUSED');
  });

  it('reads a header with no rows through without opening the database (exit 0)', async () => {
    const file = path.join(dir, 'header-only.csv');
    writeFileSync(file, '记录编号,姓名,民族\n\n');
    const run = await runImport(['--source', 'CIVIL_AFFAIRS', '--kind', 'people', file], NO_DATABASE);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/ignoring columns the people header map does not know: 民族/);
    expect(run.stderr).toContain('the file has a header and no rows: nothing to send');
  });

  it('refuses a file that is not what its name says (exit 1)', async () => {
    const file = path.join(dir, 'renamed.xlsx');
    writeFileSync(file, '记录编号,姓名\nK1,王桂兰\n');
    const run = await runImport(['--source', 'CIVIL_AFFAIRS', '--kind', 'people', file], NO_DATABASE);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not a readable .xlsx workbook/);
    const sheet = path.join(dir, 'sheet.xlsx');
    copyFileSync(path.join(SAMPLES, 'governance-people.xlsx'), sheet);
    const named = await runImport(['--source', 'COMPREHENSIVE_GOVERNANCE', '--kind', 'people', '--sheet', '花名册', sheet], NO_DATABASE);
    expect(named.code).toBe(1);
    expect(named.stderr).toContain('the workbook has no worksheet named "花名册" (it has "实有人口", "填表说明")');
  });
});

describe('npm run import: the sample ledgers into a database', () => {
  let dir: string;
  let admin: Client;
  let db: Client;
  let url: string;
  const name = `gridhub_test_${randomBytes(6).toString('hex')}`;
  /** 王桂兰 (150302 1941-03-12): in the civil affairs, social security and governance samples alike. */
  const wangGuilan = composeIdNumber('150302', '1941-03-12', 102);

  beforeAll(async () => {
    const adminUrl = process.env[TEST_ADMIN_URL];
    if (!adminUrl) throw new Error('the jest global setup did not run');
    admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name} template ${TEST_TEMPLATE}`);
    const dbUrl = new URL(adminUrl);
    dbUrl.pathname = `/${name}`;
    url = dbUrl.toString();
    db = new Client({ connectionString: url });
    await db.connect();
    // The samples are imported from a copy, so that the rejects files land there.
    dir = mkdtempSync(path.join(tmpdir(), 'gridhub-import-samples-'));
    for (const file of Object.keys(EXPECTED_REJECTS)) copyFileSync(path.join(SAMPLES, file), path.join(dir, file));
  });

  afterAll(async () => {
    await db?.end();
    await admin?.query(`drop database if exists ${name} with (force)`);
    await admin?.end();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Source records of `kind` from `source` whose key is LIKE `keys` (the samples' keys are clear of the demo city's). */
  async function sourceRecords(kind: string, source: string, keys: string): Promise<number> {
    const rows = await db.query<{ n: string }>(
      'select count(*) as n from source_record where entity_kind = $1 and source = $2 and source_key like $3',
      [kind, source, keys],
    );
    return Number(rows.rows[0].n);
  }

  /** Imports one sample and checks what every import of it must show: exit 0, the rows, the rejects file. */
  async function importSample(file: string, source: string, kind: string, extra: string[] = []) {
    const input = path.join(dir, file);
    const run = await runImport(['--source', source, '--kind', kind, ...extra, input], url);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const expected = EXPECTED_REJECTS[file];
    const rejectsFile = path.join(dir, `${path.parse(file).name}.rejected.csv`);
    expect(run.stdout).toContain(`rejected rows and why: ${rejectsFile}`);
    const { bom, rows } = readRejects(rejectsFile);
    expect(bom).toBe(true);
    const [header, ...rejected] = rows;
    expect(header.slice(0, 2)).toEqual(['行号', '错误原因']);
    // Each expected row, and no other, with the reason naming its column.
    expect(rejected.map((row) => row[0])).toEqual(Object.keys(expected));
    for (const row of rejected) expect(row[1]).toContain(`${expected[row[0]]}:`);
    expect(reported(run, 'rejected')).toBe(Object.keys(expected).length);
    return { run, header, rejected };
  }

  it('imports the civil affairs ledger in GBK: report, stored records, rejects file', async () => {
    const { run, header, rejected } = await importSample('civil-affairs-people.gbk.csv', 'CIVIL_AFFAIRS', 'people');
    expect(run.stderr).toContain('reading civil-affairs-people.gbk.csv: GB18030 (not UTF-8)');
    expect(reported(run, 'rows')).toBe(19);
    // The row with a bad check character is kept without a verified ID.
    expect(reported(run, 'created')).toBe(15);
    expect(reported(run, 'updated') + reported(run, 'unchanged') + reported(run, 'stale')).toBe(0);
    expect(run.stdout).toMatch(/^  rejected\s+4  \(2 in the file, 2 by gridhub\)$/m);
    expect(run.stdout).toMatch(/^elapsed [\d.]+ s, [\d,]+ rows\/s$/m);
    expect(await sourceRecords('PERSON', 'CIVIL_AFFAIRS', 'MZ-DR-%')).toBe(15);
    // The rejected rows as they were in the file, decoded from GBK, long digit runs kept as text for Excel.
    expect(header.slice(2, 6)).toEqual(['序号', '记录编号', '姓名', '公民身份号码']);
    const badDate = rejected.find((row) => row[0] === '16')!;
    expect(badDate[1]).toBe('享受起始日期: "2024-02-30" is not a date: use 1990-01-02, 1990/1/2 or 19900102');
    expect(badDate.slice(2, 5)).toEqual(['15', 'MZ-DR-2026-0105', '马福']);
    expect(badDate[5]).toMatch(/^\t640202198305185\d{2}[\dX]$/);
  });

  it('imports the social security ledger in UTF-8 with a BOM, merging people by ID number', async () => {
    const { run } = await importSample('social-security-people.csv', 'SOCIAL_SECURITY', 'people');
    expect(run.stderr).toContain('UTF-8 (byte-order mark)');
    expect(reported(run, 'rows')).toBe(16);
    expect(reported(run, 'created') + reported(run, 'updated')).toBe(13);
    expect(await sourceRecords('PERSON', 'SOCIAL_SECURITY', 'SB-DR-%')).toBe(13);
  });

  it('imports the governance workbook, refusing an ID number Excel held as a number', async () => {
    const { run, rejected } = await importSample('governance-people.xlsx', 'COMPREHENSIVE_GOVERNANCE', 'people');
    expect(run.stderr).toContain('reading governance-people.xlsx: worksheet "实有人口"');
    expect(reported(run, 'rows')).toBe(18);
    expect(reported(run, 'created') + reported(run, 'updated')).toBe(14);
    expect(rejected.find((row) => row[0] === '16')![1]).toMatch(/^公民身份号码: "\d{17}" is held as a number/);
    expect(await sourceRecords('PERSON', 'COMPREHENSIVE_GOVERNANCE', 'ZZ-DR-150302-%')).toBe(14);
    // One person, three departments' records.
    const sources = await db.query<{ source: string }>(
      `select distinct sr.source from source_record sr join person p on sr.entity_kind = 'PERSON' and sr.entity_id = p.id
        where p.id_number = $1 order by 1`,
      [wangGuilan],
    );
    expect(sources.rows.map((r) => r.source)).toEqual(['CIVIL_AFFAIRS', 'COMPREHENSIVE_GOVERNANCE', 'SOCIAL_SECURITY']);
  });

  it('changes nothing when a ledger is imported again', async () => {
    const { run } = await importSample('civil-affairs-people.gbk.csv', 'CIVIL_AFFAIRS', 'people', ['--batch', '4']);
    expect(reported(run, 'unchanged')).toBe(15);
    expect(reported(run, 'created') + reported(run, 'updated') + reported(run, 'stale')).toBe(0);
    expect(await sourceRecords('PERSON', 'CIVIL_AFFAIRS', 'MZ-DR-%')).toBe(15);
  });

  it('imports the places, things and incidents ledgers (things before the incidents that name them)', async () => {
    const samples: [string, string, string, string, string][] = [
      ['governance-places.csv', 'COMPREHENSIVE_GOVERNANCE', 'places', 'PLACE', 'ZZ-DR-%'],
      // Component serials from 900001: the demo city's run from 000001.
      ['city-management-things.csv', 'CITY_MANAGEMENT', 'things', 'THING', 'CG-BJ-__________9%'],
      ['governance-incidents.csv', 'COMPREHENSIVE_GOVERNANCE', 'incidents', 'INCIDENT', 'ZZSJ-DR-%'],
      ['city-management-incidents.csv', 'CITY_MANAGEMENT', 'incidents', 'INCIDENT', 'CG20269%'],
    ];
    for (const [file, source, kind, entityKind, keys] of samples) {
      const { run } = await importSample(file, source, kind);
      const accepted = reported(run, 'rows') - Object.keys(EXPECTED_REJECTS[file]).length;
      expect({ file, created: reported(run, 'created') }).toEqual({ file, created: accepted });
      expect({ file, stored: await sourceRecords(entityKind, source, keys) }).toEqual({ file, stored: accepted });
    }
  });
});
