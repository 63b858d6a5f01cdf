import DataLoader from 'dataloader';
import { decodeLinkCursor, pageSize } from '../shared/pagination';
import { BadUserInputError } from '../shared/errors';
import { EntityKind } from '../sources/source-system';
import { EntityClass, GridBound, LinkPage, ScopedReader, withKeys } from './scope';

/** Groups rows by a key, keeping each key's rows in the order given; answers in the order of `keys`. */
export function groupBy<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): R[][] {
  const groups = new Map<K, R[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key)!);
}

/**
 * Rows of `entity` by id through the scoped reader: null for an unknown id or one out of scope. A load may name the
 * properties it needs (`columnsFor` of its field's selection; id and grid code always): loads of the same columns
 * share one statement per batch, and a page's `place { name }` reads two columns instead of every one (with the
 * JSON of lineage and attributes) — a separate statement only when one request asks for an entity with two
 * different selections. A row primed whole (read with every column, e.g. with its link) serves any load.
 */
export class ByIdLoader<T extends GridBound> {
  private readonly loaders = new Map<string, DataLoader<string, T | null>>();
  private readonly whole = new Map<string, T>();

  constructor(
    private readonly reader: ScopedReader,
    private readonly entity: EntityClass<T>,
    private readonly kind: EntityKind,
  ) {}

  /** @param columns the properties needed (null: every column) */
  load(id: string, columns: readonly string[] | null = null): Promise<T | null> {
    const primed = this.whole.get(id);
    return primed ? Promise.resolve(primed) : this.loader(columns).load(id);
  }

  loadMany(ids: readonly string[], columns: readonly string[] | null = null): Promise<Array<T | Error | null>> {
    return Promise.all(ids.map((id) => this.load(id, columns).catch((error: Error) => error)));
  }

  /** Keeps `row`, read with every column, for every later load of `id` in this request. */
  prime(id: string, row: T): void {
    if (!this.whole.has(id)) this.whole.set(id, row);
  }

  private loader(columns: readonly string[] | null): DataLoader<string, T | null> {
    const needed = withKeys(columns)?.sort() ?? null;
    const key = needed === null ? '*' : needed.join(',');
    let loader = this.loaders.get(key);
    if (!loader) {
      loader = new DataLoader(async (ids: readonly string[]) => {
        const found = new Map((await this.reader.byIds(this.entity, this.kind, ids, needed)).map((row) => [row.id, row]));
        return ids.map((id) => found.get(id) ?? null);
      });
      this.loaders.set(key, loader);
    }
    return loader;
  }
}

/** A loader of rows of `entity` by id through the scoped reader (see {@link ByIdLoader}). */
export function byIdLoader<T extends GridBound>(reader: ScopedReader, entity: EntityClass<T>, kind: EntityKind): ByIdLoader<T> {
  return new ByIdLoader(reader, entity, kind);
}

/**
 * A loader of a nested link list (`person.places`, `incident.events`, …) under each parent, paged: one
 * DataLoader per page argument pair, so every parent on a page that asks for the same page shares one statement.
 */
export class PagedLinkLoader<Result> {
  private readonly loaders = new Map<string, DataLoader<string, Result[]>>();

  /** @param batch the results of each parent id, in the order of the ids. */
  constructor(private readonly batch: (parentIds: string[], page: LinkPage) => Promise<Result[][]>) {}

  load(parentId: string, page: LinkPage): Promise<Result[]> {
    const key = `${page.first}|${page.after ?? ''}|${page.role ?? ''}|${page.order ? JSON.stringify(page.order) : ''}|${page.targetColumns?.join(',') ?? '*'}`;
    let loader = this.loaders.get(key);
    if (!loader) {
      loader = new DataLoader((ids) => this.batch([...ids], page));
      this.loaders.set(key, loader);
    }
    return loader.load(parentId);
  }
}

/**
 * The page arguments of a link list: `first` (default 20, at most 100) and `after`, the `cursor` of the last
 * link seen in the list named `list` (e.g. `Person.places`).
 * @throws BadUserInputError naming `first` or `after`.
 */
export function linkPage(first: number | null | undefined, after: string | null | undefined, list: string, role?: string | null): LinkPage {
  return { first: pageSize(first), after: after == null ? null : decodeLinkCursor(after, list), role: role ?? null };
}

/** The page arguments of a list of incidents under a parent: `after` is the `id` of the last one seen. @throws BadUserInputError */
export function idPage(first: number | null | undefined, after: string | null | undefined): LinkPage {
  if (after != null && !/^\d{1,18}$/.test(after)) throw new BadUserInputError('must be the id of the last incident seen', 'after');
  return { first: pageSize(first), after: after ?? null };
}

/** The page arguments of an event log: `after` is the `seq` of the last event seen. @throws BadUserInputError */
export function eventPage(first: number | null | undefined, after: string | null | undefined): LinkPage {
  if (after != null && !/^\d{1,18}$/.test(after)) throw new BadUserInputError('must be the seq of an event', 'after');
  return { first: pageSize(first), after: after ?? null };
}
