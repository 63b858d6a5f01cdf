import { registerEnumType } from 'type-graphql';

/** The department systems that feed gridhub (design §3), plus gridhub's own grid app. */
export enum SourceSystem {
  COMPREHENSIVE_GOVERNANCE = 'COMPREHENSIVE_GOVERNANCE',
  SOCIAL_SECURITY = 'SOCIAL_SECURITY',
  CIVIL_AFFAIRS = 'CIVIL_AFFAIRS',
  CITY_MANAGEMENT = 'CITY_MANAGEMENT',
  GRID_APP = 'GRID_APP',
}

registerEnumType(SourceSystem, {
  name: 'SourceSystem',
  description: 'A system that sends records to gridhub (数据来源系统)',
  valuesConfig: {
    COMPREHENSIVE_GOVERNANCE: { description: 'Comprehensive governance (综治)' },
    SOCIAL_SECURITY: { description: 'Social security (社保)' },
    CIVIL_AFFAIRS: { description: 'Civil affairs (民政)' },
    CITY_MANAGEMENT: { description: 'Digital city management (数字城管)' },
    GRID_APP: { description: "gridhub's own grid app and command centre (网格通)" },
  },
});

/** The kinds of canonical entity a source record can belong to. */
export enum EntityKind {
  PERSON = 'PERSON',
  PLACE = 'PLACE',
  THING = 'THING',
  INCIDENT = 'INCIDENT',
}

registerEnumType(EntityKind, { name: 'EntityKind', description: 'Kind of canonical entity (人, 地, 物, 事)' });
