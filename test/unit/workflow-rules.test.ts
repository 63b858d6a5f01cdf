import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Role, Viewer } from '../../src/auth/viewer';
import { ConfigError, loadConfig } from '../../src/config';
import { DEFAULT_DUE_POLICY, dueLimitSeconds, dueTime, parseDuePolicy } from '../../src/incidents/due-time';
import { IncidentCategory, Severity } from '../../src/incidents/incident.entity';
import { HandlingLevel, IncidentAction, IncidentStatus } from '../../src/incidents/incident-workflow';
import { allowedMutations } from '../../src/incidents/incident-workflow.service';
import {
  DEFAULT_RESPONSIBILITY_FILE,
  departmentName,
  departmentsFor,
  loadResponsibilityList,
  parseResponsibilityList,
  responsibilityFor,
} from '../../src/incidents/responsibility-list';
import { commandCentreLevel, reportingLevel, workflowRefusal } from '../../src/incidents/workflow-rights';

const GRID = '150302001002003';
const viewer = (roles: Role[], region: string | null, department: string | null = null) => new Viewer('t', new Set(roles), region, null, department);

describe('due-time policy', () => {
  it('is hours per category at LOW severity, shortened by the severity factor', () => {
    expect(dueLimitSeconds(DEFAULT_DUE_POLICY, IncidentCategory.CITY_MANAGEMENT, Severity.LOW)).toBe(48 * 3600);
    expect(dueLimitSeconds(DEFAULT_DUE_POLICY, IncidentCategory.CITY_MANAGEMENT, Severity.MEDIUM)).toBe(36 * 3600);
    expect(dueLimitSeconds(DEFAULT_DUE_POLICY, IncidentCategory.PUBLIC_SECURITY, Severity.CRITICAL)).toBe(3 * 3600);
    expect(dueTime(DEFAULT_DUE_POLICY, IncidentCategory.DISPUTE, Severity.HIGH, new Date('2026-12-01T00:00:00Z'))).toEqual(new Date('2026-12-02T12:00:00Z'));
  });

  it('takes overrides from the configuration and names a bad entry', () => {
    const policy = parseDuePolicy('DISPUTE=10,OTHER=1.5', 'CRITICAL=0.1');
    expect(dueLimitSeconds(policy, IncidentCategory.DISPUTE, Severity.LOW)).toBe(36_000);
    expect(dueLimitSeconds(policy, IncidentCategory.OTHER, Severity.CRITICAL)).toBe(540);
    expect(dueLimitSeconds(policy, IncidentCategory.SAFETY_HAZARD, Severity.LOW)).toBe(24 * 3600);
    expect(() => parseDuePolicy('FIRE=10', undefined)).toThrow('GRIDHUB_DUE_HOURS');
    expect(() => parseDuePolicy('DISPUTE=0', undefined)).toThrow('GRIDHUB_DUE_HOURS');
    expect(() => parseDuePolicy(undefined, 'LOW=-1')).toThrow('GRIDHUB_DUE_SEVERITY_FACTORS');
    expect(() => loadConfig({ GRIDHUB_DUE_HOURS: 'DISPUTE=abc' })).toThrow(ConfigError);
  });

  it('sweeps every minute by default; GRIDHUB_SWEEP_INTERVAL_MS=0 turns an instance’s sweeper off', () => {
    expect(loadConfig({}).sweepIntervalMs).toBe(60_000);
    expect(loadConfig({ GRIDHUB_SWEEP_INTERVAL_MS: '0' }).sweepIntervalMs).toBe(0);
    expect(loadConfig({ GRIDHUB_SWEEP_INTERVAL_MS: '250' }).sweepIntervalMs).toBe(250);
    for (const bad of ['5', '-1', '1e3', 'soon']) expect(() => loadConfig({ GRIDHUB_SWEEP_INTERVAL_MS: bad })).toThrow('GRIDHUB_SWEEP_INTERVAL_MS');
  });
});

