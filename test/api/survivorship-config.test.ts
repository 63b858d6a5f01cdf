import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { composeIdNumber } from '../../src/shared/id-number';
import { HubProcess, printedToken, spawnHub, stopHubProcess } from '../support/process';
import { createScratchDatabase, ScratchDatabase } from '../support/scratch-database';

/*
 * GRIDHUB_SURVIVORSHIP_FILE as a user sets it: the hub (`node dist/src/main.js`) and the import CLI, each started with
 * the variable, merge by the file's priorities and not the default. The file here reverses the default for phone
 * numbers: civil affairs first, social security (the default's first) last.
 */

const IMPORT_CLI = path.resolve(__dirname, '..', '..', 'src', 'cli', 'import.js');
const PHONE_FIRST = 'CIVIL_AFFAIRS';

describe('GRIDHUB_SURVIVORSHIP_FILE reaches every writer', () => {
  let database: ScratchDatabase;
  let databaseUrl: string;
  let dir: string;
  let file: string;
  let grid: string;
  let hub: HubProcess | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gridhub-survivorship-'));
    file = path.join(dir, 'survivorship.json');
    writeFileSync(file, JSON.stringify({ person: { phone: [PHONE_FIRST, 'GRID_APP', 'COMPREHENSIVE_GOVERNANCE', 'SOCIAL_SECURITY'] } }));
    database = await createScratchDatabase();
    databaseUrl = database.url;
    grid = (await database.db.query<{ code: string }>(`select code from region where level = 'GRID' order by code limit 1`)).rows[0].code;
  });

  afterAll(async () => {
    await stopHubProcess(hub);
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The stored person's phone and which source it came from. */
  async function phoneOf(idNumber: string): Promise<{ phone: string; source: string }> {
    const { rows } = await database.db.query<{ phone: string; source: string }>(
      `select phone, lineage -> 'phone' ->> 'source' as source from person where id_number = $1`,
      [idNumber],
    );
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  it('the hub merges ingested records by the file', async () => {
    hub = spawnHub({ DATABASE_URL: databaseUrl, PORT: '0', GRIDHUB_DEMO_SEED: '0', GRIDHUB_DATA_DIR: dir, GRIDHUB_SURVIVORSHIP_FILE: file });
    const url = await hub.ready;
    const token = printedToken(hub.output());
    const idNumber = composeIdNumber('150302', '1980-03-04', 511);
    const ingest = async (source: string, phone: string) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: `mutation($source: SourceSystem!, $records: [PersonRecordInput!]!) {
            ingestPeople(source: $source, records: $records) { created updated rejected results { errors { field message } } } }`,
          variables: { source, records: [{ sourceKey: `cfg-${source}`, version: 1, idNumber, name: '配置测', phone, gridCode: grid }] },
        }),
      });
      const body = (await response.json()) as { data?: { ingestPeople: { rejected: number } }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data!.ingestPeople.rejected).toBe(0);
    };
    // Sent in the default's order of preference: by the default, social security's number would stay.
    await ingest(PHONE_FIRST, '13900000002');
    await ingest('SOCIAL_SECURITY', '13800000001');
    expect(await phoneOf(idNumber)).toEqual({ phone: '13900000002', source: PHONE_FIRST });
    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
  });

  it('the import CLI merges imported rows by the file', async () => {
    const idNumber = composeIdNumber('150302', '1975-11-20', 723);
    const importRow = (source: string, phone: string) => {
      const csv = path.join(dir, `${source}.csv`);
      writeFileSync(csv, `编号,版本号,姓名,公民身份号码,联系电话,网格编码\ncfg-cli-${source},1,配置导,${idNumber},${phone},${grid}\n`);
      return new Promise<number | null>((resolve, reject) => {
        const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, GRIDHUB_SURVIVORSHIP_FILE: file };
        delete env.NODE_ENV;
        const child = spawn(process.execPath, [IMPORT_CLI, '--source', source, '--kind', 'people', csv], { env, stdio: 'ignore' });
        child.on('error', reject);
        child.on('exit', resolve);
      });
    };
    expect(await importRow(PHONE_FIRST, '13900000004')).toBe(0);
    expect(await importRow('SOCIAL_SECURITY', '13800000003')).toBe(0);
    expect(await phoneOf(idNumber)).toEqual({ phone: '13900000004', source: PHONE_FIRST });
  });
});
