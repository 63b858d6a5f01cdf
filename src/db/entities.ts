import { Incident } from '../incidents/incident.entity';
import { IncidentEvent } from '../incidents/incident-event.entity';
import { IncidentParty } from '../incidents/incident-party.entity';
import { Person } from '../people/person.entity';
import { Place } from '../places/place.entity';
import { PersonPlace } from '../places/person-place.entity';
import { Region } from '../regions/region.entity';
import { SourceRecord } from '../sources/source-record.entity';
import { Thing } from '../things/thing.entity';
import { DepartmentCall } from '../calls/department-call.entity';

/** Every entity MikroORM maps. */
export const ENTITIES = [Region, Person, Place, PersonPlace, Thing, Incident, IncidentParty, IncidentEvent, SourceRecord, DepartmentCall];
