import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';

/**
 * An entity from a row of a hand-written statement (`RETURNING *`, a raw SELECT), converted column
 * by column as TypeORM itself would: what the query builder costs is saved on hot paths.
 */
export function hydrate<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  row: Record<string, unknown>,
): T {
  const metadata = manager.connection.getMetadata(target);
  const driver = manager.connection.driver;
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    if (column.databaseName in row)
      column.setEntityValue(entity, driver.prepareHydratedValue(row[column.databaseName], column));
  }
  return entity;
}

/**
 * INSERTs an entity whose primary key is set, as one hand-written statement: the columns it has a
 * value for, the others left to their DEFAULT and read back into the entity (as TypeORM's insert
 * does), without the query builder's cost on hot paths.
 */
export async function insertRow<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  entity: T,
): Promise<T> {
  const metadata = manager.connection.getMetadata(target);
  const driver = manager.connection.driver;
  const names: string[] = [];
  const params: unknown[] = [];
  const defaulted: ColumnMetadata[] = [];
  for (const column of metadata.columns) {
    const value: unknown = column.getEntityValue(entity);
    if (value === undefined) {
      if (column.isPrimary) throw new Error(`insertRow needs ${metadata.name}.${column.propertyName}`);
      defaulted.push(column);
      continue;
    }
    names.push(`"${column.databaseName}"`);
    params.push(driver.preparePersistentValue(value, column));
  }
  const returning = defaulted.length
    ? ` RETURNING ${defaulted.map((c) => `"${c.databaseName}"`).join(', ')}`
    : '';
  const rows = await manager.query<Array<Record<string, unknown>>>(
    `INSERT INTO "${metadata.tableName}" (${names.join(', ')}) VALUES (${params.map((_, i) => `$${i + 1}`).join(', ')})${returning}`,
    params,
  );
  for (const column of defaulted)
    column.setEntityValue(entity, driver.prepareHydratedValue(rows[0]?.[column.databaseName], column));
  return entity;
}
