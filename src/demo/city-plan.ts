import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RegionLevel } from '../shared/region-code';
import { mixSeed } from '../shared/random';

/**
 * The layout of the demo city: the real divisions of 乌海市 (seeds/wuhai-divisions.csv) and ~930 grids under its
 * 87 communities, each with a rectangular boundary. Rectangles tile their parent (county → towns → communities →
 * grids), so grids never overlap and the grids of one community are adjacent. The layout depends on nothing but
 * the CSV: it is the same for every seed and scale.
 */

/** [west, south, east, north] in WGS-84 degrees. */
export type Box = readonly [number, number, number, number];

export interface Division {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
}

export type CommunityKind = 'URBAN' | 'TOWNSHIP' | 'VILLAGE' | 'SPECIAL';

export interface CountyPlan {
  code: string;
  name: string;
  box: Box;
}

export interface TownPlan {
  code: string;
  name: string;
  /** Without 街道/镇, e.g. 凤凰岭 — for police station names. */
  shortName: string;
  county: CountyPlan;
  box: Box;
}

export interface CommunityPlan {
  code: string;
  name: string;
  /** Without 居委会/村委会/村民委员会, e.g. 和平社区, 新地村. */
  shortName: string;
  kind: CommunityKind;
  town: TownPlan;
  box: Box;
}

export interface GridPlan {
  /** Position in `CityPlan.grids` (ordered by code). */
  index: number;
  code: string;
  /** 1-based number inside the community (the last 3 digits of the code). */
  number: number;
  name: string;
  community: CommunityPlan;
  box: Box;
  /** Relative population density: urban grids are denser than villages. */
  weight: number;
}

export interface CityPlan {
  divisions: Division[];
  counties: CountyPlan[];
  towns: TownPlan[];
  communities: CommunityPlan[];
  grids: GridPlan[];
}

/** Rough real extents of Wuhai's three districts, disjoint: Haibowan north, Wuda west of the river, Hainan south. */
const COUNTY_BOXES: Record<string, Box> = {
  '150302': [106.78, 39.58, 107.05, 39.88],
  '150304': [106.7, 39.42, 106.775, 39.62],
  '150303': [106.8, 39.22, 107.1, 39.56],
};

const GRID_COUNT_RANGE: Record<CommunityKind, readonly [number, number]> = {
  URBAN: [11, 14],
  TOWNSHIP: [8, 10],
  VILLAGE: [5, 8],
  SPECIAL: [2, 4],
};
const DENSITY: Record<CommunityKind, number> = { URBAN: 1, TOWNSHIP: 0.7, VILLAGE: 0.35, SPECIAL: 0.15 };
const COMMUNITY_AREA: Record<CommunityKind, number> = { URBAN: 1, TOWNSHIP: 1.5, VILLAGE: 4, SPECIAL: 3 };

