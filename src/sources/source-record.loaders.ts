import DataLoader from 'dataloader';
import { groupBy } from '../access/loading';
import { ScopedReader } from '../access/scope';
import { asInstance } from '../db/rows';
import { SourceRecord } from './source-record.entity';
import { EntityKind } from './source-system';

/** Source records of entities, keyed `KIND:id`; a DEPARTMENT viewer sees only its own source's records. */
export function sourceRecordLoaders(reader: ScopedReader) {
  return {
    sourceRecords: new DataLoader<string, SourceRecord[]>(async (keys) => {
      const byKind = new Map<EntityKind, string[]>();
      for (const key of keys) {
        const [kind, id] = key.split(':') as [EntityKind, string];
        byKind.set(kind, [...(byKind.get(kind) ?? []), id]);
      }
      const records = (
        await Promise.all([...byKind].map(([kind, ids]) => reader.sourceRecords<Record<string, unknown>>(kind, ids)))
      )
        .flat()
        .map((record) => asInstance(SourceRecord, record));
      return groupBy(keys, records, (record) => `${record.entityKind}:${record.entityId}`);
    }),
  };
}
