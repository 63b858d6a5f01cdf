import { GeoJsonBoundary } from './region.entity';

/** The most positions one boundary may have: a grid's or a county's outline, not a survey's point cloud. */
export const MAX_BOUNDARY_POSITIONS = 5_000;

/**
 * Validates a GeoJSON Polygon or MultiPolygon given as a grid boundary. Returns an error message, or null when
 * the boundary is usable: linear rings of at least four [lng, lat] positions, closed, within WGS-84 ranges, at most
 * {@link MAX_BOUNDARY_POSITIONS} positions in all.
 */
export function boundaryProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'must be a GeoJSON object';
  const { type, coordinates } = value as Partial<GeoJsonBoundary>;
  if (positionCount(type === 'MultiPolygon' ? coordinates : [coordinates]) > MAX_BOUNDARY_POSITIONS) {
    return `may have at most ${MAX_BOUNDARY_POSITIONS} positions`;
  }
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

/** Positions in a list of polygons (each a list of rings), counting only what has the shape of a list. */
function positionCount(polygons: unknown): number {
  let count = 0;
  for (const polygon of Array.isArray(polygons) ? polygons : []) {
    for (const ring of Array.isArray(polygon) ? polygon : []) count += Array.isArray(ring) ? ring.length : 0;
  }
  return count;
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

/**
 * The boundary as gridhub stores it: its type and coordinates, each position as [lng, lat]. Anything else a
 * client put in the object (properties, padding) is not kept: every row that shows the region would carry it.
 * Call only on a boundary {@link boundaryProblem} accepted.
 */
export function cleanBoundary(value: GeoJsonBoundary): GeoJsonBoundary {
  const ring = (positions: number[][]) => positions.map((position) => [position[0], position[1]]);
  return value.type === 'Polygon'
    ? ({ type: 'Polygon', coordinates: (value.coordinates as number[][][]).map(ring) } as GeoJsonBoundary)
    : ({ type: 'MultiPolygon', coordinates: (value.coordinates as number[][][][]).map((polygon) => polygon.map(ring)) } as GeoJsonBoundary);
}
