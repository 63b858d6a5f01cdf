import { Field, Float, Int, ObjectType } from 'type-graphql';
import { HandlingLevel, IncidentStatus } from '../incidents/incident-workflow';
import { IncidentCategory, Severity } from '../incidents/incident.entity';
import { AllowanceType, HouseholdType, PersonTag } from '../people/person.entity';
import { PlaceKind } from '../places/place.entity';
import { SourceSystem } from '../sources/source-system';
import { ThingCategory, ThingKind, ThingStatus } from '../things/thing.entity';

/*
 * The results of grouped statistics (incidentStats, peopleStats, placeStats, thingStats). A key has one typed field
 * per dimension; the fields of dimensions not grouped by are null. Measures are null when suppressed.
 */

/** The region part of every group key (never a field's type on its own, so not emitted). */
@ObjectType()
export abstract class RegionGroupKey {
  @Field(() => String, { nullable: true, description: 'County code (6 digits), when grouped by a region level' })
  county?: string | null;

  @Field(() => String, { nullable: true, description: 'Town code (9 digits), when grouped by TOWN, COMMUNITY or GRID' })
  town?: string | null;

  @Field(() => String, { nullable: true, description: 'Community code (12 digits), when grouped by COMMUNITY or GRID' })
  community?: string | null;

  @Field(() => String, { nullable: true, description: 'Grid code (15 digits), when grouped by GRID' })
  grid?: string | null;

  /** The code of the region level grouped by (its `region`), or null. */
  regionCode?: string | null;
}

@ObjectType({ description: 'What one incident group shares: one field per dimension grouped by (the others are null)' })
export class IncidentGroupKey extends RegionGroupKey {
  @Field(() => IncidentCategory, { nullable: true })
  category?: IncidentCategory | null;

  @Field(() => IncidentStatus, { nullable: true, description: 'Workflow state now' })
  status?: IncidentStatus | null;

  @Field(() => Severity, { nullable: true })
  severity?: Severity | null;

  @Field(() => HandlingLevel, { nullable: true, description: 'Handling level now' })
  level?: HandlingLevel | null;

  @Field(() => SourceSystem, { nullable: true, description: 'The system that reported it' })
  source?: SourceSystem | null;

  @Field(() => Date, {
    nullable: true,
    description: 'DAY, WEEK, MONTH: when the bucket of report times begins (00:00 Asia/Shanghai of its day, Monday, first of the month)',
  })
  bucket?: Date | null;
}

@ObjectType({
  description:
    'Cases resolved (RESOLVED or CLOSED now) by the level that handled them, cumulated upwards: `grid` — at GRID level ' +
    '(小事不出村 at its finest), `community` — at GRID or COMMUNITY, `town` — at TOWN or below (大事不出镇), `county` — all of them',
})
export class ResolvedAtOrBelow {
  @Field(() => Int)
  grid!: number;

  @Field(() => Int)
  community!: number;

  @Field(() => Int)
  town!: number;

  @Field(() => Int)
  county!: number;
}

@ObjectType({
  description:
    'Measures of a set of incidents. For a role that sees personal data masked (ANALYST), a group of fewer incidents ' +
    'than the minimum cell size (IncidentStats.minimumCellSize) has every measure null and `suppressed` true, and so ' +
    'may a larger one that would let a suppressed one be worked out from a total; a mean over fewer than the minimum is null',
})
export class IncidentMeasures {
  @Field({ description: 'True when the measures are withheld (small-cell suppression); every measure is then null' })
  suppressed!: boolean;

  @Field(() => Int, { nullable: true, description: 'Incidents' })
  count!: number | null;

  @Field(() => Int, { nullable: true, description: 'Not CLOSED or REJECTED (RESOLVED cases await verification: open), as region counts count them' })
  open!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Marked overdue (超期): passed the due time while DISPATCHED or IN_PROGRESS and not given a new one since (a case resolved late keeps the mark)',
  })
  overdue!: number | null;

  @Field(() => Int, { nullable: true, description: 'RESOLVED or CLOSED now (a failed verification sends a case back: it no longer counts)' })
  resolved!: number | null;

  @Field(() => ResolvedAtOrBelow, {
    nullable: true,
    description:
      'The resolved cases by the level that resolved them: the case’s handling level (a resolved or closed case cannot be escalated, so its level is the one it was resolved at)',
  })
  resolvedAtOrBelow!: ResolvedAtOrBelow | null;

  @Field(() => Int, { nullable: true, description: 'Dispatched at least once (a DISPATCHED event in the log): those meanSecondsToDispatch averages' })
  dispatched!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Mean seconds from reportedAt to the first DISPATCHED event (派遣), over the dispatched cases; null when none',
  })
  meanSecondsToDispatch!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Mean seconds from reportedAt to the resolution that stands — the latest RESOLVED event of a case RESOLVED or CLOSED now, or its ' +
      'closedAt when the log holds no RESOLVED event — over the resolved cases; null when none',
  })
  meanSecondsToResolve!: number | null;

  @Field(() => Int, { nullable: true, description: 'Rated cases (满意度 given)' })
  rated!: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean satisfaction (1–5) over the rated cases; null when none' })
  meanSatisfaction!: number | null;
}

