import { GraphQLDateTimeISO, GraphQLSafeInt } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { IncidentCategory, Severity } from '../incidents/incident.entity';
import { IncidentPartyRole } from '../incidents/incident-party.entity';
import {
  AllowanceType,
  HouseholdType,
  MedicalInsuranceType,
  PensionType,
  PersonTag,
  RiskLevel,
} from '../people/person.entity';
import { PlaceKind } from '../places/place.entity';
import { PersonPlaceRole } from '../places/person-place.entity';
import { Gender } from '../shared/id-number';
import { FieldError, RecordOutcome } from '../shared/outcome';
import { ThingCategory, ThingKind, ThingStatus } from '../things/thing.entity';

/*
 * The ingestion contract (design §5): what a department system sends. The same shapes are the in-process entry's
 * (demo city, file import), which passes plain objects; the service validates every value's JavaScript type
 * itself, so nothing relies on GraphQL having checked it.
 */

/** Fields every source record carries (each record type inherits them; never used on its own, so not emitted). */
@InputType()
export abstract class SourceRecordFields {
  @Field({ description: "The record's key in the sending system (1 to 200 characters)" })
  sourceKey!: string;

  @Field(() => GraphQLSafeInt, {
    nullable: true,
    description:
      'Version of the record in the sending system: larger is newer. Left out, the time in observedAt (epoch ms) ' +
      'is the version. Give version, observedAt or both.',
  })
  version?: number | null;

  @Field(() => GraphQLDateTimeISO, {
    nullable: true,
    description: 'When the sending system observed this state of the record; left out, the time gridhub received it',
  })
  observedAt?: Date | string | null;
}

@InputType({ description: 'Social security facet (社保) as the social security system sends it' })
export class SocialSecurityInput {
  @Field({ description: 'Insured at all (参保)' })
  insured!: boolean;

  @Field(() => PensionType)
  pensionType!: PensionType;

  @Field(() => MedicalInsuranceType)
  medicalInsurance!: MedicalInsuranceType;

  @Field(() => String, { nullable: true, description: 'Employer (参保单位)' })
  employer?: string | null;
}

@InputType({ description: 'An allowance paid to a person (救助/补贴)' })
export class AllowanceInput {
  @Field(() => AllowanceType)
  type!: AllowanceType;

  @Field(() => Float, { description: 'Monthly amount in yuan (元/月), 0 to 100000' })
  monthlyAmount!: number;

  @Field(() => String, { nullable: true, description: 'Paid since (YYYY-MM-DD)' })
  since?: string | null;
}

@InputType({ description: 'Civil affairs facet (民政) as the civil affairs system sends it' })
export class CivilAffairsInput {
  @Field(() => [AllowanceInput], { nullable: true, description: 'At most 10' })
  allowances?: AllowanceInput[] | null;

  @Field(() => Int, { nullable: true, description: 'Disability grade 1 (most severe) to 4' })
  disabilityGrade?: number | null;
}

@InputType({ description: 'Comprehensive governance facet (综治) as the governance system sends it' })
export class GovernanceInput {
  @Field(() => PersonTag, { nullable: true, description: 'Key-person category (重点人员类别)' })
  keyPersonCategory?: PersonTag | null;

  @Field(() => RiskLevel, { nullable: true })
  riskLevel?: RiskLevel | null;

  @Field(() => String, { nullable: true, description: 'Assigned grid worker (网格员)' })
  gridWorker?: string | null;
}

@InputType({ description: "One person record from a department system (人口信息)" })
export class PersonRecordInput extends SourceRecordFields {
  @Field(() => String, {
    nullable: true,
    description:
      'Citizen ID number (公民身份号码): 18 characters with a valid check character, or a 15-digit legacy number ' +
      '(converted). Left out or not a valid citizen ID (a bad check character — reported as a warning —, a foreign ' +
      'passport, an HK/Macau/Taiwan permit), the person is kept without a verified ID and never merged with another by name.',
  })
  idNumber?: string | null;

  @Field({ description: 'Name (姓名), 1 to 100 characters' })
  name!: string;

  @Field(() => Gender, { nullable: true, description: 'Derived from a valid ID number; give it for people without one' })
  gender?: Gender | null;

