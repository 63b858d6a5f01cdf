import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { decodeLinkCursor, encodeLinkCursor, pageSize } from '../shared/pagination';
import { Role } from '../auth/viewer';
import { Incident } from '../incidents/incident.entity';
import { Context } from '../server/context';
import { isLate } from './call-rights';
import { DepartmentCall } from './department-call.entity';
import { DepartmentCallConnection, DepartmentCallFilter, DepartmentScore, IncidentTimeline } from './department-call.types';

/** The list's name in its cursors. */
export const DEPARTMENT_CALLS = 'departmentCalls';

@Resolver(() => DepartmentCall)
export class DepartmentCallResolver {
  @Mutation(() => DepartmentCall, {
    description:
      'A town command centre calls a county department on a case its town handles (乡呼县应): the department must acknowledge ' +
      'within the acknowledgement time and report back within the case’s due-time limit. Only a COMMAND_CENTER token of the ' +
      'case’s town (9-digit region, no department claim), on a TOWN-level case that is ACCEPTED, DISPATCHED or IN_PROGRESS; ' +
      '`department` must be one of the county’s departments as the responsibility list names them. One open call per department and case',
  })
  callDepartment(
    @Arg('incidentId', () => ID) incidentId: string,
    @Arg('department', { description: 'The county department, e.g. 海勃湾区住房和城乡建设局' }) department: string,
    @Arg('note', { description: 'What the town asks for (呼叫事由), at most 500 characters' }) note: string,
    @Ctx() ctx: Context,
  ): Promise<DepartmentCall> {
    return ctx.services.calls.call(incidentId, department, note);
  }

  @Mutation(() => DepartmentCall, {
    description: 'The called department acknowledges a call (响应): only its seat (COMMAND_CENTER token with that department claim, region the case’s county or wider), while CALLED',
  })
  acknowledgeCall(
    @Arg('callId', () => ID) callId: string,
    @Ctx() ctx: Context,
    @Arg('expectedVersion', () => Int, { nullable: true, description: 'Fails with CONFLICT unless the call is at this version' }) expectedVersion?: number,
  ): Promise<DepartmentCall> {
    return ctx.services.calls.acknowledge(callId, expectedVersion);
  }

  @Mutation(() => DepartmentCall, { description: 'The called department reports back (反馈): only its seat, after acknowledging (ACKNOWLEDGED)' })
  answerCall(
    @Arg('callId', () => ID) callId: string,
    @Arg('report', { description: 'What the department did or found, at most 2,000 characters' }) report: string,
    @Ctx() ctx: Context,
    @Arg('expectedVersion', () => Int, { nullable: true, description: 'Fails with CONFLICT unless the call is at this version' }) expectedVersion?: number,
  ): Promise<DepartmentCall> {
    return ctx.services.calls.answer(callId, report, expectedVersion);
  }

  @Mutation(() => DepartmentCall, { description: 'The calling town rates the answer (评价), once, after it (ANSWERED): satisfaction 1–5' })
  rateCall(
    @Arg('callId', () => ID) callId: string,
    @Arg('satisfaction', () => Int, { description: '1 (very dissatisfied) to 5 (very satisfied)' }) satisfaction: number,
    @Ctx() ctx: Context,
    @Arg('comment', () => String, { nullable: true, description: 'At most 500 characters' }) comment?: string,
    @Arg('expectedVersion', () => Int, { nullable: true, description: 'Fails with CONFLICT unless the call is at this version' }) expectedVersion?: number,
  ): Promise<DepartmentCall> {
    return ctx.services.calls.rate(callId, satisfaction, comment, expectedVersion);
  }

  @Query(() => DepartmentCallConnection, {
    description:
      'Calls (乡呼县应) on cases in your scope, oldest first: e.g. a department’s seat asks for its own still to answer ' +
      '(filter: { department, statuses: [CALLED, ACKNOWLEDGED] }), a town for the ones it placed',
  })
  async departmentCalls(
    @Ctx() ctx: Context,
    @Arg('filter', () => DepartmentCallFilter, { nullable: true }) filter?: DepartmentCallFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (default 20, at most 100)' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<DepartmentCallConnection> {
    const size = pageSize(first);
    const afterId = after ? decodeLinkCursor(after, DEPARTMENT_CALLS) : null;
    const { rows, count } = await ctx.services.callQueries.list(filter ?? {}, size + 1, afterId);
    const page = rows.slice(0, size);
    return DepartmentCallConnection.of(
      {
        edges: page.map((node) => ({ cursor: encodeLinkCursor(DEPARTMENT_CALLS, node.id), node })),
        pageInfo: {
          hasNextPage: rows.length > size,
          hasPreviousPage: afterId !== null,
          startCursor: page.length ? encodeLinkCursor(DEPARTMENT_CALLS, page[0].id) : null,
          endCursor: page.length ? encodeLinkCursor(DEPARTMENT_CALLS, page[page.length - 1].id) : null,
        },
      },
      count,
    );
  }

  @Query(() => IncidentTimeline, {
    nullable: true,
    description: 'An incident’s timeline (办理时间线): its events and its calls’ steps with durations; null when unknown or outside your scope',
  })
  incidentTimeline(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<IncidentTimeline | null> {
    return ctx.services.timelines.timeline(id);
  }

  @Authorized(Role.ADMIN, Role.COMMAND_CENTER, Role.ANALYST)
  @Query(() => [DepartmentScore], {
    nullable: true,
    description:
      'The department scorecard (部门考核): per department, the dispatches and calls it received in [from, to) on cases in the region ' +
      '(in your scope; at most 366 days), each followed to now. See DepartmentScore for each figure. ADMIN, COMMAND_CENTER and ANALYST; others: null with FORBIDDEN',
  })
  departmentScorecard(
    @Arg('regionCode', { description: 'Region (e.g. a county, 150302) whose cases count' }) regionCode: string,
    @Arg('from', () => Date, { description: 'Received at or after' }) from: Date,
    @Arg('to', () => Date, { description: 'Received before' }) to: Date,
    @Ctx() ctx: Context,
  ): Promise<DepartmentScore[] | null> {
    return ctx.services.scorecard.scorecard(regionCode, from, to);
  }

  @FieldResolver(() => Incident, { nullable: true, description: 'The case (null when outside your scope)' })
  incident(@Root() call: DepartmentCall, @Ctx() ctx: Context): Promise<Incident | null> {
    return ctx.loaders.incident.load(call.incidentId);
  }

  @FieldResolver(() => Boolean, {
    description: 'Acknowledged after acknowledgeDueAt, or not acknowledged and acknowledgeDueAt has passed (computed when read)',
  })
  acknowledgementLate(@Root() call: DepartmentCall): boolean {
    return isLate(call.acknowledgedAt, call.acknowledgeDueAt, new Date());
  }

  @FieldResolver(() => Boolean, { description: 'Answered after answerDueAt, or not answered and answerDueAt has passed (computed when read)' })
  answerLate(@Root() call: DepartmentCall): boolean {
    return isLate(call.answeredAt, call.answerDueAt, new Date());
  }
}

@Resolver(() => Incident)
export class IncidentCallsResolver {
  @FieldResolver(() => [DepartmentCall], { description: 'Its calls on county departments (乡呼县应), oldest first (at most 50 per case)' })
  calls(@Root() incident: Incident, @Ctx() ctx: Context): Promise<DepartmentCall[]> {
    return ctx.loaders.callsOfIncident.load(incident.id);
  }
}
