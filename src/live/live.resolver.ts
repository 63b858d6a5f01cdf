import { Args, ArgsType, Field, ID, Resolver, Root, Subscription } from 'type-graphql';
import { IncidentEvent } from '../incidents/incident-event.entity';
import { IncidentCategory } from '../incidents/incident.entity';
import { Context } from '../server/context';
import { IncidentEventsArgs as StreamArgs, LiveEnd, LiveMessage } from './incident-event-stream';

@ArgsType()
export class IncidentEventsArgs implements StreamArgs {
  @Field(() => String, {
    nullable: true,
    description: 'Region or grid code: only events whose grid lies under it (must lie in your scope)',
  })
  regionCode?: string | null;

  @Field(() => [IncidentCategory], { nullable: true, description: 'Only events of incidents of these categories' })
  categories?: IncidentCategory[] | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'Replay first every stored event after this seq (the last one you received), then continue live; ' +
      'without it, only events from now on',
  })
  afterSeq?: string | null;
}

@Resolver()
export class LiveResolver {
  @Subscription(() => IncidentEvent, {
    description:
      'Incident events (事件流水) as they happen, in seq order, in your scope and filters, masked as queries are. ' +
      'With `afterSeq`: first every stored event after it, then live ones, with no gap and no duplicate. Ends with ' +
      'UNAUTHENTICATED when the token expires; a socket that reads too slowly is closed (4503) — resume with afterSeq',
    subscribe: ({ args, context }) => (context as Context).services.live.subscribe(args as StreamArgs),
  })
  incidentEvents(@Root() message: LiveMessage, @Args() _args: IncidentEventsArgs): IncidentEvent {
    if (message instanceof LiveEnd) throw message.error;
    return message as unknown as IncidentEvent;
  }
}