@ObjectType({ description: 'One group of incidents' })
export class IncidentGroup {
  @Field(() => IncidentGroupKey)
  key!: IncidentGroupKey;

  @Field(() => IncidentMeasures)
  measures!: IncidentMeasures;
}

@ObjectType({ description: 'Incident statistics (事件统计): the measures of all matching incidents and of each group, computed in the database' })
export class IncidentStats {
  @Field(() => IncidentMeasures, { description: 'All matching incidents (each once); suppressed only when fewer than the minimum' })
  total!: IncidentMeasures;

  @Field(() => [IncidentGroup], { description: 'One group per combination of the groupBy values that occurs, ordered by key (nulls last)' })
  groups!: IncidentGroup[];

  @Field(() => Int, {
    nullable: true,
    description: 'The smallest group whose measures your role sees (small-cell suppression); null: your role sees every group',
  })
  minimumCellSize!: number | null;
}

@ObjectType({
  description:
    'A count. For a role that sees personal data masked (ANALYST), a group of fewer than the minimum cell size has ' +
    '`count` null and `suppressed` true, and so may a larger one that would let a suppressed one be worked out from a total',
})
export class CountMeasures {
  @Field({ description: 'True when the count is withheld (small-cell suppression)' })
  suppressed!: boolean;

  @Field(() => Int, { nullable: true })
  count!: number | null;
}

@ObjectType({ description: 'What one group of people shares: one field per dimension grouped by (the others are null)' })
export class PersonGroupKey extends RegionGroupKey {
  @Field(() => PersonTag, { nullable: true, description: 'TAG: the tag (null: people without a tag)' })
  tag?: PersonTag | null;

  @Field(() => HouseholdType, { nullable: true })
  householdType?: HouseholdType | null;

  @Field(() => Boolean, { nullable: true, description: 'INSURED (null: no social security record)' })
  insured?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'ALLOWANCE_HOLDER (null: no civil affairs record)' })
  allowanceHolder?: boolean | null;

  @Field(() => AllowanceType, { nullable: true, description: 'ALLOWANCE_TYPE (null: people without an allowance)' })
  allowanceType?: AllowanceType | null;
}

@ObjectType({ description: 'One group of people' })
export class PersonGroup {
  @Field(() => PersonGroupKey)
  key!: PersonGroupKey;

  @Field(() => CountMeasures, { description: 'People in the group' })
  measures!: CountMeasures;
}

@ObjectType({ description: 'People statistics (人口统计), counted in the database' })
export class PersonStats {
  @Field(() => CountMeasures, { description: 'All matching people, each once (TAG and ALLOWANCE_TYPE groups may overlap)' })
  total!: CountMeasures;

  @Field(() => [PersonGroup], { description: 'One group per combination of the groupBy values that occurs, ordered by key (nulls last)' })
  groups!: PersonGroup[];

  @Field(() => Int, { nullable: true, description: 'The smallest group whose count your role sees; null: your role sees every group' })
  minimumCellSize!: number | null;
}

@ObjectType({ description: 'What one group of places shares' })
export class PlaceGroupKey extends RegionGroupKey {
  @Field(() => PlaceKind, { nullable: true })
  kind?: PlaceKind | null;
}

@ObjectType({ description: 'One group of places' })
export class PlaceGroup {
  @Field(() => PlaceGroupKey)
  key!: PlaceGroupKey;

  @Field(() => CountMeasures, { description: 'Places in the group' })
  measures!: CountMeasures;
}

@ObjectType({ description: 'Place counts (场所统计)' })
export class PlaceStats {
  @Field(() => CountMeasures)
  total!: CountMeasures;

  @Field(() => [PlaceGroup])
  groups!: PlaceGroup[];

  @Field(() => Int, { nullable: true, description: 'The smallest group whose count your role sees; null: your role sees every group' })
  minimumCellSize!: number | null;
}

@ObjectType({ description: 'What one group of things shares' })
export class ThingGroupKey extends RegionGroupKey {
  @Field(() => ThingCategory, { nullable: true })
  category?: ThingCategory | null;

  @Field(() => ThingKind, { nullable: true })
  kind?: ThingKind | null;

  @Field(() => ThingStatus, { nullable: true })
  status?: ThingStatus | null;
}

@ObjectType({ description: 'One group of things' })
export class ThingGroup {
  @Field(() => ThingGroupKey)
  key!: ThingGroupKey;

  @Field(() => CountMeasures, { description: 'Things in the group' })
  measures!: CountMeasures;
}

@ObjectType({ description: 'Thing counts (部件统计)' })
export class ThingStats {
  @Field(() => CountMeasures)
  total!: CountMeasures;

  @Field(() => [ThingGroup])
  groups!: ThingGroup[];

  @Field(() => Int, { nullable: true, description: 'The smallest group whose count your role sees; null: your role sees every group' })
  minimumCellSize!: number | null;
}
