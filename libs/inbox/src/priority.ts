import type { Priority } from '@parley/realtime';

export const PRIORITIES: readonly Priority[] = ['none', 'low', 'medium', 'high', 'urgent'];

export function priorityRank(priority: Priority): number {
  return PRIORITIES.indexOf(priority);
}

export function priorityName(rank: number): Priority {
  return PRIORITIES[rank] ?? 'none';
}