  @Field(() => String, {
    nullable: true,
    description: 'Birth date (YYYY-MM-DD); derived from a valid ID number, and must agree with it when both are given',
  })
  birthDate?: string | null;

  @Field(() => String, { nullable: true, description: 'Phone number (联系电话)' })
  phone?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Residence grid (15 digits, registered); left out, the grid whose boundary contains lng/lat',
  })
  gridCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Residence address (居住地址), at most 300 characters' })
  address?: string | null;

  @Field(() => Float, { nullable: true, description: 'Longitude of the residence (WGS-84)' })
  lng?: number | null;

  @Field(() => Float, { nullable: true, description: 'Latitude of the residence (WGS-84)' })
  lat?: number | null;

  @Field(() => HouseholdType, { nullable: true })
  householdType?: HouseholdType | null;

  @Field(() => [PersonTag], { nullable: true, description: "This source's tags for the person (replace its earlier ones)" })
  tags?: PersonTag[] | null;

  @Field(() => SocialSecurityInput, { nullable: true, description: 'Only the SOCIAL_SECURITY source may send it' })
  socialSecurity?: SocialSecurityInput | null;

  @Field(() => CivilAffairsInput, { nullable: true, description: 'Only the CIVIL_AFFAIRS source may send it' })
  civilAffairs?: CivilAffairsInput | null;

  @Field(() => GovernanceInput, { nullable: true, description: 'Only the COMPREHENSIVE_GOVERNANCE source may send it' })
  governance?: GovernanceInput | null;
}

@InputType({ description: 'Kind-specific attributes of a place; give only those that apply to its kind' })
export class PlaceAttributesInput {
  @Field(() => Int, { nullable: true }) floors?: number | null;
  @Field(() => Int, { nullable: true }) unitCount?: number | null;
  @Field(() => Int, { nullable: true }) householdCount?: number | null;
  @Field(() => Float, { nullable: true }) floorArea?: number | null;
  @Field(() => String, { nullable: true }) creditCode?: string | null;
  @Field(() => String, { nullable: true }) industry?: string | null;
  @Field(() => Int, { nullable: true }) studentCount?: number | null;
  @Field(() => Int, { nullable: true }) bedCount?: number | null;
  @Field(() => String, { nullable: true }) keyPlaceCategory?: string | null;
}

/** A person linked to a place or incident: by citizen ID number, or by the key of a person record of the same source. */
@InputType()
export abstract class PersonLinkInput {
  @Field(() => String, { nullable: true, description: 'Citizen ID number of a person gridhub knows' })
  idNumber?: string | null;

  @Field(() => String, { nullable: true, description: 'sourceKey of a person record this source sent' })
  personSourceKey?: string | null;
}

@InputType({ description: 'A person linked to a place, and how (住户, 房主, 租户, 从业人员, 法定代表人)' })
export class PlacePersonInput extends PersonLinkInput {
  @Field(() => PersonPlaceRole)
  role!: PersonPlaceRole;

  @Field(() => String, { nullable: true, description: 'Since (YYYY-MM-DD)' })
  since?: string | null;
}

@InputType({ description: 'One place record from a department system (地)' })
export class PlaceRecordInput extends SourceRecordFields {
  @Field(() => ID, { nullable: true, description: 'Explicit link: the gridhub place this record describes' })
  placeId?: string | null;

  @Field(() => PlaceKind)
  kind!: PlaceKind;

  @Field({ description: 'Name (名称), 1 to 200 characters' })
  name!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Standard address (标准地址); places of one grid with the same normalised address are one place',
  })
  address?: string | null;

  @Field(() => String, { nullable: true, description: 'Grid (15 digits, registered); left out, the grid containing lng/lat' })
  gridCode?: string | null;

  @Field(() => Float, { nullable: true }) lng?: number | null;
  @Field(() => Float, { nullable: true }) lat?: number | null;

  @Field(() => PlaceAttributesInput, { nullable: true })
  attributes?: PlaceAttributesInput | null;

  @Field(() => [PlacePersonInput], { nullable: true, description: "People linked to the place (replace this source's earlier links), at most 200" })
  people?: PlacePersonInput[] | null;
}

