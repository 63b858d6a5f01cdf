import { LockMode, MikroORM } from '@mikro-orm/postgresql';
import { Viewer } from '../auth/viewer';
import { ScopedReader } from '../access/scope';
import { DuePolicy, dueTime } from '../incidents/due-time';
import { defaultWorkflowOptions } from '../incidents/incident-workflow.service';
import { Incident } from '../incidents/incident.entity';
import { HandlingLevel } from '../incidents/incident-workflow';
import {
  departmentName,
  MAX_DEPARTMENT_LENGTH,
  RegionNames,
  ResponsibilityList,
} from '../incidents/responsibility-list';
import { inTransaction, Sql } from '../ingest/sql';
import { BadUserInputError, ConflictError, ErrorCode, ForbiddenError, GridhubError, NotFoundError } from '../shared/errors';
import { parseId } from '../shared/ids';
import { multiLineTextProblem } from '../shared/text';
import { CALLABLE_STATUSES, CALL_STEPS, CallAction, allowedCallMutations, callLevelRefusal, callStepFrom, seatRefusal, townRefusal } from './call-rights';
import { CallStatus, DepartmentCall } from './department-call.entity';

/** What calls are configured with. */
export interface CallOptions {
  /** Minutes a called department has to acknowledge (`GRIDHUB_CALL_ACK_MINUTES`, default {@link DEFAULT_ACKNOWLEDGE_MINUTES}). */
  acknowledgeMinutes: number;
  /** The responsibility list whose COUNTY-level departments a town may call (the workflow's). */
  responsibilities: ResponsibilityList;
  /** The due-time policy whose limit, counted from the call, is the answer deadline (the workflow's). */
  due: DuePolicy;
}

/** Minutes a called department has to acknowledge, unless configured. */
export const DEFAULT_ACKNOWLEDGE_MINUTES = 30;
/** Calls one incident may have (all steps of them show on its timeline and `calls`). */
export const MAX_CALLS_PER_INCIDENT = 50;

/**
 * The options, completed with the defaults: the workflow's (the same responsibility list and due-time policy as
 * dispatch, from the configuration or {@link defaultWorkflowOptions}) and {@link DEFAULT_ACKNOWLEDGE_MINUTES}.
 */
export function callOptions(overrides: Partial<CallOptions> = {}): CallOptions {
  return {
    acknowledgeMinutes: overrides.acknowledgeMinutes ?? DEFAULT_ACKNOWLEDGE_MINUTES,
    responsibilities: overrides.responsibilities ?? defaultWorkflowOptions().responsibilities,
    due: overrides.due ?? defaultWorkflowOptions().due,
  };
}

const VERB_OF: Readonly<Record<CallAction, string>> = { ACKNOWLEDGE: 'acknowledged', ANSWER: 'answered', RATE: 'rated' };

/**
 * "The town calls, the county answers" (乡呼县应): placing a call and its steps (rights in call-rights.ts). Each
 * runs in one transaction with the call (or, to place one, its incident) locked, then reads the call back through
 * the viewer's scoped reader. Calls append no incident event. Errors: NOT_FOUND (no such incident or call),
 * FORBIDDEN (not the viewer's step), CONFLICT (stale `expectedVersion`; an open call to the same department),
 * BAD_USER_INPUT (a bad argument, naming it; a step the call's status does not allow, naming the status and the
 * allowed mutation).
 */
export class DepartmentCallService {
  constructor(
    private readonly orm: MikroORM,
    private readonly viewer: Viewer,
    private readonly options: CallOptions,
  ) {}

