import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { Role, Viewer } from '../auth/viewer';
import { ScopedReader } from '../access/scope';
import { IngestionService, IngestKind, IngestOptions } from '../ingest/ingestion.service';
import { entityFromRow } from '../db/rows';
import { inPreparedTransaction, preparedQuery, Query } from '../db/prepared';
import { incidentEventBell } from '../live/bell';
import { BadUserInputError, ConflictError, ErrorCode, ForbiddenError, GridhubError, NotFoundError } from '../shared/errors';
import { parseId } from '../shared/ids';
import { lineTextProblem, optionalTextArgument, requiredTextArgument } from '../shared/text';
import { RecordOutcome } from '../shared/outcome';
import { SourceSystem } from '../sources/source-system';
import { DEFAULT_DUE_POLICY, dueLimitSeconds, DuePolicy, dueTime } from './due-time';
import { Incident, IncidentCategory, Severity } from './incident.entity';
import { IncidentService } from './incident.service';
import { changeIncident, DueChange, IncidentChanges, inIncidentTransaction } from './incident-log';
import { eventFor, HandlingLevel, IncidentAction, IncidentStatus, levelAbove } from './incident-workflow';
import { ReportIncidentInput } from './incident-workflow.types';
import {
  DEFAULT_RESPONSIBILITY_FILE,
  departmentsFor,
  loadResponsibilityList,
  MAX_DEPARTMENT_LENGTH,
  RegionNames,
  regionNamesSql,
  ResponsibilityList,
  responsibilityFor,
} from './responsibility-list';
import { commandCentreLevel, reportingLevel, WORKFLOW_ACTIONS, WorkflowAction, workflowRefusal } from './workflow-rights';

/** What the workflow is configured with. */
export interface WorkflowOptions {
  /** The responsibility list (`GRIDHUB_RESPONSIBILITY_FILE`; default: the 乌海市 list shipped in seeds/). */
  responsibilities: ResponsibilityList;
  /** Due times per category and severity (`GRIDHUB_DUE_HOURS`, `GRIDHUB_DUE_SEVERITY_FACTORS`). */
  due: DuePolicy;
}

let shipped: WorkflowOptions | null = null;

/** The default options: the shipped responsibility list (read once) and the default due-time policy. */
export function defaultWorkflowOptions(): WorkflowOptions {
  shipped ??= { responsibilities: loadResponsibilityList(DEFAULT_RESPONSIBILITY_FILE), due: DEFAULT_DUE_POLICY };
  return shipped;
}

/** The mutation that runs each action, as error messages name the allowed ones. */
const MUTATION_OF: Readonly<Record<WorkflowAction, string>> = {
  REPORT: 'reportIncident',
  ACCEPT: 'acceptIncident',
  REJECT: 'rejectIncident',
  DISPATCH: 'dispatchIncident',
  START: 'startIncident',
  RESOLVE: 'resolveIncident',
  VERIFY_PASSED: 'verifyIncident',
  VERIFY_FAILED: 'verifyIncident',
  ESCALATE: 'escalateIncident',
  RATE: 'rateIncident',
};

/** Chinese names of the levels, for event notes. */
const LEVEL_NAMES: Readonly<Record<HandlingLevel, string>> = { GRID: '网格', COMMUNITY: '社区（村）', TOWN: '镇（街道）', COUNTY: '区（县）' };

/** Photos one resolution may carry. */
export const MAX_RESOLUTION_PHOTOS = 9;

/**
 * The mutations the workflow allows on an incident in `status` at `level`, in the table's order: what an
 * impossible transition's error lists.
 */
export function allowedMutations(status: IncidentStatus, level: HandlingLevel): string[] {
  const names = WORKFLOW_ACTIONS.filter(
    (action) => action !== IncidentAction.REPORT && eventFor(status, action) !== null && (action !== IncidentAction.ESCALATE || levelAbove(level) !== null),
  ).map((action) => MUTATION_OF[action]);
  return [...new Set(names)];
}

/** An incident as an action decides on it: read without a lock; the change applies only at this version. */
interface CaseRow {
  id: string;
  gridCode: string;
  level: HandlingLevel;
  department: string | null;
  status: IncidentStatus;
  version: number;
  category: IncidentCategory;
  subCategory: string | null;
  severity: Severity;
  /** The names of the case's district, town and community (for department names). */
  names: RegionNames;
}

