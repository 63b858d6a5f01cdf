import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { Hub, ok, startHub } from '../support/harness';

/**
 * Attacks on the lean read paths (issue 12): rows by id with the selected columns only, links that carry their
 * person or incident, grids read with a page. A town's token must reach nothing outside its town through them, and
 * a masked role must read no raw ID or phone number, however the fields are selected (found holding in a hostile
 * pass; kept as tests).
 */
let hub: Hub;
let town: string;
let otherTown: string;
let centre: string;
let analyst: string;

beforeAll(async () => {
  hub = await startHub();
  // A town with a case that has a place and a party (the test data is small: not every town has one).
  [{ town }] = await hub.sql<{ town: string }>(
    `select left(i.grid_code, 9) as town from incident i
      where i.place_id is not null and exists (select 1 from incident_party ip where ip.incident_id = i.id)
        and exists (select 1 from person p join incident_party ip on ip.person_id = p.id
                     where p.grid_code like left(i.grid_code, 9) || '%' and p.id_number is not null and p.phone is not null)
      group by 1 order by count(*) desc limit 1`,
  );
  [{ code: otherTown }] = await hub.sql<{ code: string }>(`select code from region where level = 'TOWN' and code <> $1 order by code limit 1`, [town]);
  centre = await hub.token({ sub: 'cc-town', roles: [Role.COMMAND_CENTER], region: town });
  analyst = await hub.token({ sub: 'an-town', roles: [Role.ANALYST], region: town });
});
afterAll(() => hub?.close());

describe('a town token through the lean paths', () => {
  it('gets no place, party, person or grid of another town: moved behind the hub\'s back, each reads as gone', async () => {
    const [incident] = await hub.sql(
      `select i.id::text, i.place_id::text as "placeId" from incident i
        where i.grid_code like $1 || '%' and i.place_id is not null
          and exists (select 1 from incident_party ip where ip.incident_id = i.id) order by i.id limit 1`,
      [town],
    );
    expect(incident).toBeDefined();
    const [party] = await hub.sql(`select person_id::text as id from incident_party where incident_id = $1 order by id limit 1`, [incident.id]);
    const [foreignGrid] = await hub.sql(`select code from region where level = 'GRID' and code like $1 || '%' order by code limit 1`, [otherTown]);
    await hub.sql(`update place set grid_code = $2 where id = $1`, [incident.placeId, foreignGrid.code]);
    await hub.sql(`update person set grid_code = $2 where id = $1`, [party.id, foreignGrid.code]);
    const query = `query($id: ID!, $person: ID!) {
      incident(id: $id) { id a: place { name } b: place { id name address } parties { person { id name grid { code } } } }
      person(id: $person) { id grid { code name } }
      incidents(first: 100) { edges { node { grid { code } place { id } parties { person { id } } } } }
    }`;
    const data = ok(await hub.gql(centre, query, { id: incident.id, person: party.id }));
    expect(data.incident.a).toBeNull();
    expect(data.incident.b).toBeNull();
    expect(data.incident.parties.map((link: any) => link.person.id)).not.toContain(party.id);
    expect(data.person).toBeNull();
    const text = JSON.stringify(data);
    expect(text).not.toContain(foreignGrid.code);
    expect(text).not.toContain(`"${incident.placeId}"`);
    for (const { node } of data.incidents.edges) expect(node.grid.code.startsWith(town)).toBe(true);
  });
});

describe('a masked role through the lean paths', () => {
  it('reads no raw ID or phone number: a person by id with its grid, a party\'s person, aliased and in fragments', async () => {
    const [person] = await hub.sql(
      `select p.id::text, p.id_number, p.phone from person p join incident_party ip on ip.person_id = p.id
        where p.grid_code like $1 || '%' and p.id_number is not null and p.phone is not null order by p.id limit 1`,
      [town],
    );
    expect(person).toBeDefined();
    const query = `query($id: ID!) {
      person(id: $id) { idNumber phone n: idNumber grid { name } ...P }
      incidents(first: 100) { edges { node { parties { person { ...P } } p2: parties { person { phone } } } } }
    }
    fragment P on Person { idNumber phone birthDate }`;
    const data = ok(await hub.gql(analyst, query, { id: person.id }));
    const text = JSON.stringify(data);
    expect(text).not.toContain(person.id_number);
    expect(text).not.toContain(person.phone);
    expect(data.person.idNumber).toMatch(/\*/);
    expect(data.person.phone).toMatch(/\*/);
  });
});
