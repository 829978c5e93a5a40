import type { EntityManager, EntityTarget, FindOptionsWhere, ObjectLiteral } from 'typeorm';

type Changes = Parameters<EntityManager['update']>[2];

/**
 * An UPDATE of the fields a PATCH actually carries; an empty patch (`{}`, or only undefined fields)
 * is a no-op instead of TypeORM's "update values are not defined" error (a 500).
 */
export async function updatePartial<Entity extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<Entity>,
  criteria: FindOptionsWhere<Entity>,
  changes: Changes,
): Promise<void> {
  const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  if (Object.keys(defined).length === 0) return;
  await manager.update(target, criteria, defined as Changes);
}