describe('responsibility list', () => {
  const list = loadResponsibilityList(DEFAULT_RESPONSIBILITY_FILE);
  const names = { county: '海勃湾区', town: '凤凰岭街道', community: '凤凰岭社区' };

  it('looks up the sub-category’s item, else the category’s, and fills in the region’s names', () => {
    const fireLane = responsibilityFor(list, IncidentCategory.SAFETY_HAZARD, '消防通道堵塞', HandlingLevel.COUNTY)!;
    expect(departmentsFor(fireLane, names)).toEqual({ lead: '海勃湾区消防救援大队', cooperating: ['海勃湾区城市管理综合执法局'] });
    const stalls = responsibilityFor(list, IncidentCategory.CITY_MANAGEMENT, '占道经营', HandlingLevel.TOWN)!;
    expect(departmentsFor(stalls, names).lead).toBe('凤凰岭街道综合行政执法队');
    const theft = responsibilityFor(list, IncidentCategory.PUBLIC_SECURITY, null, HandlingLevel.TOWN)!;
    expect(departmentName(theft.lead, names)).toBe('乌海市公安局海勃湾区分局凤凰岭派出所');
    expect(departmentName('{townShort}', { ...names, town: '千里山镇' })).toBe('千里山');
    // An item of its own that leaves a level out names nobody there (it does not fall back to the category's).
    expect(responsibilityFor(list, IncidentCategory.SAFETY_HAZARD, '危化品存放隐患', HandlingLevel.GRID)).toBeNull();
  });

  it('covers every category at every level in the shipped 乌海市 list', () => {
    for (const category of Object.values(IncidentCategory)) {
      for (const level of Object.values(HandlingLevel)) expect(responsibilityFor(list, category, null, level)).not.toBeNull();
    }
  });

  it('refuses a malformed list, naming the entry', () => {
    const item = { category: 'DISPUTE', levels: { TOWN: { lead: '{town}综治中心' } } };
    expect(parseResponsibilityList({ name: 'x', items: [item] }).items[0].levels.TOWN).toEqual({ lead: '{town}综治中心', cooperating: [] });
    expect(() => parseResponsibilityList({ name: 'x', items: [item, item] })).toThrow('items[1]: DISPUTE (all other sub-categories) is listed twice');
    expect(() => parseResponsibilityList({ name: 'x', items: [{ ...item, category: 'FIRE' }] })).toThrow('items[0].category');
    expect(() => parseResponsibilityList({ name: 'x', items: [{ ...item, levels: { CITY: { lead: 'a' } } }] })).toThrow('items[0].levels.CITY');
    expect(() => parseResponsibilityList({ name: 'x', items: [{ ...item, levels: { TOWN: { lead: '{street}办' } } }] })).toThrow('unknown placeholder {street}');
    expect(() => parseResponsibilityList({ name: 'x', items: [{ ...item, levels: { TOWN: { lead: '' } } }] })).toThrow('items[0].levels.TOWN.lead');
    expect(() => parseResponsibilityList({ name: 'x', items: [] })).toThrow('items');
  });

  it('is configured by GRIDHUB_RESPONSIBILITY_FILE; a bad file stops start-up naming the variable', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridhub-list-'));
    try {
      const file = path.join(dir, 'list.json');
      fs.writeFileSync(file, JSON.stringify({ name: '测试清单', items: [{ category: 'OTHER', levels: { GRID: { lead: '{community}' } } }] }));
      expect(loadConfig({ GRIDHUB_RESPONSIBILITY_FILE: file }).workflow.responsibilities.name).toBe('测试清单');
      fs.writeFileSync(file, '{ not json');
      expect(() => loadConfig({ GRIDHUB_RESPONSIBILITY_FILE: file })).toThrow(/^GRIDHUB_RESPONSIBILITY_FILE: cannot read/);
      expect(loadConfig({}).workflow.responsibilities).toEqual(list);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('workflow rights', () => {
  const at = (level: HandlingLevel, department: string | null = null) => ({ gridCode: GRID, level, department });

  it('reads a command centre’s level from its region', () => {
    expect(commandCentreLevel('150302001002')).toBe(HandlingLevel.COMMUNITY);
    expect(commandCentreLevel('150302001')).toBe(HandlingLevel.TOWN);
    expect(commandCentreLevel('150302')).toBe(HandlingLevel.COUNTY);
    expect(commandCentreLevel('1503')).toBeNull();
    expect(commandCentreLevel(GRID)).toBeNull();
  });

  it('lets each actor act at its own level in its own region only', () => {
    const accept = IncidentAction.ACCEPT;
    expect(workflowRefusal(viewer([Role.GRID_WORKER], GRID), accept, at(HandlingLevel.GRID))).toBeNull();
    expect(workflowRefusal(viewer([Role.GRID_WORKER], GRID), accept, at(HandlingLevel.COMMUNITY))).toContain('GRID level');
    expect(workflowRefusal(viewer([Role.GRID_WORKER], '150302001002004'), accept, at(HandlingLevel.GRID))).toContain('its own grid');
    expect(workflowRefusal(viewer([Role.GRID_WORKER], '150302001002'), accept, at(HandlingLevel.GRID))).toContain('must name its grid');
    expect(workflowRefusal(viewer([Role.COMMAND_CENTER], '150302001002'), accept, at(HandlingLevel.COMMUNITY))).toBeNull();
    expect(workflowRefusal(viewer([Role.COMMAND_CENTER], '150302001'), accept, at(HandlingLevel.COMMUNITY))).toContain('TOWN command centre');
    expect(workflowRefusal(viewer([Role.COMMAND_CENTER], '150302001'), accept, at(HandlingLevel.TOWN))).toBeNull();
    expect(workflowRefusal(viewer([Role.COMMAND_CENTER], '150302002'), accept, at(HandlingLevel.TOWN))).toContain('outside your region');
    expect(workflowRefusal(viewer([Role.COMMAND_CENTER], '150302'), accept, at(HandlingLevel.COUNTY))).toBeNull();
    expect(workflowRefusal(viewer([Role.COMMAND_CENTER], '150303'), accept, at(HandlingLevel.COUNTY))).toContain('outside your region');
    expect(workflowRefusal(viewer([Role.COMMAND_CENTER], '1503'), accept, at(HandlingLevel.COUNTY))).toContain('handles no cases');
    expect(workflowRefusal(viewer([Role.ADMIN], null), accept, at(HandlingLevel.COUNTY))).toBeNull();
    expect(workflowRefusal(viewer([Role.ADMIN], '150303'), accept, at(HandlingLevel.GRID))).toContain('outside your region');
    expect(workflowRefusal(viewer([Role.ANALYST], '150302'), accept, at(HandlingLevel.COUNTY))).toContain('ANALYST tokens run no workflow');
    expect(workflowRefusal(viewer([Role.DEPARTMENT], '150302'), accept, at(HandlingLevel.COUNTY))).toContain('DEPARTMENT tokens run no workflow');
    // A case outside the viewer's scope does not tell where it lies.
    for (const [role, region] of [[Role.GRID_WORKER, '150302001002004'], [Role.COMMAND_CENTER, '150303'], [Role.ADMIN, '150303']] as const) {
      expect(workflowRefusal(viewer([role], region), accept, at(HandlingLevel.GRID))).not.toContain(GRID);
    }
    // Several roles: any one that grants it.
    expect(workflowRefusal(viewer([Role.ANALYST, Role.COMMAND_CENTER], '150302'), accept, at(HandlingLevel.COUNTY))).toBeNull();
  });

  it('lets a department’s seat start and resolve what is dispatched to it, at any level, and nothing else', () => {
    const seat = viewer([Role.COMMAND_CENTER], '150302', '海勃湾区城市管理综合执法局');
    for (const level of Object.values(HandlingLevel)) {
      expect(workflowRefusal(seat, IncidentAction.START, at(level, '海勃湾区城市管理综合执法局'))).toBeNull();
      expect(workflowRefusal(seat, IncidentAction.RESOLVE, at(level, '海勃湾区城市管理综合执法局'))).toBeNull();
    }
    expect(workflowRefusal(seat, IncidentAction.START, at(HandlingLevel.COUNTY, '海勃湾区市场监督管理局'))).toContain('dispatched to 海勃湾区市场监督管理局');
    expect(workflowRefusal(seat, IncidentAction.START, at(HandlingLevel.COUNTY))).toContain('not dispatched');
    for (const action of [IncidentAction.ACCEPT, IncidentAction.DISPATCH, IncidentAction.VERIFY_PASSED, IncidentAction.ESCALATE, IncidentAction.RATE] as const) {
      expect(workflowRefusal(seat, action, at(HandlingLevel.COUNTY, '海勃湾区城市管理综合执法局'))).toContain('may only start and resolve');
    }
  });

  it('reports at the reporter’s level', () => {
    expect(reportingLevel(viewer([Role.GRID_WORKER], GRID), GRID)).toEqual({ level: HandlingLevel.GRID });
    expect(reportingLevel(viewer([Role.COMMAND_CENTER], '150302001'), GRID)).toEqual({ level: HandlingLevel.TOWN });
    expect(reportingLevel(viewer([Role.ADMIN], null), GRID)).toEqual({ level: HandlingLevel.GRID });
    expect(reportingLevel(viewer([Role.GRID_WORKER], '150302001002004'), GRID)).toHaveProperty('refusal');
    expect(reportingLevel(viewer([Role.COMMAND_CENTER], '1503'), GRID)).toHaveProperty('refusal');
    expect(reportingLevel(viewer([Role.COMMAND_CENTER], '150302', '某局'), GRID)).toHaveProperty('refusal');
    expect(reportingLevel(viewer([Role.ANALYST], '150302'), GRID)).toHaveProperty('refusal');
  });

  it('lists the mutations a state allows, escalation only below COUNTY', () => {
    expect(allowedMutations(IncidentStatus.REPORTED, HandlingLevel.GRID)).toEqual(['acceptIncident', 'rejectIncident', 'escalateIncident']);
    expect(allowedMutations(IncidentStatus.IN_PROGRESS, HandlingLevel.COUNTY)).toEqual(['resolveIncident']);
    expect(allowedMutations(IncidentStatus.RESOLVED, HandlingLevel.TOWN)).toEqual(['verifyIncident', 'rateIncident']);
    expect(allowedMutations(IncidentStatus.REJECTED, HandlingLevel.GRID)).toEqual([]);
  });
});
