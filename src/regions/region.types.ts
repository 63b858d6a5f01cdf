import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { FieldError, RecordOutcome } from '../shared/outcome';
import { RegionLevel } from '../shared/region-code';

@InputType({ description: 'A region or grid to register or update' })
export class RegionInput {
  @Field({ description: 'Short code (2/4/6/9/12/15 digits) or the padded 12-digit division code' })
  code!: string;

  @Field({ description: 'Name (名称): 1 to 200 characters, no control characters' })
  name!: string;

  @Field(() => RegionLevel, { nullable: true, description: "Level; derived from the code's length when left out" })
  level?: RegionLevel | null;

  @Field(() => String, { nullable: true, description: 'Parent code; derived from the code when left out' })
  parentCode?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Boundary: GeoJSON Polygon or MultiPolygon' })
  boundary?: Record<string, unknown> | null;
}

@ObjectType({ description: 'Outcome for one region of an upsertRegions batch' })
export class RegionUpsertResult {
  @Field({ description: 'The code as sent' })
  code!: string;

  @Field(() => RecordOutcome)
  outcome!: RecordOutcome;

  @Field(() => [FieldError])
  errors!: FieldError[];
}

@ObjectType({ description: 'What upsertRegions did: counts, and one result per input in input order' })
export class RegionUpsertReport {
  @Field(() => Int)
  created!: number;

  @Field(() => Int)
  updated!: number;

  @Field(() => Int)
  unchanged!: number;

  @Field(() => Int)
  rejected!: number;

  @Field(() => [RegionUpsertResult])
  results!: RegionUpsertResult[];
}

@ObjectType({ description: 'What lies under a region, counted within your scope (for a department: what its system sent)' })
export class RegionCounts {
  @Field(() => Int)
  people!: number;

  @Field(() => Int)
  places!: number;

  @Field(() => Int)
  things!: number;

  @Field(() => Int)
  incidents!: number;

  @Field(() => Int, { description: 'Incidents not closed or rejected' })
  openIncidents!: number;

  @Field(() => Int, { description: 'Incidents overdue now (超期): marked overdue and still DISPATCHED or IN_PROGRESS (a case resolved late keeps its mark but is not counted here)' })
  overdueIncidents!: number;
}
