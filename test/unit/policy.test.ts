import { describe, expect, it } from '@jest/globals';
import { AccessPolicy, fieldRule, FieldRule } from '../../src/access/policy';
import { Role, Viewer } from '../../src/auth/viewer';
import { EntityKind, SourceSystem } from '../../src/sources/source-system';

const viewer = (roles: Role[], source: SourceSystem | null = null) => new Viewer('t', new Set(roles), '1503', source);
const department = new AccessPolicy(viewer([Role.DEPARTMENT], SourceSystem.SOCIAL_SECURITY));

describe('who sees what', () => {
  it('masks for any token that holds a masked role, and limits a department without a broader role to its source', () => {
    expect(new AccessPolicy(viewer([Role.ANALYST])).masksPersonalData).toBe(true);
    expect(new AccessPolicy(viewer([Role.COMMAND_CENTER, Role.ANALYST])).masksPersonalData).toBe(true);
    expect(new AccessPolicy(viewer([Role.COMMAND_CENTER])).masksPersonalData).toBe(false);
    expect(department.department).toBe(SourceSystem.SOCIAL_SECURITY);
    expect(new AccessPolicy(viewer([Role.DEPARTMENT, Role.ANALYST], SourceSystem.SOCIAL_SECURITY)).department).toBeNull();
  });

  it('masks every text field by value unless gridhub wrote it', () => {
    expect(fieldRule('Person', 'idNumber')).toBe(FieldRule.ID_NUMBER);
    expect(fieldRule('Incident', 'caseNumber')).toBe(FieldRule.AS_IS);
    expect(fieldRule('PlacePersonLink', 'cursor')).toBe(FieldRule.AS_IS);
    expect(fieldRule('SomethingAddedLater', 'note')).toBe(FieldRule.TEXT);
  });
});

describe('the department view', () => {
  const merged = () => ({
    id: '7',
    name: 'governance name',
    phone: '13800000000',
    address: 'governance address',
    householdType: 'REGISTERED',
    gridCode: '150302001002001',
    createdAt: new Date('2020-01-01T00:00:00Z'),
    updatedAt: new Date('2026-11-01T00:00:00Z'),
    lineage: { name: { source: SourceSystem.COMPREHENSIVE_GOVERNANCE, sourceRecordId: '1' } },
  });
  const own = (payload: Record<string, unknown>, id = '9', observedAt = '2026-01-01T00:00:00Z') => ({
    id,
    entityId: '7',
    observedAt,
    receivedAt: observedAt,
    payload,
  });

  it("gives the department's own values (the newest record's), null where it said nothing, and its own lineage", () => {
    const row = merged();
    const [viewed] = department.departmentView(EntityKind.PERSON, [row], [
      own({ name: 'old name', address: 'own address' }, '8', '2025-01-01T00:00:00Z'),
      own({ name: 'own name' }),
    ]);
    expect(viewed).toMatchObject({ name: 'own name', address: 'own address', phone: null, householdType: null });
    expect(viewed.lineage).toEqual({
      name: { source: SourceSystem.SOCIAL_SECURITY, sourceRecordId: '9' },
      address: { source: SourceSystem.SOCIAL_SECURITY, sourceRecordId: '8' },
    });
    // When gridhub first and last heard from this department, not from anyone.
    expect(viewed).toMatchObject({ createdAt: new Date('2025-01-01T00:00:00Z'), updatedAt: new Date('2026-01-01T00:00:00Z') });
    // A copy: the row (possibly an entity the request's entity manager tracks) keeps the merged values.
    expect(row.name).toBe('governance name');
  });

  it("reads a value that does not fit its field as null; a non-null identity field falls back to the merged one", () => {
    const [viewed] = department.departmentView(EntityKind.PERSON, [merged()], [
      own({ name: 42, householdType: 'RENTER', gridCode: 'not-a-grid', phone: '13911112222' }),
    ]);
    expect(viewed).toMatchObject({ name: 'governance name', householdType: null, gridCode: '150302001002001', phone: '13911112222' });
  });

  it('leaves rows alone for broad readers', () => {
    const row = merged();
    expect(new AccessPolicy(viewer([Role.ANALYST])).departmentView(EntityKind.PERSON, [row], [own({ name: 'x' })])[0]).toBe(row);
  });
});

describe('what a department may break its records down by', () => {
  const refused = (check: () => void) => {
    try {
      check();
      return null;
    } catch (error) {
      return (error as { extensions: Record<string, unknown> }).extensions;
    }
  };

  it('refuses a breakdown by reporting source and by another department’s facet, naming the field', () => {
    expect(refused(() => department.checkSourceBreakdown('groupBy'))).toMatchObject({ code: 'FORBIDDEN', field: 'groupBy' });
    expect(refused(() => department.checkFacetFilter(SourceSystem.SOCIAL_SECURITY, 'groupBy'))).toBeNull();
    expect(refused(() => department.checkFacetFilter(SourceSystem.CIVIL_AFFAIRS, 'groupBy'))).toMatchObject({ code: 'FORBIDDEN', field: 'groupBy' });
    const broad = new AccessPolicy(viewer([Role.ANALYST]));
    expect(refused(() => broad.checkSourceBreakdown('groupBy'))).toBeNull();
    expect(refused(() => broad.checkFacetFilter(SourceSystem.CIVIL_AFFAIRS, 'groupBy'))).toBeNull();
  });
});
