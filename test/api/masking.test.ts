import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { SourceSystem } from '../../src/sources/source-system';
import { expectError, Hub, ok, startHub } from '../support/harness';

/**
 * Personal data masking (design §6): ID and phone numbers are masked (`150302********1234`, `138****5678`) for an
 * ANALYST — on the person, on nested people and inside source record payloads — and shown as stored to roles that
 * may see them.
 */

let hub: Hub;
let analyst: string;

const MASKED_ID = /^\d{6}\*{8}[\dX]{4}$/;
const MASKED_MOBILE = /^1\d{2}\*{4}\d{4}$/;

/** A person with an 11-digit mobile number and payloads that carry both numbers. */
let subject: { id: string; id_number: string; phone: string; grid_code: string };

beforeAll(async () => {
  hub = await startHub();
  analyst = await hub.token({ roles: [Role.ANALYST], region: '1503' });
  const [row] = await hub.sql(
    `select p.id::text, p.id_number, p.phone, p.grid_code from person p
      where p.phone ~ '^1[0-9]{10}$'
        and exists (select 1 from source_record s where s.entity_kind = 'PERSON' and s.entity_id = p.id
                      and strpos(s.payload::text, p.id_number) > 0 and strpos(s.payload::text, p.phone) > 0)
      order by p.id limit 1`,
  );
  subject = row;
});

afterAll(async () => {
  await hub?.close();
});

