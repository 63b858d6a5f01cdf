import { GeoJsonBoundary } from './region.entity';

/**
 * Validates a GeoJSON Polygon or MultiPolygon given as a grid boundary. Returns an error message, or null when
 * the boundary is usable: linear rings of at least four [lng, lat] positions, closed, within WGS-84 ranges.
 */
export function boundaryProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'must be a GeoJSON object';
  const { type, coordinates } = value as Partial<GeoJsonBoundary>;
  if (type === 'Polygon') return polygonProblem(coordinates);
  if (type === 'MultiPolygon') {
    if (!Array.isArray(coordinates) || coordinates.length === 0) return 'a MultiPolygon needs at least one polygon';
    for (const polygon of coordinates) {
      const problem = polygonProblem(polygon);
      if (problem) return problem;
    }
    return null;
  }
  return 'type must be "Polygon" or "MultiPolygon"';
}

function polygonProblem(rings: unknown): string | null {
  if (!Array.isArray(rings) || rings.length === 0) return 'a Polygon needs at least one linear ring';
  for (const ring of rings) {
    if (!Array.isArray(ring) || ring.length < 4) return 'a linear ring needs at least four positions';
    for (const position of ring) {
      if (
        !Array.isArray(position) ||
        position.length < 2 ||
        typeof position[0] !== 'number' ||
        typeof position[1] !== 'number' ||
        Math.abs(position[0]) > 180 ||
        Math.abs(position[1]) > 90
      ) {
        return 'positions must be [longitude, latitude] numbers within WGS-84 ranges';
      }
    }
    const first = ring[0] as number[];
    const last = ring[ring.length - 1] as number[];
    if (first[0] !== last[0] || first[1] !== last[1]) return 'a linear ring must end where it starts';
  }
  return null;
}