  /**
   * A town command centre calls `department` (one of the county's departments the responsibility list names) on
   * a case its town handles. The acknowledgement deadline is now plus the configured minutes; the answer deadline
   * now plus the case's due-time limit (category and severity).
   */
  async call(incidentId: string, department: string, note: string): Promise<DepartmentCall> {
    const id = parseId(incidentId, 'incidentId');
    const name = requiredText(department, 'department', MAX_DEPARTMENT_LENGTH);
    const text = requiredText(note, 'note', 500);
    const callId = await inTransaction(this.orm, async (sql, em) => {
      // Locked, so that two calls to one department cannot both find no open call.
      const incident = await em.findOne(Incident, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (incident === null) throw new NotFoundError(`no incident ${id}`, 'incidentId');
      const refusal = townRefusal(this.viewer, incident.gridCode) ?? callLevelRefusal(incident.level);
      if (refusal !== null) throw new ForbiddenError(refusal, 'incidentId');
      if (!CALLABLE_STATUSES.includes(incident.status)) {
        throw new GridhubError(
          `incidentId: incident ${id} is ${incident.status}: a town calls on a case it has accepted and not yet resolved (${CALLABLE_STATUSES.join(', ')})`,
          ErrorCode.BAD_USER_INPUT,
          { field: 'incidentId', status: incident.status },
        );
      }
      const departments = await this.countyDepartments(incident.gridCode, sql);
      if (!departments.includes(name)) {
        throw new BadUserInputError(
          `${name} is not one of the county's departments as the responsibility list names them (${departments.slice(0, 6).join(', ')}${departments.length > 6 ? ', …' : ''})`,
          'department',
        );
      }
      const calls = await sql.rows<{ id: string; status: CallStatus; department: string }>(
        `select id::text as "id", status, department from department_call where incident_id = ? order by id`,
        [id],
      );
      const open = calls.find((call) => call.department === name && (call.status === CallStatus.CALLED || call.status === CallStatus.ACKNOWLEDGED));
      if (open) {
        throw new ConflictError(`${name} has an open call on incident ${id} (call ${open.id}, ${open.status}): it answers that one first`, {
          field: 'department',
          callId: open.id,
        });
      }
      if (calls.length >= MAX_CALLS_PER_INCIDENT) throw new BadUserInputError(`incident ${id} has ${calls.length} calls, the most one case may have`, 'incidentId');
      const now = new Date();
      const call = em.create(DepartmentCall, {
        incidentId: id,
        department: name,
        status: CallStatus.CALLED,
        note: text,
        calledBy: this.viewer.subject,
        calledAt: now,
        acknowledgeDueAt: new Date(now.getTime() + this.options.acknowledgeMinutes * 60_000),
        answerDueAt: dueTime(this.options.due, incident.category, incident.severity, now),
        version: 1,
      });
      await em.flush();
      return call.id;
    });
    return this.readBack(String(callId));
  }

  /** The called department's seat acknowledges the call (响应). */
  acknowledge(callId: string, expectedVersion?: number | null): Promise<DepartmentCall> {
    return this.step(callId, CallAction.ACKNOWLEDGE, expectedVersion, (call, now) => {
      call.acknowledgedAt = now;
      call.acknowledgedBy = this.viewer.subject;
    });
  }

  /** The called department's seat reports back (反馈), after acknowledging. */
  answer(callId: string, report: string, expectedVersion?: number | null): Promise<DepartmentCall> {
    const text = requiredText(report, 'report', 2000);
    return this.step(callId, CallAction.ANSWER, expectedVersion, (call, now) => {
      call.answeredAt = now;
      call.answeredBy = this.viewer.subject;
      call.report = text;
    });
  }

  /** The calling town rates the answer (评价, 1–5), once. */
  rate(callId: string, satisfaction: number, comment: string | null | undefined, expectedVersion?: number | null): Promise<DepartmentCall> {
    if (!Number.isInteger(satisfaction) || satisfaction < 1 || satisfaction > 5) throw new BadUserInputError('must be a whole number from 1 to 5', 'satisfaction');
    const text = optionalText(comment, 'comment', 500);
    return this.step(callId, CallAction.RATE, expectedVersion, (call, now) => {
      call.satisfaction = satisfaction;
      call.ratingComment = text;
      call.ratedAt = now;
      call.ratedBy = this.viewer.subject;
    });
  }

  /** One step on a call: lock it, check rights, version and status, apply, flush. */
  private async step(
    callId: string,
    action: CallAction,
    expectedVersion: number | null | undefined,
    apply: (call: DepartmentCall, now: Date) => void,
  ): Promise<DepartmentCall> {
    const id = parseId(callId, 'callId');
    if (expectedVersion != null && (!Number.isSafeInteger(expectedVersion) || expectedVersion < 1)) {
      throw new BadUserInputError('must be a version the call had (1 or more)', 'expectedVersion');
    }
    await inTransaction(this.orm, async (sql, em) => {
      const call = await em.findOne(DepartmentCall, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (call === null) throw new NotFoundError(`no call ${id}`, 'callId');
      const [incident] = await sql.rows<{ gridCode: string }>(`select grid_code as "gridCode" from incident where id = ?`, [call.incidentId]);
      const refusal = action === CallAction.RATE ? townRefusal(this.viewer, incident.gridCode) : seatRefusal(this.viewer, call.department, incident.gridCode);
      if (refusal !== null) throw new ForbiddenError(refusal, 'callId');
      if (expectedVersion != null && call.version !== expectedVersion) {
        throw new ConflictError(`call ${id} is at version ${call.version}, not ${expectedVersion}: it changed since you read it`, {
          field: 'expectedVersion',
          currentVersion: call.version,
        });
      }
      const next = callStepFrom(call.status, action);
      if (next === null) {
        const allowed = allowedCallMutations(call.status);
        const why = call.status === CALL_STEPS[action].to || (action === CallAction.RATE && call.status === CallStatus.RATED) ? `it is already ${VERB_OF[action]}` : `it is ${call.status}`;
        throw new GridhubError(
          `callId: call ${id} cannot be ${VERB_OF[action]}: ${why}; allowed now: ${allowed.length > 0 ? allowed.join(', ') : 'nothing (the call is finished)'}`,
          ErrorCode.BAD_USER_INPUT,
          { field: 'callId', status: call.status, allowedActions: allowed },
        );
      }
      apply(call, new Date());
      call.status = next;
      await em.flush();
    });
    return this.readBack(id);
  }

  /** The committed call as the viewer reads it. */
  private async readBack(id: string): Promise<DepartmentCall> {
    const [call] = await new ScopedReader(this.orm.em.fork(), this.viewer).callsByIds<DepartmentCall>([id]);
    if (call === undefined) throw new NotFoundError(`call ${id} is outside your region`, 'callId');
    return call;
  }

  /** The departments the responsibility list names at COUNTY level (any category), for the county of `gridCode`. */
  private async countyDepartments(gridCode: string, sql: Sql): Promise<string[]> {
    const names = await regionNames(gridCode, sql);
    const departments = new Set<string>();
    for (const item of this.options.responsibilities.items) {
      const county = item.levels[HandlingLevel.COUNTY];
      if (!county) continue;
      for (const template of [county.lead, ...county.cooperating]) departments.add(departmentName(template, names));
    }
    return [...departments];
  }
}

/** Names of the county, town and community of a grid, from the region registry. */
async function regionNames(gridCode: string, sql: Sql): Promise<RegionNames> {
  const rows = await sql.rows<{ code: string; name: string }>(`select code, name from region where code = any(?::text[])`, [
    [gridCode.slice(0, 6), gridCode.slice(0, 9), gridCode.slice(0, 12)],
  ]);
  const name = (code: string) => rows.find((row) => row.code === code)?.name ?? code;
  return { county: name(gridCode.slice(0, 6)), town: name(gridCode.slice(0, 9)), community: name(gridCode.slice(0, 12)) };
}

/** A trimmed text argument, or null when left out or blank. @throws BadUserInputError naming `field` */
function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (value == null || value.trim() === '') return null;
  const text = value.trim();
  if (text.length > max) throw new BadUserInputError(`at most ${max} characters, got ${text.length}`, field);
  // Refused here, naming the argument, rather than by the database (an internal error, or no field named).
  const problem = multiLineTextProblem(text);
  if (problem !== null) throw new BadUserInputError(problem, field);
  return text;
}

/** A trimmed, non-blank text argument. @throws BadUserInputError naming `field` */
function requiredText(value: string, field: string, max: number): string {
  const text = optionalText(value, field, max);
  if (text === null) throw new BadUserInputError('must not be blank', field);
  return text;
}