/** What one action does to the incident besides its status, and its event's note. */
type Apply = (incident: CaseRow, now: Date) => { note: string | null; set?: IncidentChanges };

/**
 * How often an action is decided without a lock before it locks the case: a case that another change got to first
 * this often is contended, and its next decision holds the row until it has written.
 */
const UNLOCKED_ATTEMPTS = 2;

/**
 * The workflow mutations (design §4): each checks the viewer's rights on the case ({@link workflowRefusal}), the
 * optional `expectedVersion`, and the transition table, then changes the incident and appends exactly one incident
 * event in one statement ({@link IncidentWorkflowService.act}), and answers with the changed incident, which the
 * schema masks as every read. Errors: NOT_FOUND (no such incident), FORBIDDEN (not
 * the viewer's to act on), CONFLICT (stale `expectedVersion`), BAD_USER_INPUT (a bad argument, naming it; or an
 * impossible transition, naming the state and the allowed mutations).
 */
export class IncidentWorkflowService {
  constructor(
    private readonly orm: MikroORM,
    private readonly viewer: Viewer,
    /** Required, as the ingestion and call services' are: a default here would silently ignore the configuration. */
    private readonly options: WorkflowOptions,
    /** What reports are ingested with (the configured survivorship priorities among them). */
    private readonly ingest: IngestOptions,
  ) {}

  /**
   * Reports a new case (上报) as a GRID_APP record through the ingestion path (its checks, links, lineage, likely
   * duplicates and CREATED event), at the reporter's level: a grid worker's grid, a command centre's own level.
   */
  async report(input: ReportIncidentInput): Promise<Incident> {
    const gridCode = input.gridCode?.trim() || null;
    // Refused before anything is read when the grid is given, or when the token may report nowhere at all; a case
    // placed by its coordinates is checked once its grid is known.
    if (gridCode !== null || !this.mayReportSomewhere()) {
      const early = reportingLevel(this.viewer, gridCode ?? this.viewer.regionCode ?? '');
      if ('refusal' in early) throw new ForbiddenError(early.refusal, gridCode === null ? undefined : 'input.gridCode');
    }
    const record = {
      sourceKey: `report-${randomUUID()}`,
      version: 1,
      observedAt: new Date().toISOString(),
      title: input.title,
      description: input.description,
      category: input.category,
      subCategory: input.subCategory,
      severity: input.severity,
      gridCode,
      address: input.address,
      lng: input.lng,
      lat: input.lat,
      place: input.placeId ? { id: input.placeId } : undefined,
      thing: input.thingId ? { id: input.thingId } : undefined,
    };
    // The reporter speaks for the hub's own grid app, within its region.
    const reporter = new IngestionService(
      this.orm,
      new Viewer(this.viewer.subject, new Set([Role.DEPARTMENT]), this.viewer.regionCode, SourceSystem.GRID_APP),
      this.ingest,
    );
    const id = await inIncidentTransaction(this.orm, async (sql, em) => {
      const { results } = await reporter.ingestInTransaction(em, IngestKind.INCIDENTS, SourceSystem.GRID_APP, [record]);
      const [result] = results;
      if (result.outcome !== RecordOutcome.CREATED || result.entityId === null) {
        const error = result.errors[0];
        if (error === undefined) throw new BadUserInputError('the report was not accepted', 'input');
        throw new BadUserInputError(error.message, `input.${INPUT_FIELD_OF[error.field] ?? error.field}`);
      }
      const [created] = await sql.rows<{ gridCode: string }>(`select grid_code as "gridCode" from incident where id = ?`, [result.entityId]);
      const reporting = reportingLevel(this.viewer, created.gridCode);
      if ('refusal' in reporting) throw new ForbiddenError(reporting.refusal, 'input.lng');
      if (reporting.level !== HandlingLevel.GRID) await sql.rows(`update incident set level = ? where id = ?`, [reporting.level, result.entityId]);
      return result.entityId;
    });
    return this.readBack(id);
  }

  /** Accepts a reported case as a case of its level (受理/立案). */
  accept(id: string, note: string | null | undefined, expectedVersion?: number | null): Promise<Incident> {
    const text = optionalTextArgument(note, 'note', 500);
    return this.act(id, IncidentAction.ACCEPT, expectedVersion, () => ({ note: text ?? '受理立案' }));
  }

  /** Refuses a reported case (不予受理), saying why. */
  reject(id: string, reason: string, expectedVersion?: number | null): Promise<Incident> {
    const text = requiredTextArgument(reason, 'reason', 500);
    return this.act(id, IncidentAction.REJECT, expectedVersion, () => ({ note: text }));
  }

