import { describe, expect, it } from '@jest/globals';
import { boundaryProblem, cleanBoundary, MAX_BOUNDARY_POSITIONS } from '../../src/regions/boundary';

const square = [[106.8, 39.6], [106.81, 39.6], [106.81, 39.61], [106.8, 39.61], [106.8, 39.6]];

describe('grid boundaries', () => {
  it('accepts closed polygons and multipolygons', () => {
    expect(boundaryProblem({ type: 'Polygon', coordinates: [square] })).toBeNull();
    expect(boundaryProblem({ type: 'MultiPolygon', coordinates: [[square], [square]] })).toBeNull();
  });

  it('says what is wrong', () => {
    expect(boundaryProblem({ type: 'Point', coordinates: [1, 2] })).toMatch(/Polygon/);
    expect(boundaryProblem({ type: 'Polygon', coordinates: [square.slice(0, 4)] })).toMatch(/end where it starts/);
    expect(boundaryProblem({ type: 'Polygon', coordinates: [square.slice(0, 3)] })).toMatch(/four positions/);
    expect(boundaryProblem({ type: 'Polygon', coordinates: [[[200, 1], [1, 1], [1, 2], [200, 1]]] })).toMatch(/WGS-84/);
    expect(boundaryProblem('x')).toMatch(/GeoJSON object/);
  });
});

describe('what is stored of a boundary (found attacking: padding was copied into every row showing the region)', () => {
  const square = [[106.8, 39.5], [106.9, 39.5], [106.9, 39.6], [106.8, 39.6], [106.8, 39.5]];

  it('keeps the type and [lng, lat] positions only', () => {
    const given = { type: 'Polygon', coordinates: [square.map((p) => [...p, 1200])], pad: 'x'.repeat(1000), properties: { a: 1 } };
    expect(boundaryProblem(given)).toBeNull();
    expect(cleanBoundary(given as never)).toEqual({ type: 'Polygon', coordinates: [square] });
    expect(cleanBoundary({ type: 'MultiPolygon', coordinates: [[square], [square]] } as never)).toEqual({
      type: 'MultiPolygon',
      coordinates: [[square], [square]],
    });
  });

  it(`refuses more than ${MAX_BOUNDARY_POSITIONS} positions`, () => {
    const ring = Array.from({ length: MAX_BOUNDARY_POSITIONS }, (_, i) => [106 + i / 1e6, 39.5]);
    ring.push(ring[0]);
    expect(boundaryProblem({ type: 'Polygon', coordinates: [ring] })).toMatch(/at most/);
    expect(boundaryProblem({ type: 'Polygon', coordinates: [ring.slice(0, MAX_BOUNDARY_POSITIONS - 1).concat([ring[0]])] })).toBeNull();
  });
});
