import { rowSearchKeys } from '../shared/search-keys';
import { RecordOutcome } from '../shared/outcome';
import { isWithin } from '../shared/region-code';
import { Gender } from '../shared/id-number';
import { EntityKind } from '../sources/source-system';
import { FieldDisagreement } from '../sources/survivorship';
import { WriteContext } from './ingestion.service';
import { sameNameOrVariant } from './normalize';
import { CheckedPerson, MergedPerson, mergePerson, PersonSourceRow } from './people';
import { ConflictDraft, replaceValueConflicts, storeSourceRecords } from './store';
import { RetryTransaction } from './sql';
import { byNumber } from './values';

/** A person row as matching and merging read it. */
interface PersonRow {
  id: string;
  idNumber: string | null;
  idCollision: boolean;
  name: string;
  birthDate: string | null;
  gridCode: string;
}

/** A person this batch creates. */
interface NewPerson extends PersonRow {
  gender: Gender | null;
}

/**
 * Stores a batch of person records (inside the ingestion transaction) and re-merges every person they touch.
 *
 * Matching (precision first): a record already stored stays with its person unless its ID number changed; a new
 * record with a valid citizen ID joins the person with that ID when the names are the same or a known variant and
 * the birth dates agree, otherwise it becomes a person of its own, marked as an ID collision, with an
 * `ID_COLLISION` data conflict naming both; a record without a verified ID is a person of its own.
 */
