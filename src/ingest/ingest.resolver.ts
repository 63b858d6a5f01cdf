import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { Context } from '../server/context';
import { SourceSystem } from '../sources/source-system';
import { IncidentRecordInput, IngestReport, PersonRecordInput, PlaceRecordInput, ThingRecordInput } from './ingest.types';
import { IngestKind } from './ingestion.service';

const WHO =
  'A DEPARTMENT token ingests as its own source only, into grids inside its region; ADMIN as any source. ' +
  'Each record is accepted or rejected on its own; at most GRIDHUB_MAX_INGEST_BATCH (default 1,000) records per call.';

/** The ingest mutations (design §5): department systems push their records; gridhub merges them. */
@Resolver()
export class IngestResolver {
  @Mutation(() => IngestReport, { description: `Push person records (人口) from a department system. ${WHO}` })
  ingestPeople(
    @Arg('source', () => SourceSystem) source: SourceSystem,
    @Arg('records', () => [PersonRecordInput]) records: PersonRecordInput[],
    @Ctx() ctx: Context,
  ): Promise<IngestReport> {
    return ctx.services.ingestion.ingest(IngestKind.PEOPLE, source, records);
  }

  @Mutation(() => IngestReport, { description: `Push place records (地) and their people links. ${WHO}` })
  ingestPlaces(
    @Arg('source', () => SourceSystem) source: SourceSystem,
    @Arg('records', () => [PlaceRecordInput]) records: PlaceRecordInput[],
    @Ctx() ctx: Context,
  ): Promise<IngestReport> {
    return ctx.services.ingestion.ingest(IngestKind.PLACES, source, records);
  }

  @Mutation(() => IngestReport, { description: `Push thing records (物): city components and governance objects. ${WHO}` })
  ingestThings(
    @Arg('source', () => SourceSystem) source: SourceSystem,
    @Arg('records', () => [ThingRecordInput]) records: ThingRecordInput[],
    @Ctx() ctx: Context,
  ): Promise<IngestReport> {
    return ctx.services.ingestion.ingest(IngestKind.THINGS, source, records);
  }

  @Mutation(() => IngestReport, { description: `Push incident records (事); each new or changed incident appends an event. ${WHO}` })
  ingestIncidents(
    @Arg('source', () => SourceSystem) source: SourceSystem,
    @Arg('records', () => [IncidentRecordInput]) records: IncidentRecordInput[],
    @Ctx() ctx: Context,
  ): Promise<IngestReport> {
    return ctx.services.ingestion.ingest(IngestKind.INCIDENTS, source, records);
  }
}