  /**
   * Dispatches an accepted case (派遣) to a department: the one given, which the responsibility list must name for
   * the case's category and level (lead or cooperating), or else the list's lead department. The due time is the
   * policy's limit from now, or an earlier one given.
   */
  dispatch(
    id: string,
    args: { department?: string | null; assignee?: string | null; dueAt?: Date | null; note?: string | null },
    expectedVersion?: number | null,
  ): Promise<Incident> {
    const department = optionalTextArgument(args.department, 'department', MAX_DEPARTMENT_LENGTH);
    const assignee = optionalTextArgument(args.assignee, 'assignee', 50);
    const note = optionalTextArgument(args.note, 'note', 500);
    if (args.dueAt != null && Number.isNaN(args.dueAt.getTime())) throw new BadUserInputError('must be a date-time', 'dueAt');
    return this.act(id, IncidentAction.DISPATCH, expectedVersion, (incident, now) => {
      const to = this.departmentFor(incident, department);
      return {
        note: `派遣至${to}${assignee ? `（${assignee}）` : ''}${note ? `：${note}` : ''}`,
        set: { department: to, assignee, due: this.due(incident, now, args.dueAt ?? null), overdue: false },
      };
    });
  }

  /** Starts handling a dispatched case on site (处置). */
  start(id: string, note: string | null | undefined, expectedVersion?: number | null): Promise<Incident> {
    const text = optionalTextArgument(note, 'note', 500);
    return this.act(id, IncidentAction.START, expectedVersion, () => ({ note: text ?? '开始处置' }));
  }

  /** Reports a case handled (处置完成), with feedback and photos of the site (URLs). */
  resolve(id: string, feedback: string, photoUrls: readonly string[] | null | undefined, expectedVersion?: number | null): Promise<Incident> {
    const text = requiredTextArgument(feedback, 'feedback', 2000);
    const photos = checkPhotoUrls(photoUrls);
    return this.act(id, IncidentAction.RESOLVE, expectedVersion, () => ({ note: text, set: { feedback: text, photoUrls: photos } }));
  }

  /**
   * Verifies a resolved case (核查): passed closes it (结案); failed sends it back to the department it was
   * dispatched to, with a new due time from now.
   */
  verify(id: string, passed: boolean, note: string | null | undefined, expectedVersion?: number | null): Promise<Incident> {
    const text = optionalTextArgument(note, 'note', 500);
    const action = passed ? IncidentAction.VERIFY_PASSED : IncidentAction.VERIFY_FAILED;
    return this.act(id, action, expectedVersion, (incident, now) => {
      if (passed) return { note: text ?? '核查通过，予以结案', set: { closeNow: true } };
      return {
        note: `核查未通过${text ? `：${text}` : ''}，退回${incident.department ?? '处置部门'}重新处置`,
        set: { due: this.due(incident, now, null), overdue: false },
      };
    });
  }

  /**
   * Escalates an open case to the next handling level (上报), which accepts it afresh: department, assignee and
   * due time are cleared. A county case cannot be escalated.
   */
  escalate(id: string, reason: string, expectedVersion?: number | null): Promise<Incident> {
    const text = requiredTextArgument(reason, 'reason', 500);
    return this.act(id, IncidentAction.ESCALATE, expectedVersion, (incident) => {
      const above = levelAbove(incident.level)!;
      return {
        note: `上报${LEVEL_NAMES[above]}：${text}`,
        set: { level: above, department: null, assignee: null, due: { at: null }, overdue: false },
      };
    });
  }

  /** Records the satisfaction (评价, 1–5) with a resolved or closed case; a later rating replaces an earlier one. */
  rate(id: string, satisfaction: number, comment: string | null | undefined, expectedVersion?: number | null): Promise<Incident> {
    if (!Number.isInteger(satisfaction) || satisfaction < 1 || satisfaction > 5) throw new BadUserInputError('must be a whole number from 1 to 5', 'satisfaction');
    const text = optionalTextArgument(comment, 'comment', 500);
    return this.act(id, IncidentAction.RATE, expectedVersion, () => ({
      note: `满意度${satisfaction}分${text ? `：${text}` : ''}`,
      set: { satisfaction },
    }));
  }

