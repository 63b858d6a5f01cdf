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

/**
 * Who is asking, as proven by their token. Built once per request (or per WebSocket connection) and passed to
 * every service. What it may read is the access policy's to decide (src/access/policy.ts).
 */
export class Viewer {
  constructor(
    readonly subject: string,
    readonly roles: ReadonlySet<Role>,
    /** Region scope: every read is limited to codes under it; null means no limit (ADMIN only). */
    readonly regionCode: string | null,
    /** The source system a DEPARTMENT token speaks for. */
    readonly source: SourceSystem | null,
    /**
     * The handling department (处置部门) a COMMAND_CENTER token is a seat of, named as the responsibility list
     * resolves it (e.g. 海勃湾区城市管理综合执法局): such a token starts and resolves the cases dispatched to that
     * department in its region, and runs no other workflow action. Null: not a department's seat.
     */
    readonly department: string | null = null,
    /** When the token expires (its `exp` claim); null for viewers without a token (the import CLI, the demo city). */
    readonly expiresAt: Date | null = null,
  ) {}

  has(role: Role): boolean {
    return this.roles.has(role);
  }
}
