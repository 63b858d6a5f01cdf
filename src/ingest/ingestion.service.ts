import { MikroORM } from '@mikro-orm/postgresql';
import { Viewer } from '../auth/viewer';
import { SourceSystem } from '../sources/source-system';
import { IngestReport } from './ingest.types';

/** The four kinds of record a source can send, as the mutations and the import CLI name them. */
export enum IngestKind {
  PEOPLE = 'people',
  PLACES = 'places',
  THINGS = 'things',
  INCIDENTS = 'incidents',
}

/**
 * The one write path for source records (mutations, file import, demo city). Work in progress: the contract only.
 */
export class IngestionService {
  constructor(
    readonly orm: MikroORM,
    readonly viewer: Viewer,
  ) {}

  /** Validates, merges and stores one batch of `kind` records sent by `source`; one result per record, in order. */
  async ingest(kind: IngestKind, source: SourceSystem, records: readonly unknown[]): Promise<IngestReport> {
    void kind;
    void source;
    void records;
    throw new Error('not implemented yet');
  }
}