  /**
   * Every action on an existing incident, in two statements and no open transaction: read the case (no lock),
   * decide — rights, `expectedVersion`, the transition table, the action's own checks — and then change it and
   * append its one event in one statement that applies only if the case is still at the version read
   * ({@link changeIncident}). When a concurrent change got there first, nothing was written and the action is
   * decided afresh on the new state (which may now refuse it: CONFLICT for a stale `expectedVersion`, or the
   * transition); after {@link UNLOCKED_ATTEMPTS} such misses it decides under the case's row lock, which always
   * writes. The answer is made from the row the statement returned; the schema masks it as every read.
   */
  private async act(id: string, action: WorkflowAction, expectedVersion: number | null | undefined, apply: Apply): Promise<Incident> {
    const incidentId = parseId(id);
    if (expectedVersion != null && (!Number.isSafeInteger(expectedVersion) || expectedVersion < 1)) {
      throw new BadUserInputError('must be a version the incident had (1 or more)', 'expectedVersion');
    }
    const decide = (query: Query, lock: boolean) => this.decideAndChange(query, lock, incidentId, action, expectedVersion, apply);
    let row: Record<string, unknown> | null = null;
    for (let attempt = 1; row === null && attempt <= UNLOCKED_ATTEMPTS; attempt++) row = await decide(preparedQuery(this.orm), false);
    row ??= await inPreparedTransaction(this.orm, (query) => decide(query, true));
    if (row === null) throw new Error(`incident ${incidentId} changed under its row lock`);
    // Committed: the live feeds may read the event.
    incidentEventBell(this.orm).ring();
    return entityFromRow(this.orm.em, Incident, row);
  }

  /** One decision of {@link act}: @returns the changed row, or null when the case was no longer at the version read. */
  private async decideAndChange(
    query: Query,
    lock: boolean,
    incidentId: string,
    action: WorkflowAction,
    expectedVersion: number | null | undefined,
    apply: Apply,
  ): Promise<Record<string, unknown> | null> {
    const incident = await this.readCase(query, incidentId, lock);
    const refusal = workflowRefusal(this.viewer, action, incident);
    if (refusal !== null) throw new ForbiddenError(refusal, 'id');
    if (expectedVersion != null && incident.version !== expectedVersion) {
      throw new ConflictError(`incident ${incidentId} is at version ${incident.version}, not ${expectedVersion}: it changed since you read it`, {
        field: 'expectedVersion',
        currentVersion: incident.version,
      });
    }
    const step = eventFor(incident.status, action);
    if (step === null || (action === IncidentAction.ESCALATE && levelAbove(incident.level) === null)) {
      throw impossible(incidentId, incident, action);
    }
    const { note, set } = apply(incident, new Date());
    return changeIncident(this.orm, query, {
      incidentId,
      fromVersion: incident.version,
      set: set ?? {},
      event: { type: step.type, actor: this.viewer.subject, note, fromStatus: step.fromStatus, toStatus: step.toStatus },
    });
  }

  /** The case as an action decides on it, with its region's names; `lock`: hold its row until the transaction ends. @throws NotFoundError */
  private async readCase(query: Query, id: string, lock: boolean): Promise<CaseRow> {
    const [row] = await query<Omit<CaseRow, 'names'> & { county: string; town: string; community: string }>(
      `select i.id::text as "id", i.grid_code as "gridCode", i.level, i.department, i.status, i.version, i.category,
              i.sub_category as "subCategory", i.severity, ${regionNamesSql('i.grid_code')}
         from incident i where i.id = $1${lock ? ' for update of i' : ''}`,
      [id],
    );
    if (row === undefined) throw new NotFoundError(`no incident ${id}`, 'id');
    const { county, town, community, ...rest } = row;
    return { ...rest, names: { county, town, community } };
  }

  /** The committed incident as the viewer reads it: a fresh scoped reader, so nothing cached before the change shows. */
  private async readBack(id: string): Promise<Incident> {
    const incident = await new IncidentService(new ScopedReader(this.orm.em.fork(), this.viewer)).get(id);
    if (incident === null) throw new NotFoundError(`incident ${id} is outside your region`, 'id');
    return incident;
  }

  /** Whether any role of the viewer reports at all (before the grid is known). */
  private mayReportSomewhere(): boolean {
    const { viewer } = this;
    const handlingCentre = viewer.has(Role.COMMAND_CENTER) && viewer.department === null && commandCentreLevel(viewer.regionCode) !== null;
    return viewer.has(Role.ADMIN) || viewer.has(Role.GRID_WORKER) || handlingCentre;
  }