@InputType({ description: 'One thing record (物): a city component (部件) or a governance object' })
export class ThingRecordInput extends SourceRecordFields {
  @Field({ description: 'Component code (部件编码): things with the same code are one thing' })
  componentCode!: string;

  @Field(() => ThingKind)
  kind!: ThingKind;

  @Field(() => ThingCategory, { nullable: true, description: "Derived from the kind when left out; must match it" })
  category?: ThingCategory | null;

  @Field({ description: 'Name (名称), 1 to 200 characters' })
  name!: string;

  @Field(() => ThingStatus, { nullable: true, description: 'Default NORMAL' })
  status?: ThingStatus | null;

  @Field(() => String, { nullable: true, description: 'Owner unit (权属单位)' })
  ownerUnit?: string | null;

  @Field(() => String, { nullable: true }) address?: string | null;

  @Field(() => String, { nullable: true, description: 'Grid (15 digits, registered); left out, the grid containing lng/lat' })
  gridCode?: string | null;

  @Field(() => Float, { nullable: true }) lng?: number | null;
  @Field(() => Float, { nullable: true }) lat?: number | null;
}

@InputType({ description: 'A person linked to an incident, and how' })
export class IncidentPersonInput extends PersonLinkInput {
  @Field(() => IncidentPartyRole)
  role!: IncidentPartyRole;
}

@InputType({ description: 'A place or thing an incident concerns: by gridhub id, or by the key of a record of the same source' })
export class EntityLinkInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true, description: 'sourceKey of a record this source sent' }) sourceKey?: string | null;
  @Field(() => String, { nullable: true, description: 'Things only: the component code' }) componentCode?: string | null;
}

@InputType({ description: 'One incident record (事件) from a department system; one incident per (source, sourceKey)' })
export class IncidentRecordInput extends SourceRecordFields {
  @Field({ description: 'Title (标题), 1 to 200 characters' })
  title!: string;

  @Field(() => String, { nullable: true, description: 'At most 5000 characters' })
  description?: string | null;

  @Field(() => IncidentCategory)
  category!: IncidentCategory;

  @Field(() => String, { nullable: true }) subCategory?: string | null;

  @Field(() => Severity, { nullable: true, description: 'Default MEDIUM' })
  severity?: Severity | null;

  @Field(() => String, { nullable: true, description: 'Grid (15 digits, registered); left out, the grid containing lng/lat' })
  gridCode?: string | null;

  @Field(() => String, { nullable: true }) address?: string | null;
  @Field(() => Float, { nullable: true }) lng?: number | null;
  @Field(() => Float, { nullable: true }) lat?: number | null;

  @Field(() => GraphQLDateTimeISO, { nullable: true, description: 'When it was reported; default observedAt' })
  reportedAt?: Date | string | null;

  @Field(() => EntityLinkInput, { nullable: true }) place?: EntityLinkInput | null;
  @Field(() => EntityLinkInput, { nullable: true }) thing?: EntityLinkInput | null;

  @Field(() => [IncidentPersonInput], { nullable: true, description: 'Reporter, parties, victims, witnesses; at most 50' })
  people?: IncidentPersonInput[] | null;
}

@ObjectType({ description: 'What happened to one record of an ingestion batch' })
export class IngestResult {
  @Field({ description: 'The sourceKey as sent (empty when it was missing)' })
  sourceKey!: string;

  @Field(() => RecordOutcome)
  outcome!: RecordOutcome;

  @Field(() => ID, { nullable: true, description: 'The canonical entity the record is merged into; null when rejected' })
  entityId!: string | null;

  @Field(() => [FieldError], {
    description:
      'Why the record was rejected, every bad field named; on a stored record, warnings (e.g. an ID number that is not ' +
      'valid: the person is kept without a verified ID)',
  })
  errors!: FieldError[];
}

@ObjectType({ description: 'What an ingest mutation did: counts, and one result per record in input order' })
export class IngestReport {
  @Field(() => Int) created!: number;
  @Field(() => Int) updated!: number;
  @Field(() => Int) unchanged!: number;
  @Field(() => Int) stale!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => [IngestResult]) results!: IngestResult[];
}
