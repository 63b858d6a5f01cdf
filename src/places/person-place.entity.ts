import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { registerEnumType } from 'type-graphql';

/** How a person is linked to a place. */
export enum PersonPlaceRole {
  RESIDENT = 'RESIDENT',
  OWNER = 'OWNER',
  TENANT = 'TENANT',
  EMPLOYEE = 'EMPLOYEE',
  LEGAL_REPRESENTATIVE = 'LEGAL_REPRESENTATIVE',
}
registerEnumType(PersonPlaceRole, {
  name: 'PersonPlaceRole',
  description: 'How a person is linked to a place (人地关系)',
  valuesConfig: {
    RESIDENT: { description: 'Lives there (居住)' },
    OWNER: { description: 'Owns it (产权人)' },
    TENANT: { description: 'Rents it (租户)' },
    EMPLOYEE: { description: 'Works there (从业人员)' },
    LEGAL_REPRESENTATIVE: { description: 'Legal representative (法定代表人)' },
  },
});

/** Link between a person and a place (人地关系). */
@Entity({ tableName: 'person_place' })
@Unique({ properties: ['personId', 'placeId', 'role'] })
@Index({ properties: ['placeId'] })
export class PersonPlace {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'bigint' })
  personId!: string;

  @Property({ type: 'bigint' })
  placeId!: string;

  @Enum({ items: () => PersonPlaceRole })
  role!: PersonPlaceRole;

  @Property({ type: 'date', nullable: true })
  since?: string | null;
}
