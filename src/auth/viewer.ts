import { registerEnumType } from 'type-graphql';
import { SourceSystem } from '../sources/source-system';

/** Roles (design §6). */
export enum Role {
  ADMIN = 'ADMIN',
  COMMAND_CENTER = 'COMMAND_CENTER',
  GRID_WORKER = 'GRID_WORKER',
  DEPARTMENT = 'DEPARTMENT',
  ANALYST = 'ANALYST',
}
registerEnumType(Role, {
  name: 'Role',
  valuesConfig: {
    ADMIN: { description: 'Administrator: everything, registry included' },
    COMMAND_CENTER: { description: 'Command centre (指挥中心): reads its region, runs the workflow' },
    GRID_WORKER: { description: 'Grid worker (网格员): reports and handles in own grid' },
    DEPARTMENT: { description: 'Department system (部门系统): ingests as its own source, reads what it sent' },
    ANALYST: { description: 'Analyst (分析人员): reads its region with personal data masked' },
  },
});

/** Roles that may read everything in their region, whoever sent it. */
const BROAD_READERS = new Set([Role.ADMIN, Role.COMMAND_CENTER, Role.GRID_WORKER, Role.ANALYST]);
/** Roles that see ID and phone numbers unmasked. */
const PII_READERS = new Set([Role.ADMIN, Role.COMMAND_CENTER, Role.GRID_WORKER, Role.DEPARTMENT]);

/**
 * Who is asking, as proven by their token. Built once per request (or per WebSocket connection) and passed to
 * every service; it carries the read scope that the data-access seam applies.
 */
export class Viewer {
  constructor(
    readonly subject: string,
    readonly roles: ReadonlySet<Role>,
    /** Region scope: every read is limited to codes under it; null means no limit (ADMIN only). */
    readonly regionCode: string | null,
    /** The source system a DEPARTMENT token speaks for. */
    readonly source: SourceSystem | null,
  ) {}

  has(role: Role): boolean {
    return this.roles.has(role);
  }

  /**
   * ID and phone numbers (and exact birth dates) are shown unmasked. Only when every role of the token may see
   * them: a token that is also an ANALYST's reads as an analyst.
   */
  get seesPersonalData(): boolean {
    return this.roles.size > 0 && [...this.roles].every((role) => PII_READERS.has(role));
  }

  /** When set, reads are limited to entities this source sent (a DEPARTMENT without a broader role). */
  get sourceScope(): SourceSystem | null {
    return [...this.roles].some((role) => BROAD_READERS.has(role)) ? null : this.source;
  }
}
