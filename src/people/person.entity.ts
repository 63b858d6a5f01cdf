import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Gender } from '../shared/id-number';
import { FieldSource } from '../sources/lineage';

registerEnumType(Gender, { name: 'Gender', description: 'Gender (性别), derived from the ID number' });

/** Household registration type (户籍类型). */
export enum HouseholdType {
  REGISTERED = 'REGISTERED',
  FLOATING = 'FLOATING',
}
registerEnumType(HouseholdType, {
  name: 'HouseholdType',
  description: 'Household registration type',
  valuesConfig: {
    REGISTERED: { description: 'Registered resident (户籍人口)' },
    FLOATING: { description: 'Floating population (流动人口)' },
  },
});

/** Governance categories a person can be tagged with: special groups and care groups. */
export enum PersonTag {
  COMMUNITY_CORRECTION = 'COMMUNITY_CORRECTION',
  RELEASED_PRISONER = 'RELEASED_PRISONER',
  DRUG_REHABILITATION = 'DRUG_REHABILITATION',
  SEVERE_MENTAL_DISORDER = 'SEVERE_MENTAL_DISORDER',
  KEY_YOUTH = 'KEY_YOUTH',
  KEY_PETITIONER = 'KEY_PETITIONER',
  ELDERLY_LIVING_ALONE = 'ELDERLY_LIVING_ALONE',
  LEFT_BEHIND_CHILD = 'LEFT_BEHIND_CHILD',
  DISABLED = 'DISABLED',
  LOW_INCOME = 'LOW_INCOME',
  EXTREME_POVERTY = 'EXTREME_POVERTY',
}
registerEnumType(PersonTag, {
  name: 'PersonTag',
  description: 'Special groups (特殊人群) and care groups (关爱人群)',
  valuesConfig: {
    COMMUNITY_CORRECTION: { description: 'Under community correction (社区矫正人员)' },
    RELEASED_PRISONER: { description: 'Released prisoner (刑满释放人员)' },
    DRUG_REHABILITATION: { description: 'Drug rehabilitation (吸毒人员)' },
    SEVERE_MENTAL_DISORDER: { description: 'Severe mental disorder (严重精神障碍患者)' },
    KEY_YOUTH: { description: 'Key youth (重点青少年)' },
    KEY_PETITIONER: { description: 'Key petitioner (重点信访人员)' },
    ELDERLY_LIVING_ALONE: { description: 'Elderly living alone (独居老人)' },
    LEFT_BEHIND_CHILD: { description: 'Left-behind child (留守儿童)' },
    DISABLED: { description: 'Disabled (残疾人)' },
    LOW_INCOME: { description: 'Minimum living allowance (低保)' },
    EXTREME_POVERTY: { description: 'Extreme poverty support (特困)' },
  },
});

export enum PensionType {
  URBAN_EMPLOYEE = 'URBAN_EMPLOYEE',
  URBAN_RURAL_RESIDENT = 'URBAN_RURAL_RESIDENT',
  NONE = 'NONE',
}
registerEnumType(PensionType, {
  name: 'PensionType',
  valuesConfig: {
    URBAN_EMPLOYEE: { description: 'Urban employee basic pension (城镇职工基本养老保险)' },
    URBAN_RURAL_RESIDENT: { description: 'Urban and rural resident pension (城乡居民基本养老保险)' },
    NONE: { description: 'Not insured' },
  },
});

export enum MedicalInsuranceType {
  EMPLOYEE = 'EMPLOYEE',
  RESIDENT = 'RESIDENT',
  NONE = 'NONE',
}
registerEnumType(MedicalInsuranceType, {
  name: 'MedicalInsuranceType',
  valuesConfig: {
    EMPLOYEE: { description: 'Employee basic medical insurance (职工医保)' },
    RESIDENT: { description: 'Resident basic medical insurance (居民医保)' },
    NONE: { description: 'Not insured' },
  },
});

export enum AllowanceType {
  LOW_INCOME = 'LOW_INCOME',
  EXTREME_POVERTY = 'EXTREME_POVERTY',
  SENIOR = 'SENIOR',
  DISABILITY = 'DISABILITY',
}
registerEnumType(AllowanceType, {
  name: 'AllowanceType',
  valuesConfig: {
    LOW_INCOME: { description: 'Minimum living allowance (低保)' },
    EXTREME_POVERTY: { description: 'Extreme poverty support (特困供养)' },
    SENIOR: { description: 'Senior allowance (高龄补贴/尊老金)' },
    DISABILITY: { description: 'Disability living allowance (残疾人两项补贴)' },
  },
});

