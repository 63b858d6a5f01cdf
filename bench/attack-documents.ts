/**
 * Hostile GraphQL documents of the attacks found against gridhub (design §6), shared by the limits tests
 * (test/api/limits.test.ts, at small sizes) and `npm run bench:attack` (bench/attack.ts, at full sizes).
 * Every builder is deterministic; sizes are parameters.
 */

/**
 * The person → places → place → people → person cycle, `depth` levels deep counting the root field as 1 and the
 * leaf scalar as the last level (as graphql-armor's max-depth counts): `depthQuery(4, 5)` is
 * `{ people(first: 5) { edges { node { name } } } }`.
 */
export function depthQuery(depth: number, first: number, linkFirst?: number): string {
  if (depth < 2) throw new Error('depth must be at least 2');
  // Object fields in order after the root; each type's scalar leaf. `linkFirst` pages the link lists (a control
  // that stays under the cost limit); without it they take their default page, the fan-out of the attack.
  const page = linkFirst === undefined ? '' : `(first: ${linkFirst})`;
  const cycle = [`places${page}`, 'place', `people${page}`, 'person'];
  const path = [`people(first: ${first})`, 'edges', 'node'];
  while (path.length < depth - 1) path.push(cycle[(path.length - 3) % 4]);
  path.length = depth - 1;
  // The type reached after each path element, and its scalar leaf.
  const leafAfter = (index: number): string => {
    if (index === 0) return 'totalCount'; // PersonConnection
    if (index === 1) return 'cursor'; // PersonEdge
    return ['name', 'role', 'name', 'role'][(index - 2) % 4]; // Person, PersonPlaceLink, Place, PlacePersonLink
  };
  const leaf = leafAfter(path.length - 1);
  return `{ ${path.map((field) => `${field} { `).join('')}${leaf}${' }'.repeat(path.length)} }`;
}

/** One page of people, as the attacks repeat it. */
export const PEOPLE_PAGE = 'people(first: 100) { edges { node { id name } } }';

/** The same root field `copies` times without aliases (attack 2). */
export function repeatedRootQuery(copies: number, field = PEOPLE_PAGE): string {
  return `{ ${Array.from({ length: copies }, () => field).join(' ')} }`;
}

/** The same root field `copies` times, each inside its own inline fragment `... { }` (attack 2, variant). */
export function repeatedInlineFragmentQuery(copies: number, field = PEOPLE_PAGE): string {
  return `{ ${Array.from({ length: copies }, () => `... { ${field} }`).join(' ')} }`;
}

/** `count` aliases of `people(first: 100) { totalCount }` (attack 3). */
export function aliasQuery(count: number, field = 'people(first: 100) { totalCount }'): string {
  return `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
}

/**
 * A fragment bomb: F0 spreads F1 twice, F1 spreads F2 twice, …, the last selects `__typename` — 2^levels
 * leaves from a document of a few hundred bytes. The two spreads of a fragment are identical, so the document
 * is valid GraphQL (fields merge); only the expansion is exponential.
 */
export function fragmentBombQuery(levels: number): string {
  const fragments: string[] = [];
  for (let i = 0; i < levels; i++) fragments.push(`fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  fragments.push(`fragment F${levels} on Query { __typename }`);
  return `{ ...F0 }\n${fragments.join('\n')}`;
}

const PERSON_SCALARS = ['id', 'name', 'gender', 'gridCode', 'birthDate', 'householdType', 'address', 'phone', 'idNumber', 'createdAt', 'updatedAt'];

/**
 * `count` directives in one valid document: up to 22 spread over a person's scalar fields (each field may carry
 * `@include` and `@skip` once), beyond that on inline fragments around `__typename`.
 */
export function directiveQuery(count: number): string {
  const fields = PERSON_SCALARS.map((field, i) => {
    const directives = [i < count ? '@include(if: true)' : '', i + PERSON_SCALARS.length < count ? '@skip(if: false)' : ''];
    return `${field} ${directives.join(' ')}`.trim();
  });
  const extra = Math.max(0, count - 2 * PERSON_SCALARS.length);
  const fragments = Array.from({ length: extra }, () => '... @include(if: true) { __typename }').join(' ');
  return `{ people(first: 1) { edges { node { ${fields.join(' ')} ${fragments} } } } }`;
}

/** `people(filter: { tagsAny: [...] })` with `count` tags as a literal list. */
export function tagsLiteralQuery(count: number): string {
  const tags = Array.from({ length: count }, () => 'ELDERLY_LIVING_ALONE').join(', ');
  return `{ people(filter: { tagsAny: [${tags}] }, first: 1) { totalCount } }`;
}

/** The same filter with the tags in a variable `$tags` (pass {@link tagsVariables}). */
export const TAGS_VARIABLE_QUERY =
  'query ($tags: [PersonTag!]) { people(filter: { tagsAny: $tags }, first: 1) { totalCount } }';

export function tagsVariables(count: number): { tags: string[] } {
  return { tags: Array.from({ length: count }, () => 'ELDERLY_LIVING_ALONE') };
}

/** A heavy but legitimate page: 100 people with their nested relations (about what a dashboard asks). */
export const HEAVY_PAGE = `{ people(first: 100) { totalCount edges { node {
  id name idNumber grid { name } regionPath { name } places { role place { name } }
  sourceRecords { source payload } lineage { field source } } } } }`;

/** A page of 20 people with their places: light enough to send hundreds at once. */
export const MEDIUM_PAGE = '{ people(first: 20) { edges { node { id name places { role place { name } } } } } }';

/** A small legitimate page, the control that must keep answering. */
export const SMALL_PAGE = '{ people(first: 3) { edges { node { id name } } } }';
