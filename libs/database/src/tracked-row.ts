import type {
  EntityManager,
  EntityMetadata,
  EntityTarget,
  ObjectLiteral,
  QueryDeepPartialEntity,
} from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';

/** A value as compared for change: dates by instant, JSON columns by content. */
function fingerprint(value: unknown): string {
  return value instanceof Date ? `date:${value.getTime()}` : JSON.stringify(value ?? null);
}

/**
 * A row this transaction read (locked) and then changes in memory. `write()` UPDATEs the columns
 * that changed since it was read, by primary key; nothing changed, no statement. `save()` would
 * SELECT the row again first to find out what changed.
 */
export class TrackedRow<T extends ObjectLiteral> {
  private readonly metadata: EntityMetadata;
  private readonly columns: ColumnMetadata[];
  private readonly before: string[];

  constructor(
    private readonly manager: EntityManager,
    private readonly target: EntityTarget<T>,
    readonly entity: T,
  ) {
    this.metadata = manager.connection.getMetadata(target);
    this.columns = this.metadata.columns.filter(
      (column) => !column.isPrimary && !column.isUpdateDate && !column.isCreateDate,
    );
    this.before = this.columns.map((column) => fingerprint(column.getEntityValue(entity)));
  }

  async write(): Promise<void> {
    const changes: Record<string, unknown> = {};
    this.columns.forEach((column, index) => {
      const value: unknown = column.getEntityValue(this.entity);
      if (fingerprint(value) !== this.before[index]) changes[column.propertyPath] = value;
    });
    if (Object.keys(changes).length === 0) return;
    const key = this.metadata.getEntityIdMap(this.entity);
    if (!key) throw new Error('a tracked row needs its primary key');
    await this.manager.update(this.target, key, changes as QueryDeepPartialEntity<T>);
  }
}
