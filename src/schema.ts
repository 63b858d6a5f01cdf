import path from 'node:path';
import { defaultFieldResolver, GraphQLFieldResolver, GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { AuthChecker, buildSchema } from 'type-graphql';
import { enforceAccessPolicy } from './access/enforce';
import { Role } from './auth/viewer';
import { IncidentEventResolver, IncidentResolver } from './incidents/incident.resolver';
import { IncidentWorkflowResolver } from './incidents/incident-workflow.resolver';
import { AllowanceResolver, PersonResolver } from './people/person.resolver';
import { PlaceResolver } from './places/place.resolver';
import { RegionResolver } from './regions/region.resolver';
import { Context } from './server/context';
import { ForbiddenError } from './shared/errors';
import { IngestResolver } from './ingest/ingest.resolver';
import { LiveResolver } from './live/live.resolver';
import { DataConflictResolver } from './sources/data-conflict';
import { SourceRecordResolver } from './sources/source-record.resolver';
import { ThingResolver } from './things/thing.resolver';
import { DepartmentCallResolver, IncidentCallsResolver } from './calls/department-call.resolver';
import {
  IncidentGroupKeyResolver,
  PersonGroupKeyResolver,
  PlaceGroupKeyResolver,
  StatsResolver,
  ThingGroupKeyResolver,
} from './stats/stats.resolver';

/** Where the emitted SDL is checked in. */
export const SCHEMA_FILE = path.resolve(__dirname, '..', '..', 'schema', 'schema.graphql');

/** `@Authorized(roles)` passes when the viewer holds any of the roles; otherwise FORBIDDEN naming them. */
const authChecker: AuthChecker<Context, Role> = ({ context, info }, roles) => {
  if (roles.some((role) => context.viewer.has(role))) return true;
  throw new ForbiddenError(`${info.fieldName} needs the role ${roles.join(' or ')}`);
};

/** Builds the executable schema from the resolvers, with the access policy's masking on every text field. */
export async function buildGridhubSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [
      RegionResolver,
      PersonResolver,
      AllowanceResolver,
      PlaceResolver,
      ThingResolver,
      IncidentResolver,
      IncidentEventResolver,
      IncidentWorkflowResolver,
      SourceRecordResolver,
      IngestResolver,
      DataConflictResolver,
      DepartmentCallResolver,
      IncidentCallsResolver,
      LiveResolver,
      StatsResolver,
      IncidentGroupKeyResolver,
      PersonGroupKeyResolver,
      PlaceGroupKeyResolver,
      ThingGroupKeyResolver,
    ],
    authChecker,
    validate: false,
    // Subscriptions bring their own source (src/live/); type-graphql insists on a PubSub all the same.
    pubSub: {
      publish: () => undefined,
      subscribe: () => {
        throw new Error('gridhub subscriptions bring their own source');
      },
    },
  });
  return readAfreshForEachMutation(enforceAccessPolicy(schema));
}

/**
 * Every mutation runs with the request's loaders made afresh (`Context.readAfresh`: new ones on next use), so that its answer —
 * and a second mutation's of the same document (they run one after another) — shows what it wrote, not what an earlier
 * field of the document had read and cached. Put in front of every mutation here, one added later included.
 * @returns the same schema.
 */
function readAfreshForEachMutation(schema: GraphQLSchema): GraphQLSchema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve: GraphQLFieldResolver<unknown, Context> = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context, info) => {
      context.readAfresh();
      return resolve(source, args, context, info);
    };
  }
  return schema;
}

/** The SDL as checked in: sorted, so it diffs only when the API changes. */
export function printGridhubSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