  /**
   * The due time of a dispatch decided at `now`: `given` when it lies in the future and no later than the policy
   * allows, else the policy's limit from the change's own clock.
   */
  private due(incident: CaseRow, now: Date, given: Date | null): DueChange {
    const { category, severity } = incident;
    if (given === null) return { inSeconds: dueLimitSeconds(this.options.due, category, severity) };
    const latest = dueTime(this.options.due, category, severity, now);
    if (given.getTime() <= now.getTime()) throw new BadUserInputError('must lie in the future', 'dueAt');
    if (given.getTime() > latest.getTime()) {
      // Error messages are masked for every reader (dates to their year): the limit is said in hours, and given whole
      // in `extensions.latestDueAt`.
      const hours = dueLimitSeconds(this.options.due, category, severity) / 3600;
      throw new GridhubError(
        `dueAt: may be at most the due-time limit for ${incident.category} ${incident.severity} from now, ${hours} hours (extensions.latestDueAt)`,
        ErrorCode.BAD_USER_INPUT,
        { field: 'dueAt', latestDueAt: latest.toISOString() },
      );
    }
    return { at: given };
  }

  /**
   * The department a dispatch goes to: `given` when the responsibility list names it for the case (lead or
   * cooperating, at the case's level), else the list's lead. @throws BadUserInputError on `department`
   */
  private departmentFor(incident: CaseRow, given: string | null): string {
    const responsibility = responsibilityFor(this.options.responsibilities, incident.category, incident.subCategory, incident.level);
    const what = `${incident.category}${incident.subCategory ? ` ${incident.subCategory}` : ''} at ${incident.level} level`;
    if (responsibility === null) {
      if (given === null) throw new BadUserInputError(`the responsibility list names no department for ${what}: name one`, 'department');
      return given;
    }
    const { lead, cooperating } = departmentsFor(responsibility, incident.names);
    if (given === null || given === lead) return lead;
    if (cooperating.includes(given)) return given;
    throw new BadUserInputError(
      `the responsibility list names ${[lead, ...cooperating].join(', ')} for ${what} in this region, not ${given}`,
      'department',
    );
  }

}

/** Ingestion's field names as the report input names them. */
const INPUT_FIELD_OF: Readonly<Record<string, string>> = { 'place.id': 'placeId', 'thing.id': 'thingId' };

/** BAD_USER_INPUT for an action the state does not allow: names the state and the mutations that are allowed. */
function impossible(id: string, incident: CaseRow, action: WorkflowAction): GridhubError {
  const allowed = allowedMutations(incident.status, incident.level);
  const why =
    action === IncidentAction.ESCALATE && eventFor(incident.status, action) !== null
      ? `it is handled at ${incident.level}, the highest level`
      : `it is ${incident.status}`;
  return new GridhubError(
    `id: incident ${id} cannot be ${VERB_OF[action]}: ${why}; allowed now: ${allowed.length > 0 ? allowed.join(', ') : 'nothing (the case is finished)'}`,
    ErrorCode.BAD_USER_INPUT,
    { field: 'id', status: incident.status, allowedActions: allowed },
  );
}

const VERB_OF: Readonly<Record<WorkflowAction, string>> = {
  REPORT: 'reported',
  ACCEPT: 'accepted',
  REJECT: 'rejected',
  DISPATCH: 'dispatched',
  START: 'started',
  RESOLVE: 'resolved',
  VERIFY_PASSED: 'verified',
  VERIFY_FAILED: 'verified',
  ESCALATE: 'escalated',
  RATE: 'rated',
};



/** Photo URLs: http(s), at most 500 characters, at most {@link MAX_RESOLUTION_PHOTOS}. @throws BadUserInputError */
function checkPhotoUrls(urls: readonly string[] | null | undefined): string[] | null {
  if (urls == null || urls.length === 0) return null;
  if (urls.length > MAX_RESOLUTION_PHOTOS) throw new BadUserInputError(`at most ${MAX_RESOLUTION_PHOTOS} photos, got ${urls.length}`, 'photoUrls');
  return urls.map((url, i) => {
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      // reported below
    }
    if (parsed === null || !['http:', 'https:'].includes(parsed.protocol) || url.length > 500 || lineTextProblem(url) !== null) {
      throw new BadUserInputError('must be an http or https URL of at most 500 characters', `photoUrls[${i}]`);
    }
    return url;
  });
}