const maskId = (idNumber: string) => `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`;
const maskMobile = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(-4)}`;

/** Paths (like `a.b.0.c`) of every string in `value` equal to `needle`. */
function pathsOf(value: unknown, needle: string, path = ''): string[] {
  if (typeof value === 'string') return value === needle ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => pathsOf(item, needle, `${path}.${i}`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => pathsOf(item, needle, `${path}.${key}`));
  }
  return [];
}

function at(value: unknown, path: string): unknown {
  return path
    .split('.')
    .filter((part) => part !== '')
    .reduce<any>((node, part) => (node == null ? undefined : node[part]), value);
}

const PERSON = `query($id: ID!) { person(id: $id) { id idNumber phone sourceRecords { id payload } } }`;

describe('ANALYST', () => {
  it('sees the ID number and phone masked', async () => {
    expect(subject).toBeDefined();
    const data: any = ok(await hub.gql(analyst, PERSON, { id: subject.id }));
    expect(data.person.idNumber).toMatch(MASKED_ID);
    expect(data.person.idNumber).toBe(maskId(subject.id_number));
    expect(data.person.phone).toMatch(MASKED_MOBILE);
    expect(data.person.phone).toBe(maskMobile(subject.phone));
  });

  it('sees the numbers masked inside source record payloads, wherever the source put them', async () => {
    const records = await hub.sql(
      `select id::text, payload from source_record where entity_kind = 'PERSON' and entity_id = $1 order by source_record.id`,
      [subject.id],
    );
    const data: any = ok(await hub.gql(analyst, PERSON, { id: subject.id }));
    expect(data.person.sourceRecords.map((r: any) => r.id)).toEqual(records.map((r) => r.id));
    let idHits = 0;
    let phoneHits = 0;
    records.forEach((record, i) => {
      const masked = data.person.sourceRecords[i].payload;
      const text = JSON.stringify(masked);
      expect(text).not.toContain(subject.id_number);
      expect(text).not.toContain(subject.phone);
      for (const path of pathsOf(record.payload, subject.id_number)) {
        idHits++;
        expect(at(masked, path)).toMatch(MASKED_ID);
        expect(at(masked, path)).toBe(maskId(subject.id_number));
      }
      for (const path of pathsOf(record.payload, subject.phone)) {
        phoneHits++;
        expect(at(masked, path)).toBe(maskMobile(subject.phone));
      }
    });
    expect(idHits).toBeGreaterThan(0);
    expect(phoneHits).toBeGreaterThan(0);
  });

  it('never receives a real ID or phone number in a page of people with payloads', async () => {
    const data: any = ok(
      await hub.gql(
        analyst,
        `{ people(first: 100, filter: { regionCode: "150302" }) { edges { node { id idNumber phone sourceRecords { payload } } } } }`,
      ),
    );
    const nodes = data.people.edges.map((edge: any) => edge.node);
    expect(nodes).toHaveLength(100);
    const real = await hub.sql(`select id::text, id_number, phone from person where id = any($1::bigint[])`, [
      nodes.map((n: any) => n.id),
    ]);
    const byId = new Map(real.map((r) => [r.id, r]));
    for (const node of nodes) {
      const row = byId.get(node.id)!;
      expect(node.idNumber).toMatch(MASKED_ID);
      expect(node.idNumber).toBe(maskId(row.id_number));
      if (row.phone === null) expect(node.phone).toBeNull();
      else expect(node.phone).not.toBe(row.phone);
      if (row.phone !== null && /^1\d{10}$/.test(row.phone)) expect(node.phone).toBe(maskMobile(row.phone));
      const text = JSON.stringify(node.sourceRecords);
      expect(text).not.toContain(row.id_number);
      if (row.phone !== null) expect(text).not.toContain(row.phone);
    }
  });

  it('may not look people up by ID number (it would confirm guesses of the masked digits)', async () => {
    const response = await hub.gql(analyst, `query($n: String!) { personByIdNumber(idNumber: $n) { id idNumber phone } }`, {
      n: subject.id_number,
    });
    expectError(response, 'FORBIDDEN');
    expect(JSON.stringify(response)).not.toContain(subject.id_number);
  });

  it('sees people masked on nested paths too (place.people, incident.parties)', async () => {
    const [link] = await hub.sql(
      `select pp.place_id::text as place, p.id::text as person, p.id_number, p.phone from person_place pp
         join person p on p.id = pp.person_id where p.phone is not null order by pp.id limit 1`,
    );
    const placeData: any = ok(
      await hub.gql(analyst, `query($id: ID!) { place(id: $id) { people { person { id idNumber phone } } } }`, { id: link.place }),
    );
    const viaPlace = placeData.place.people.find((l: any) => l.person.id === link.person).person;
    expect(viaPlace.idNumber).toBe(maskId(link.id_number));
    expect(viaPlace.phone).not.toBe(link.phone);

    const [party] = await hub.sql(
      `select ip.incident_id::text as incident, p.id::text as person, p.id_number from incident_party ip
         join person p on p.id = ip.person_id order by ip.id limit 1`,
    );
    const incidentData: any = ok(
      await hub.gql(analyst, `query($id: ID!) { incident(id: $id) { parties { person { id idNumber } } } }`, {
        id: party.incident,
      }),
    );
    const viaIncident = incidentData.incident.parties.find((l: any) => l.person.id === party.person).person;
    expect(viaIncident.idNumber).toBe(maskId(party.id_number));
  });
});

describe('roles that may see personal data', () => {
  async function expectUnmasked(token: string): Promise<void> {
    const records = await hub.sql(
      `select id::text, source, payload from source_record where entity_kind = 'PERSON' and entity_id = $1 order by source_record.id`,
      [subject.id],
    );
    const data: any = ok(await hub.gql(token, PERSON, { id: subject.id }));
    expect(data.person.idNumber).toBe(subject.id_number);
    expect(data.person.phone).toBe(subject.phone);
    const visible = new Set(data.person.sourceRecords.map((r: any) => r.id));
    const expected = records.filter((r) => visible.has(r.id));
    expect(expected.length).toBeGreaterThan(0);
    expect(data.person.sourceRecords).toEqual(expected.map((r) => ({ id: r.id, payload: r.payload })));
  }

  it('COMMAND_CENTER sees the stored values', async () => {
    await expectUnmasked(await hub.token({ roles: [Role.COMMAND_CENTER], region: '1503' }));
  });

  it('GRID_WORKER of the person’s grid sees the stored values', async () => {
    await expectUnmasked(await hub.token({ roles: [Role.GRID_WORKER], region: subject.grid_code }));
  });

  it('ADMIN sees the stored values', async () => {
    await expectUnmasked(await hub.token({ roles: [Role.ADMIN] }));
  });

  it('a DEPARTMENT sees the stored values of a person it sent', async () => {
    const [row] = await hub.sql(
      `select source from source_record where entity_kind = 'PERSON' and entity_id = $1 order by source_record.id limit 1`,
      [subject.id],
    );
    await expectUnmasked(await hub.token({ roles: [Role.DEPARTMENT], region: '1503', source: row.source as SourceSystem }));
  });

  it('ID numbers of a page equal the stored ones for COMMAND_CENTER', async () => {
    const token = await hub.token({ roles: [Role.COMMAND_CENTER], region: '150304' });
    const data: any = ok(await hub.gql(token, `{ people(first: 50) { edges { node { id idNumber phone } } } }`));
    const nodes = data.people.edges.map((edge: any) => edge.node);
    const real = await hub.sql(`select id::text, id_number, phone from person where grid_code like '150304%' order by person.id limit 50`);
    expect(nodes).toEqual(real.map((r) => ({ id: r.id, idNumber: r.id_number, phone: r.phone })));
  });
});
