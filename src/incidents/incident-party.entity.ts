import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { registerEnumType } from 'type-graphql';

export enum IncidentPartyRole {
  REPORTER = 'REPORTER',
  PARTY = 'PARTY',
  VICTIM = 'VICTIM',
  WITNESS = 'WITNESS',
}
registerEnumType(IncidentPartyRole, {
  name: 'IncidentPartyRole',
  description: 'How a person is involved in an incident',
  valuesConfig: {
    REPORTER: { description: 'Reporter (报告人)' },
    PARTY: { description: 'Party to the matter (当事人)' },
    VICTIM: { description: 'Victim (受害人)' },
    WITNESS: { description: 'Witness (证人)' },
  },
});

/** A person involved in an incident. */
@Entity({ tableName: 'incident_party' })
@Unique({ properties: ['incidentId', 'personId', 'role'] })
@Index({ properties: ['personId'] })
export class IncidentParty {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'bigint' })
  incidentId!: string;

  @Property({ type: 'bigint' })
  personId!: string;

  @Enum({ items: () => IncidentPartyRole })
  role!: IncidentPartyRole;
}
