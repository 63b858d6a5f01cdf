import DataLoader from 'dataloader';
import { arrayLiteral, RegionCountRow, ScopedReader } from '../access/scope';
import { Region } from './region.entity';

/** Regions by code; null when unknown or not visible to the viewer. */
export function regionLoaders(reader: ScopedReader) {
  return {
    region: new DataLoader<string, Region | null>(async (codes) => {
      const rows = await reader.regions().select('*').andWhere('e.code = any(?::text[])', [arrayLiteral(codes)]).getResultList();
      const found = new Map(rows.map((region) => [region.code, region]));
      return codes.map((code) => found.get(code) ?? null);
    }),
    regionCounts: new DataLoader<string, RegionCountRow>(async (codes) => {
      const counts = await reader.regionCounts(codes);
      return codes.map((code) => counts.get(code)!);
    }),
  };
}
