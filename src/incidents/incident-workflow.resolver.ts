import { Arg, Ctx, ID, Int, Mutation, Resolver } from 'type-graphql';
import { Context } from '../server/context';
import { Incident } from './incident.entity';
import { IncidentWorkflowService } from './incident-workflow.service';
import { ReportIncidentInput } from './incident-workflow.types';

const VERSION = 'The version you last read (`Incident.version`); when the incident has changed since: CONFLICT';
const WHO =
  'A grid worker acts on its own grid\'s cases at GRID level; a community, town or county command centre on cases at its ' +
  'own level under its region; ADMIN anywhere in its region (else FORBIDDEN). An action the state does not allow is ' +
  'BAD_USER_INPUT naming the state and the allowed mutations. Appends exactly one incident event.';
const HANDLER = 'The seat of the department the case is dispatched to (a COMMAND_CENTER token with its `department` claim) may also run it.';

/**
 * The workflow service for one mutation. Its answer is read with the request's loaders, which every mutation makes
 * afresh (src/schema.ts), so a second mutation of the same document answers with the case it changed.
 */
function workflowOf(ctx: Context): IncidentWorkflowService {
  return ctx.services.workflow;
}

/** The workflow mutations (design §4 and §5): thin — each is one call of the workflow service. */
@Resolver()
export class IncidentWorkflowResolver {
  @Mutation(() => Incident, {
    description:
      'Report a new incident (上报) through the hub\'s grid app (source GRID_APP): a grid worker in its own grid, a command centre ' +
      'under its region (the case starts at the reporter\'s level; ADMIN: GRID). Appends a CREATED event.',
  })
  reportIncident(@Arg('input', () => ReportIncidentInput) input: ReportIncidentInput, @Ctx() ctx: Context): Promise<Incident> {
    return workflowOf(ctx).report(input);
  }

  @Mutation(() => Incident, { description: `Accept a reported incident as a case (受理): REPORTED → ACCEPTED. ${WHO}` })
  acceptIncident(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: Context,
    @Arg('note', () => String, { nullable: true }) note?: string,
    @Arg('expectedVersion', () => Int, { nullable: true, description: VERSION }) expectedVersion?: number,
  ): Promise<Incident> {
    return workflowOf(ctx).accept(id, note, expectedVersion);
  }

  @Mutation(() => Incident, { description: `Refuse a reported incident (不予受理): REPORTED → REJECTED. ${WHO}` })
  rejectIncident(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { description: 'Why it is not a case (at most 500 characters)' }) reason: string,
    @Ctx() ctx: Context,
    @Arg('expectedVersion', () => Int, { nullable: true, description: VERSION }) expectedVersion?: number,
  ): Promise<Incident> {
    return workflowOf(ctx).reject(id, reason, expectedVersion);
  }

  @Mutation(() => Incident, {
    description:
      `Dispatch an accepted case (派遣): ACCEPTED → DISPATCHED, with a due time from the due-time policy. ${WHO} ` +
      'The department must be one the responsibility list (属地管理事项清单) names for the case\'s category and level; left out, its lead department.',
  })
  dispatchIncident(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: Context,
    @Arg('department', () => String, { nullable: true, description: 'Handling department; default: the responsibility list\'s lead' })
    department?: string,
    @Arg('assignee', () => String, { nullable: true, description: 'Person who handles it (处置人)' }) assignee?: string,
    @Arg('dueAt', () => Date, { nullable: true, description: 'Due time; default and latest: the policy\'s limit from now' }) dueAt?: Date,
    @Arg('note', () => String, { nullable: true }) note?: string,
    @Arg('expectedVersion', () => Int, { nullable: true, description: VERSION }) expectedVersion?: number,
  ): Promise<Incident> {
    return workflowOf(ctx).dispatch(id, { department, assignee, dueAt, note }, expectedVersion);
  }

  @Mutation(() => Incident, { description: `Start handling a dispatched case on site (处置): DISPATCHED → IN_PROGRESS. ${WHO} ${HANDLER}` })
  startIncident(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: Context,
    @Arg('note', () => String, { nullable: true }) note?: string,
    @Arg('expectedVersion', () => Int, { nullable: true, description: VERSION }) expectedVersion?: number,
  ): Promise<Incident> {
    return workflowOf(ctx).start(id, note, expectedVersion);
  }

  @Mutation(() => Incident, { description: `Report a case handled (处置完成), with feedback: IN_PROGRESS → RESOLVED. ${WHO} ${HANDLER}` })
  resolveIncident(
    @Arg('id', () => ID) id: string,
    @Arg('feedback', () => String, { description: 'What was done (处置反馈), at most 2,000 characters' }) feedback: string,
    @Ctx() ctx: Context,
    @Arg('photoUrls', () => [String], { nullable: true, description: 'Photos of the handled site: http(s) URLs, at most 9' })
    photoUrls?: string[],
    @Arg('expectedVersion', () => Int, { nullable: true, description: VERSION }) expectedVersion?: number,
  ): Promise<Incident> {
    return workflowOf(ctx).resolve(id, feedback, photoUrls, expectedVersion);
  }

  @Mutation(() => Incident, {
    description:
      `Verify a resolved case (核查): passed closes it (RESOLVED → CLOSED, event CLOSED); failed sends it back to its department ` +
      `with a new due time (RESOLVED → DISPATCHED, event VERIFIED). ${WHO}`,
  })
  verifyIncident(
    @Arg('id', () => ID) id: string,
    @Arg('passed', () => Boolean) passed: boolean,
    @Ctx() ctx: Context,
    @Arg('note', () => String, { nullable: true }) note?: string,
    @Arg('expectedVersion', () => Int, { nullable: true, description: VERSION }) expectedVersion?: number,
  ): Promise<Incident> {
    return workflowOf(ctx).verify(id, passed, note, expectedVersion);
  }

  @Mutation(() => Incident, {
    description:
      `Escalate an open case to the next handling level (上报), GRID → COMMUNITY → TOWN → COUNTY, which accepts it afresh: ` +
      `→ ACCEPTED, department and due time cleared. A COUNTY case cannot be escalated. ${WHO}`,
  })
  escalateIncident(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { description: 'Why (at most 500 characters)' }) reason: string,
    @Ctx() ctx: Context,
    @Arg('expectedVersion', () => Int, { nullable: true, description: VERSION }) expectedVersion?: number,
  ): Promise<Incident> {
    return workflowOf(ctx).escalate(id, reason, expectedVersion);
  }

  @Mutation(() => Incident, { description: `Record satisfaction (评价, 1–5) with a RESOLVED or CLOSED case; the status stays. ${WHO}` })
  rateIncident(
    @Arg('id', () => ID) id: string,
    @Arg('satisfaction', () => Int, { description: '1 (very dissatisfied) to 5 (very satisfied)' }) satisfaction: number,
    @Ctx() ctx: Context,
    @Arg('comment', () => String, { nullable: true }) comment?: string,
    @Arg('expectedVersion', () => Int, { nullable: true, description: VERSION }) expectedVersion?: number,
  ): Promise<Incident> {
    return workflowOf(ctx).rate(id, satisfaction, comment, expectedVersion);
  }
}