export enum RiskLevel {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
}
registerEnumType(RiskLevel, { name: 'RiskLevel', description: 'Risk level (风险等级)' });

@ObjectType({ description: 'Social security facet (社保), from the social security system' })
export class SocialSecurityFacet {
  @Field({ description: 'Insured at all (参保)' })
  insured!: boolean;

  @Field(() => PensionType)
  pensionType!: PensionType;

  @Field(() => MedicalInsuranceType)
  medicalInsurance!: MedicalInsuranceType;

  @Field(() => String, { nullable: true, description: 'Employer (参保单位)' })
  employer?: string | null;
}

@ObjectType({ description: 'An allowance paid to a person (救助/补贴)' })
export class Allowance {
  @Field(() => AllowanceType)
  type!: AllowanceType;

  @Field(() => Float, { description: 'Monthly amount in yuan (元/月)' })
  monthlyAmount!: number;

  since?: string | null;
}

@ObjectType({ description: 'Civil affairs facet (民政), from the civil affairs system' })
export class CivilAffairsFacet {
  @Field(() => [Allowance])
  allowances!: Allowance[];

  @Field(() => Int, { nullable: true, description: 'Disability grade 1 (most severe) to 4 (残疾等级)' })
  disabilityGrade?: number | null;
}

@ObjectType({ description: 'Comprehensive governance facet (综治), from the governance system' })
export class GovernanceFacet {
  @Field(() => PersonTag, { nullable: true, description: 'Key-person category (重点人员类别)' })
  keyPersonCategory?: PersonTag | null;

  @Field(() => RiskLevel, { nullable: true })
  riskLevel?: RiskLevel | null;

  @Field(() => String, { nullable: true, description: 'Assigned grid worker (网格员)' })
  gridWorker?: string | null;
}

/**
 * Person (人): one canonical record per real person, matched across systems by citizen ID number.
 * `idNumber` and `phone` are exposed only through the resolver, which masks them by role.
 */
@ObjectType({ description: 'Person (人口): one canonical record per real person, merged from every source' })
@Entity({ tableName: 'person' })
@Index({ properties: ['gridCode', 'id'] })
export class Person {
  @Field(() => ID)
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** Null for a person without a verified citizen ID (no ID, a foreign or HK/Macau/Taiwan document). */
  @Property({ type: 'string', length: 18, nullable: true })
  idNumber?: string | null;

  @Field({
    description:
      'True when another person holds the same ID number and the names disagree (a likely typo in one system): ' +
      'kept apart rather than merged; see dataConflicts of kind ID_COLLISION',
  })
  @Property({ type: 'boolean' })
  idCollision: boolean = false;

  @Field({ description: 'Name (姓名)' })
  @Property({ type: 'text' })
  name!: string;

  @Field(() => Gender, { nullable: true, description: 'From the ID number; for a person without one, as the sources say' })
  @Enum({ items: () => Gender, nullable: true })
  gender?: Gender | null;

  @Property({ type: 'date', nullable: true })
  birthDate?: string | null;

  @Property({ type: 'text', nullable: true })
  phone?: string | null;

  @Field({ description: 'Code of the residence grid (居住网格)' })
  @Property({ type: 'string', length: 15 })
  gridCode!: string;

  @Field(() => String, { nullable: true, description: 'Residence address (居住地址)' })
  @Property({ type: 'text', nullable: true })
  address?: string | null;

  @Field(() => HouseholdType, { nullable: true })
  @Enum({ items: () => HouseholdType, nullable: true })
  householdType?: HouseholdType | null;

  @Property({ type: 'text[]' })
  tags: PersonTag[] = [];

  @Property({ type: 'json', nullable: true })
  socialSecurity?: SocialSecurityFacet | null;

  @Property({ type: 'json', nullable: true })
  civilAffairs?: CivilAffairsFacet | null;

  @Property({ type: 'json', nullable: true })
  governance?: GovernanceFacet | null;

  /** For each core field, the source record whose value survived. */
  @Property({ type: 'json' })
  lineage: Record<string, FieldSource> = {};

  @Field()
  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Field()
  @Property({ type: 'Date', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