/** Where the divisions file is: next to the compiled code's project root, or under the working directory. */
export function divisionsFile(): string {
  const candidates = [
    path.resolve(__dirname, '../../../seeds/wuhai-divisions.csv'), // dist/src/demo → project root
    path.resolve(__dirname, '../../seeds/wuhai-divisions.csv'), // src/demo (ts-node, jest with ts)
    path.resolve(process.cwd(), 'seeds/wuhai-divisions.csv'),
  ];
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new Error(`seeds/wuhai-divisions.csv not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Reads `code,name,level,parent_code` rows. @throws Error naming the bad line */
export function loadDivisions(file: string = divisionsFile()): Division[] {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((line) => line.trim() !== '');
  const [header, ...rows] = lines;
  if (header.trim() !== 'code,name,level,parent_code') throw new Error(`${file}: unexpected header "${header}"`);
  return rows.map((line, i) => {
    const [code, name, level, parentCode] = line.split(',').map((cell) => cell.trim());
    if (!/^\d+$/.test(code ?? '') || !name || !(level in RegionLevel)) {
      throw new Error(`${file}:${i + 2}: malformed row "${line}"`);
    }
    return { code, name, level: level as RegionLevel, parentCode: parentCode || null };
  });
}

/** The full layout: divisions, and grids with boundaries. */
export function planCity(divisions: Division[] = loadDivisions()): CityPlan {
  const byLevel = (level: RegionLevel) =>
    divisions.filter((d) => d.level === level).sort((a, b) => (a.code < b.code ? -1 : 1));
  const counties: CountyPlan[] = byLevel(RegionLevel.COUNTY).map((d) => {
    const box = COUNTY_BOXES[d.code];
    if (!box) throw new Error(`no map extent for county ${d.code} ${d.name}`);
    return { code: d.code, name: d.name, box };
  });

  const towns: TownPlan[] = [];
  for (const county of counties) {
    const children = byLevel(RegionLevel.TOWN).filter((d) => d.parentCode === county.code);
    const boxes = partition(county.box, children.map((d) => townArea(d)));
    children.forEach((d, i) =>
      towns.push({ code: d.code, name: d.name, shortName: d.name.replace(/(街道|镇)$/, ''), county, box: boxes[i] }),
    );
  }

  const communities: CommunityPlan[] = [];
  for (const town of towns) {
    const children = byLevel(RegionLevel.COMMUNITY).filter((d) => d.parentCode === town.code);
    const kinds = children.map((d) => communityKind(d.name, town.name));
    const boxes = partition(town.box, kinds.map((kind) => COMMUNITY_AREA[kind]));
    children.forEach((d, i) =>
      communities.push({ code: d.code, name: d.name, shortName: shortCommunityName(d.name), kind: kinds[i], town, box: boxes[i] }),
    );
  }

  const grids: GridPlan[] = [];
  for (const community of communities) {
    const [low, high] = GRID_COUNT_RANGE[community.kind];
    const count = low + (mixSeed('grids', community.code) % (high - low + 1));
    const boxes = partition(community.box, new Array(count).fill(1));
    const prefix = community.shortName.startsWith(community.town.name) ? '' : community.town.name;
    for (let n = 1; n <= count; n++) {
      const code = community.code + String(n).padStart(3, '0');
      const jitter = 0.7 + 0.6 * ((mixSeed('density', code) % 1000) / 1000);
      grids.push({
        index: grids.length,
        code,
        number: n,
        name: `${prefix}${community.shortName}第${n}网格`,
        community,
        box: boxes[n - 1],
        weight: DENSITY[community.kind] * jitter,
      });
    }
  }
  return { divisions, counties, towns, communities, grids };
}

/** The boundary of a box as a GeoJSON Polygon (counter-clockwise exterior ring). */
export function boxPolygon(box: Box): { type: 'Polygon'; coordinates: number[][][] } {
  const [w, s, e, n] = box;
  return { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] };
}

function townArea(town: Division): number {
  if (town.code.slice(6, 7) === '4') return 2.5; // development zones (4xx)
  return town.name.endsWith('镇') ? 5 : 1;
}

function communityKind(name: string, townName: string): CommunityKind {
  if (/(村委会|村民委员会)$/.test(name)) return 'VILLAGE';
  if (/虚拟社区|工业园|矿区/.test(name)) return 'SPECIAL';
  return townName.endsWith('街道') ? 'URBAN' : 'TOWNSHIP';
}

function shortCommunityName(name: string): string {
  return name.replace(/村民委员会$/, '村').replace(/村委会$/, '村').replace(/居委会$/, '');
}

const KM_PER_DEGREE_LAT = 111.2;
const KM_PER_DEGREE_LNG = 111.32 * Math.cos((39.6 * Math.PI) / 180);

/**
 * Tiles `box` with one rectangle per weight, areas proportional to the weights, by recursive halving across the
 * longer side (in kilometres), which keeps the pieces roughly square. Shared edges use the same rounded value,
 * so neighbours touch exactly.
 */
export function partition(box: Box, weights: number[]): Box[] {
  if (weights.length === 0) return [];
  if (weights.length === 1) return [box];
  const total = weights.reduce((sum, w) => sum + w, 0);
  let split = 1;
  let left = weights[0];
  let best = Math.abs(2 * left - total);
  for (let k = 2, acc = left + weights[1]; k < weights.length; acc += weights[k], k++) {
    const gap = Math.abs(2 * acc - total);
    if (gap < best) {
      best = gap;
      split = k;
      left = acc;
    }
  }
  const fraction = left / total;
  const [w, s, e, n] = box;
  let first: Box;
  let second: Box;
  if ((e - w) * KM_PER_DEGREE_LNG >= (n - s) * KM_PER_DEGREE_LAT) {
    const x = round6(w + fraction * (e - w));
    first = [w, s, x, n];
    second = [x, s, e, n];
  } else {
    const y = round6(n - fraction * (n - s)); // first piece on top: codes read north to south
    first = [w, y, e, n];
    second = [w, s, e, y];
  }
  return [...partition(first, weights.slice(0, split)), ...partition(second, weights.slice(split))];
}

export function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
