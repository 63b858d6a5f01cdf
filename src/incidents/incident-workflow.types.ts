import { Field, Float, ID, InputType } from 'type-graphql';
import { IncidentCategory, Severity } from './incident.entity';

/** A new case as a grid worker or command centre reports it (上报) through the hub's own grid app. */
@InputType({ description: 'A new incident reported through the hub (上报): a GRID_APP record, checked like any ingested one' })
export class ReportIncidentInput {
  @Field({ description: 'Title (标题), at most 200 characters' })
  title!: string;

  @Field(() => String, { nullable: true, description: 'Description (描述), at most 5,000 characters' })
  description?: string | null;

  @Field(() => IncidentCategory)
  category!: IncidentCategory;

  @Field(() => String, { nullable: true, description: 'Sub-category (事件小类), e.g. 占道经营; the responsibility list is looked up by it' })
  subCategory?: string | null;

  @Field(() => Severity, { nullable: true, description: 'Default MEDIUM' })
  severity?: Severity | null;

  @Field(() => String, { nullable: true, description: 'Grid it happened in; give this or lng and lat inside a registered grid' })
  gridCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Address (事发地址)' })
  address?: string | null;

  @Field(() => Float, { nullable: true })
  lng?: number | null;

  @Field(() => Float, { nullable: true })
  lat?: number | null;

  @Field(() => ID, { nullable: true, description: 'The place it concerns (in your region)' })
  placeId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The thing it concerns (in your region)' })
  thingId?: string | null;
}