export async function writePeople(context: WriteContext<CheckedPerson>): Promise<void> {
  const { sql, items, region } = context;

  // Who the stored records belong to now, and who holds the ID numbers the records claim.
  const storedEntities = [...new Set(items.filter((item) => item.stored).map((item) => item.stored!.entityId))];
  const claimed = [...new Set(items.flatMap((item) => (item.checked.identity.kind === 'CITIZEN' ? [item.checked.identity.idNumber] : [])))];
  await lockIdNumbers(context, claimed);
  const known = await sql.rows<PersonRow>(
    `select id::text as "id", id_number as "idNumber", id_collision as "idCollision", name, birth_date::text as "birthDate",
            grid_code as "gridCode"
       from person where id = any(?::bigint[])
     union
     -- Each branch matches one of the partial indexes on id_number.
     select id::text, id_number, id_collision, name, birth_date::text, grid_code from person where id_number = any(?::text[]) and not id_collision
     union
     select id::text, id_number, id_collision, name, birth_date::text, grid_code from person where id_number = any(?::text[]) and id_collision
     order by 1`,
    [storedEntities, claimed, claimed],
  );
  const byId = new Map(known.map((row) => [row.id, row]));
  const holders = new Map<string, PersonRow[]>();
  for (const row of known) if (row.idNumber) holders.set(row.idNumber, [...(holders.get(row.idNumber) ?? []), row]);

  // Decide each record's person; plan new people.
  const created: NewPerson[] = [];
  const collisions: Array<{ person: NewPerson; holder: PersonRow; index: number }> = [];
  const personOf = new Map<number, PersonRow>();
  const moved = new Set<string>();
  const plan = (item: (typeof items)[number], collision: boolean): NewPerson => {
    const identity = item.checked.identity;
    const person: NewPerson = {
      id: '', // from the sequence, once the batch's new people are counted
      idNumber: identity.kind === 'CITIZEN' ? identity.idNumber : null,
      idCollision: collision,
      name: item.checked.name,
      birthDate: item.checked.birthDate,
      gender: identity.kind === 'CITIZEN' ? identity.gender : null,
      gridCode: item.gridCode,
    };
    created.push(person);
    if (person.idNumber) holders.set(person.idNumber, [...(holders.get(person.idNumber) ?? []), person]);
    return person;
  };
  for (const item of items) {
    const identity = item.checked.identity;
    const claimedId = identity.kind === 'CITIZEN' ? identity.idNumber : null;
    if (item.stored) {
      const current = byId.get(item.stored.entityId);
      if (current && current.idNumber === claimedId) {
        personOf.set(item.index, current);
        continue;
      }
      // The record now names another ID (a corrected typo) or none: it is matched afresh, and its old person
      // re-merged without it.
      moved.add(item.stored.entityId);
    }
    if (claimedId === null) {
      personOf.set(item.index, plan(item, false));
      continue;
    }
    const sameId = holders.get(claimedId) ?? [];
    // A token limited to a region merges only into people inside it: citing an ID number must not let it change,
    // or learn about, a person elsewhere. Outside, the holder is a collision like any other.
    const match = sameId.find(
      (person) =>
        (region === null || isWithin(person.gridCode, region)) &&
        sameNameOrVariant(person.name, item.checked.name) &&
        (person.birthDate === null || person.birthDate === item.checked.birthDate),
    );
    if (match) {
      personOf.set(item.index, match);
      continue;
    }
    const holder = sameId.find((person) => !person.idCollision);
    const person = plan(item, holder !== undefined);
    personOf.set(item.index, person);
    if (holder) collisions.push({ person, holder, index: item.index });
  }

  if (created.length > 0) {
    const ids = await allocate(context, created.length);
    created.forEach((person, i) => (person.id = ids[i]));
  }
  const entityOf = new Map([...personOf].map(([index, person]) => [index, person.id]));
  // Lock every other person whose merge changes, in id order (those created here are inserted below, seen by no one).
  const createdIds = new Set(created.map((person) => person.id));
  const existing = [...new Set([...entityOf.values(), ...moved])].filter((id) => !createdIds.has(id)).sort(byNumber);
  // Their identities come with the locks: what is read under the lock is what the re-merge below starts from.
  const identities =
    existing.length === 0
      ? []
      : await sql.rows<{ id: string; idNumber: string | null; gender: Gender | null; birthDate: string | null }>(
          `select id::text as "id", id_number as "idNumber", gender, birth_date::text as "birthDate"
             from person where id = any(?::bigint[]) order by id for update`,
          [existing],
        );

  const recordIds = await storeSourceRecords(context, entityOf);

  // A person created here is merged from its records, all of them in this batch, and inserted with the merged values
  // (not inserted bare and then updated).
  const disagreements = new Map<string, { gridCode: string; list: FieldDisagreement[] }>();
  if (created.length > 0) {
    const recordsOfNew = new Map<PersonRow, PersonSourceRow[]>(created.map((person) => [person, []]));
    for (const item of items) {
      recordsOfNew
        .get(personOf.get(item.index)!)
        ?.push({ id: recordIds.get(item.index)!, source: context.source, observedAt: item.observedAt, payload: item.payload });
    }
    const rows = created.map((person) => {
      const identity = person.idNumber && person.gender && person.birthDate ? { gender: person.gender, birthDate: person.birthDate } : null;
      const merged = mergePerson(recordsOfNew.get(person)!, identity, context.priorities.person);
      disagreements.set(person.id, { gridCode: merged.gridCode, list: merged.disagreements });
      return { ...personColumns(person.id, merged), id_number: person.idNumber, id_collision: person.idCollision };
    });
    // ID numbers in order, so that concurrent writers wait for each other rather than deadlock; a number another
    // batch took meanwhile (not inserted here) means this batch matched against an outdated picture: run it again.
    const inserted = await sql.rows<{ id: string }>(
      `insert into person (id, id_number, id_collision, name, gender, birth_date, phone, grid_code, address, household_type, tags,
                           social_security, civil_affairs, governance, lineage, search_keys)
       select r.id, r.id_number, r.id_collision, r.name, r.gender, r.birth_date, r.phone, r.grid_code, r.address, r.household_type,
              r.tags, r.social_security, r.civil_affairs, r.governance, r.lineage, r.search_keys
         from jsonb_to_recordset(?::jsonb) as r(id bigint, id_number text, id_collision boolean, name text, gender text,
              birth_date date, phone text, grid_code text, address text, household_type text, tags text[], social_security jsonb,
              civil_affairs jsonb, governance jsonb, lineage jsonb, search_keys text[])
        order by r.id_number nulls last, r.id
       on conflict (id_number) where not id_collision do nothing
       returning id::text as "id"`,
      [JSON.stringify(rows)],
    );
    if (inserted.length !== created.length) throw new RetryTransaction('a concurrent batch created one of these people first');
  }

  // Re-merge every other affected person from all of its source records: the batch's own as they are here, the others
  // read back; in id order, as a person's records were always merged.
  const existingIds = new Set(existing);
  const own = items.filter((item) => existingIds.has(entityOf.get(item.index)!));
  const rows =
    existing.length === 0
      ? []
      : await sql.rows<PersonSourceRow & { entityId: string }>(
          `select id::text as "id", entity_id::text as "entityId", source, observed_at as "observedAt", payload
             from source_record where entity_kind = 'PERSON' and entity_id = any(?::bigint[]) and id <> all(?::bigint[])`,
          [existing, own.map((item) => recordIds.get(item.index)!)],
        );
  for (const item of own) {
    const entityId = entityOf.get(item.index)!;
    rows.push({ id: recordIds.get(item.index)!, entityId, source: context.source, observedAt: item.observedAt, payload: item.payload });
  }
  rows.sort((a, b) => byNumber(a.id, b.id));
  const recordsOf = new Map<string, PersonSourceRow[]>();
  for (const row of rows) {
    const list = recordsOf.get(row.entityId);
    if (list) list.push(row);
    else recordsOf.set(row.entityId, [row]);
  }
  const updates: Array<Record<string, unknown>> = [];
  const orphans: string[] = [];
  for (const person of identities) {
    const records = recordsOf.get(person.id) ?? [];
    if (records.length === 0) {
      orphans.push(person.id);
      continue;
    }
    const identity = person.idNumber && person.gender && person.birthDate ? { gender: person.gender, birthDate: person.birthDate } : null;
    const merged = mergePerson(records, identity, context.priorities.person);
    updates.push(personColumns(person.id, merged));
    disagreements.set(person.id, { gridCode: merged.gridCode, list: merged.disagreements });
  }
  if (updates.length > 0) {
    await sql.rows(
      `update person p set name = r.name, gender = r.gender, birth_date = r.birth_date, phone = r.phone, grid_code = r.grid_code,
              address = r.address, household_type = r.household_type, tags = r.tags, social_security = r.social_security,
              civil_affairs = r.civil_affairs, governance = r.governance, lineage = r.lineage, search_keys = r.search_keys,
              updated_at = now()
         from jsonb_to_recordset(?::jsonb) as r(id bigint, name text, gender text, birth_date date, phone text, grid_code text,
              address text, household_type text, tags text[], social_security jsonb, civil_affairs jsonb, governance jsonb,
              lineage jsonb, search_keys text[])
        where p.id = r.id
          and (p.name, p.gender, p.birth_date, p.phone, p.grid_code, p.address, p.household_type, p.tags, p.social_security,
               p.civil_affairs, p.governance, p.lineage)
              is distinct from
              (r.name, r.gender, r.birth_date, r.phone, r.grid_code, r.address, r.household_type, r.tags, r.social_security,
               r.civil_affairs, r.governance, r.lineage)`,
      [JSON.stringify(updates)],
    );
  }
  if (orphans.length > 0) {
    // A person whose every record moved to another person (its ID number was corrected): its links and parties,
    // and conflicts naming it, follow the record; then nothing of it is left to show.
    const successor = new Map<string, string>();
    for (const item of items) {
      if (item.stored && orphans.includes(item.stored.entityId)) successor.set(item.stored.entityId, entityOf.get(item.index)!);
    }
    const moves = JSON.stringify([...successor].map(([from, to]) => ({ from_id: from, to_id: to })));
    await sql.rows(
      `insert into person_place (person_id, place_id, role, since, source)
       select r.to_id, l.place_id, l.role, l.since, l.source
         from person_place l join jsonb_to_recordset(?::jsonb) as r(from_id bigint, to_id bigint) on l.person_id = r.from_id
       on conflict do nothing`,
      [moves],
    );
    await sql.rows(
      `insert into incident_party (incident_id, person_id, role, source)
       select l.incident_id, r.to_id, l.role, l.source
         from incident_party l join jsonb_to_recordset(?::jsonb) as r(from_id bigint, to_id bigint) on l.person_id = r.from_id
       on conflict do nothing`,
      [moves],
    );
    await sql.rows(
      `delete from data_conflict where entity_kind = 'PERSON' and (entity_id = any(?::bigint[]) or related_entity_id = any(?::bigint[]))`,
      [orphans, orphans],
    );
    await sql.rows(`delete from person where id = any(?::bigint[])`, [orphans]);
  }
  const collisionDrafts: ConflictDraft[] = collisions.map(({ person, holder, index }) => ({
    entityId: person.id,
    gridCode: person.gridCode,
    field: 'idNumber',
    kind: 'ID_COLLISION',
    relatedEntityId: holder.id,
    relatedGridCode: holder.gridCode,
    candidates: [
      { source: context.source, sourceRecordId: recordIds.get(index)!, entityId: person.id, value: { name: person.name, birthDate: person.birthDate } },
      { source: null, sourceRecordId: null, entityId: holder.id, value: { name: holder.name, birthDate: holder.birthDate } },
    ],
  }));
  await replaceValueConflicts(sql, EntityKind.PERSON, disagreements, collisionDrafts);

  for (const item of items) {
    context.decide(item.index, {
      outcome: item.stored ? RecordOutcome.UPDATED : RecordOutcome.CREATED,
      entityId: entityOf.get(item.index)!,
      errors: [],
    });
  }
}

