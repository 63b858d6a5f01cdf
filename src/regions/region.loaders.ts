import DataLoader from 'dataloader';
import { arrayLiteral, REGION_LOOKUP, RegionCountRow, ScopedReader } from '../access/scope';
import { Region } from './region.entity';

/**
 * Regions by code (all but the boundary, {@link REGION_LOOKUP}); null when unknown or not visible to the viewer. Grids
 * that queries read with their rows are primed into it (ScopedQuery.withGrid).
 */
export function regionLoaders(reader: ScopedReader) {
  const region = new DataLoader<string, Region | null>(async (codes) => {
    const rows = await reader.regions().select(REGION_LOOKUP).andWhere('e.code = any(?::text[])', [arrayLiteral(codes)]).getResultList();
    const found = new Map(rows.map((row) => [row.code, row]));
    return codes.map((code) => found.get(code) ?? null);
  });
  reader.onGridRead((grid) => region.prime(grid.code, grid));
  return {
    region,
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
