import type { Query } from '../api/client.js';
import type { Status } from '../api/types.js';

export type ViewName = 'mine' | 'unassigned' | 'all';
export type Sort = 'newest' | 'oldest_waiting' | 'priority';

export interface InboxFilters {
  view: ViewName;
  status: Status | 'unresolved';
  sort: Sort;
  q: string;
  teamId: string;
  inboxId: string;
  labelId: string;
}

export const STATUS_TABS: Array<{ value: InboxFilters['status']; label: string }> = [
  { value: 'unresolved', label: 'All open' },
  { value: 'open', label: 'Open' },
  { value: 'pending', label: 'Pending' },
  { value: 'snoozed', label: 'Snoozed' },
  { value: 'resolved', label: 'Resolved' },
];

export const SORTS: Array<{ value: Sort; label: string }> = [
  { value: 'newest', label: 'Newest' },
  { value: 'oldest_waiting', label: 'Oldest waiting' },
  { value: 'priority', label: 'Priority' },
];

export function readFilters(search: URLSearchParams): InboxFilters {
  const pick = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const value = search.get(key) as T | null;
    return value && allowed.includes(value) ? value : fallback;
  };
  return {
    view: pick('view', ['mine', 'unassigned', 'all'] as const, 'mine'),
    status: pick('status', ['unresolved', 'open', 'pending', 'snoozed', 'resolved'] as const, 'unresolved'),
    sort: pick('sort', ['newest', 'oldest_waiting', 'priority'] as const, 'newest'),
    q: search.get('q') ?? '',
    teamId: search.get('teamId') ?? '',
    inboxId: search.get('inboxId') ?? '',
    labelId: search.get('labelId') ?? '',
  };
}

/** The query string that keeps the filters across conversation links; defaults are left out. */
export function filtersQuery(filters: InboxFilters): string {
  const params = new URLSearchParams();
  if (filters.view !== 'mine') params.set('view', filters.view);
  if (filters.status !== 'unresolved') params.set('status', filters.status);
  if (filters.sort !== 'newest') params.set('sort', filters.sort);
  for (const key of ['q', 'teamId', 'inboxId', 'labelId'] as const)
    if (filters[key]) params.set(key, filters[key]);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The api's `GET /conversations` query for these filters (a team, inbox or label view lists everyone's). */
export function apiQuery(filters: InboxFilters): Query {
  const scoped = Boolean(filters.teamId || filters.inboxId || filters.labelId);
  return {
    view: scoped ? 'all' : filters.view,
    status: filters.status === 'unresolved' ? undefined : filters.status,
    sort: filters.sort,
    q: filters.q.trim() || undefined,
    teamId: filters.teamId || undefined,
    inboxId: filters.inboxId || undefined,
    labelId: filters.labelId || undefined,
  };
}