/** The columns of a person row that merging decides, as the insert and the update read them (jsonb_to_recordset). */
function personColumns(id: string, merged: MergedPerson): Record<string, unknown> {
  return {
    id,
    name: merged.name,
    gender: merged.gender,
    birth_date: merged.birthDate,
    phone: merged.phone,
    grid_code: merged.gridCode,
    address: merged.address,
    household_type: merged.householdType,
    tags: merged.tags,
    social_security: merged.socialSecurity,
    civil_affairs: merged.civilAffairs,
    governance: merged.governance,
    lineage: merged.lineage,
    search_keys: rowSearchKeys('person', merged.name, merged.address),
  };
}

/** Namespace (first key) of the transaction advisory locks on ID numbers; the second key is the number's hash. */
const ID_NUMBER_LOCKS = 0x49444e4f; // 'IDNO'

/**
 * Batches that claim the same ID numbers take turns from here to their commit: the later one waits before matching
 * and then finds the people the earlier one created, where it would otherwise match against the outdated picture,
 * lose the insert race and run the whole transaction again. Taken in one statement in hash order, so that two
 * batches never wait for each other crosswise (a hash shared by two numbers only makes a batch wait needlessly).
 * The numbers share 128 locks: a transaction holds at most 128 however large (the demo city's load is one
 * transaction; PostgreSQL's lock table has max_locks_per_transaction × max_connections slots for everyone).
 */
async function lockIdNumbers(context: WriteContext<CheckedPerson>, idNumbers: readonly string[]): Promise<void> {
  if (idNumbers.length === 0) return;
  await context.sql.rows(
    `select count(*) from (
       select pg_advisory_xact_lock(?, k) from (select distinct hashtext(n) & 127 as k from unnest(?::text[]) n order by k offset 0) keys
     ) locked`,
    [ID_NUMBER_LOCKS, idNumbers],
  );
}

/** Ids for the people a batch may create (at most one per record), taken from the sequence up front. */
async function allocate(context: WriteContext<CheckedPerson>, count: number): Promise<string[]> {
  const rows = await context.sql.rows<{ id: string }>(
    `select nextval(pg_get_serial_sequence('person', 'id'))::text as "id" from generate_series(1, ?)`,
    [count],
  );
  return rows.map((row) => row.id);
}
