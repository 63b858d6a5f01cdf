import { describe, expect, it } from '@jest/globals';
import { boundaryProblem } from '../../src/regions/boundary';

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
