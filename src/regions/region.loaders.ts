import DataLoader from 'dataloader';
import { arrayLiteral, RegionCountRow, ScopedReader } from '../access/scope';
import { Region } from './region.entity';

/**
 * What a region lookup reads: all but the boundary, a GeoJSON polygon of up to thousands of points that the grids
 * of nearly every page (`grid { name }`) would otherwise carry from the database and parse. `Region.boundary` loads
 * it on its own when asked ({@link regionLoaders}' `regionBoundary`).
 */
const REGION_LOOKUP = ['code', 'name', 'level', 'parentCode', 'createdAt', 'updatedAt'];

/** Regions by code; null when unknown or not visible to the viewer. */
export function regionLoaders(reader: ScopedReader) {
  return {
    region: new DataLoader<string, Region | null>(async (codes) => {
      const rows = await reader.regions().select(REGION_LOOKUP).andWhere('e.code = any(?::text[])', [arrayLiteral(codes)]).getResultList();
      const found = new Map(rows.map((region) => [region.code, region]));
      return codes.map((code) => found.get(code) ?? null);
    }),
    /** Boundaries of regions by code (null when a region has none, is unknown or not visible). */
    regionBoundary: new DataLoader<string, Region['boundary'] | null>(async (codes) => {
      const rows = await reader.regions().select(['code', 'boundary']).andWhere('e.code = any(?::text[])', [arrayLiteral(codes)]).getResultList();
      const found = new Map(rows.map((region) => [region.code, region.boundary ?? null]));
      return codes.map((code) => found.get(code) ?? null);
    }),
    regionCounts: new DataLoader<string, RegionCountRow>(async (codes) => {
      const counts = await reader.regionCounts(codes);
      return codes.map((code) => counts.get(code)!);
    }),
  };
}
