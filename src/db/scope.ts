import { EntityManager, QueryBuilder } from '@mikro-orm/postgresql';
import { Viewer } from '../auth/viewer';
import { BadUserInputError, ForbiddenError } from '../shared/errors';
import { ancestorCodesOf, codeRange, isWithin, parseRegionCode, RegionCodeError } from '../shared/region-code';
import { EntityKind } from '../sources/source-system';

/** An entity class whose rows hang on a grid (`grid_code`). */
export type GridBound = { id: string; gridCode: string };
export type EntityClass<T> = new (...args: never[]) => T;

/**
 * The one data-access seam for reads (design §6): every query over people, places, things and incidents starts
 * here, and comes back already limited to the viewer's region — and, for a DEPARTMENT token, to the entities its
 * source sent. Services and loaders never build a query over those tables any other way.
 */
export class ScopedReader {
  constructor(
    readonly em: EntityManager,
    readonly viewer: Viewer,
  ) {}

  /**
   * A query builder over `entity` (alias `e`) restricted to the viewer's scope.
   * @param kind the entity kind, for the source restriction of DEPARTMENT tokens.
   */
  query<T extends GridBound>(entity: EntityClass<T>, kind: EntityKind): QueryBuilder<T, 'e'> {
    const qb = this.em.createQueryBuilder<T, 'e'>(entity, 'e');
    // QueryBuilder.where() replaces earlier conditions and orWhere() ORs past them; on a scoped builder
    // conditions may only ever be added (an OR belongs inside one condition, e.g. { $or: [...] }).
    const where = qb.where.bind(qb);
    qb.where = ((cond: never, params?: never, operator?: '$and' | '$or') => {
      if (operator === '$or') throw new Error('orWhere() would bypass the region scope; use andWhere({ $or: [...] })');
      return where(cond, params, '$and');
    }) as typeof qb.where;
    qb.orWhere = (() => {
      throw new Error('orWhere() would bypass the region scope; use andWhere({ $or: [...] })');
    }) as typeof qb.orWhere;
    if (this.viewer.regionCode !== null) withinRegion(qb, this.viewer.regionCode);
    const source = this.viewer.sourceScope;
    if (source !== null) {
      qb.andWhere(
        'exists (select 1 from source_record sr where sr.entity_kind = ? and sr.entity_id = e.id and sr.source = ?)',
        [kind, source],
      );
    }
    return qb;
  }

  /**
   * Validates a region code given as an argument and checks it lies inside the viewer's scope.
   * @param field argument path for error messages, e.g. `filter.regionCode`.
   * @throws BadUserInputError for a malformed code; ForbiddenError for a region outside the scope.
   */
  regionArgument(input: string, field: string): string {
    let code: string;
    try {
      code = parseRegionCode(input);
    } catch (error) {
      throw new BadUserInputError((error as RegionCodeError).message, field);
    }
    if (!this.inScope(code)) {
      throw new ForbiddenError(`${field}: region ${code} lies outside your scope (${this.viewer.regionCode})`, field);
    }
    return code;
  }

  /** True when `code` (a short code) lies inside the viewer's region scope. */
  inScope(code: string): boolean {
    return this.viewer.regionCode === null || isWithin(code, this.viewer.regionCode);
  }

  /** Regions the viewer may see: its scope subtree, plus the ancestors of its scope (for names and paths). */
  regionVisible(code: string): boolean {
    const scope = this.viewer.regionCode;
    return scope === null || isWithin(code, scope) || isWithin(scope, code);
  }

  /** The ancestors of the viewer's scope, which are visible as names although outside it. */
  scopeAncestors(): string[] {
    return this.viewer.regionCode === null ? [] : ancestorCodesOf(this.viewer.regionCode);
  }
}

/** Limits a query with alias `e` to rows whose grid code lies under `region`: one index range scan. */
export function withinRegion(qb: QueryBuilder<any, any>, region: string, column = 'e.grid_code'): void {
  const { low, high } = codeRange(region);
  if (high === null) qb.andWhere(`${column} >= ?`, [low]);
  else qb.andWhere(`${column} >= ? and ${column} < ?`, [low, high]);
}
