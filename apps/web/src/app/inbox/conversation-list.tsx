import { useEffect, useRef, useState, type RefObject } from 'react';
import type { ConversationListItem } from '../api/types.js';
import { useDirectory } from '../shell/directory.js';
import { CHANNEL_LABELS, clockTime, contactName, initials, since } from '../ui/format.js';
import { useNow } from '../ui/use-now.js';
import { SORTS, STATUS_TABS, type InboxFilters, type Sort } from './filters.js';
import { useUnread } from './unread.js';
import type { useConversationList } from './use-conversation-list.js';

export function ConversationList({
  filters,
  setFilters,
  list,
  cursor,
  openId,
  onOpen,
  searchRef,
}: {
  filters: InboxFilters;
  setFilters: (change: Partial<InboxFilters>) => void;
  list: ReturnType<typeof useConversationList>;
  cursor: number;
  openId: string | null;
  onOpen: (id: string) => void;
  searchRef: RefObject<HTMLInputElement | null>;
}) {
  const [query, setQuery] = useState(filters.q);
  useEffect(() => setQuery(filters.q), [filters.q]);
  // Search as you type, after a short pause.
  useEffect(() => {
    if (query === filters.q) return;
    const timer = setTimeout(() => setFilters({ q: query }), 250);
    return () => clearTimeout(timer);
  }, [query, filters.q, setFilters]);

  const sentinel = useRef<HTMLLIElement>(null);
  const { loadMore } = list;
  useEffect(() => {
    const node = sentinel.current;
    if (!node) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) void loadMore();
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [loadMore, list.nextCursor]);

  const isUnread = useUnread();
  const now = useNow(30_000);

  return (
    <section className="list" aria-label="Conversations">
      <div className="list-header">
        <div className="search">
          <label htmlFor="search" className="visually-hidden">
            Search conversations
          </label>
          <input
            id="search"
            ref={searchRef}
            type="search"
            placeholder="Search customers  ( / )"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') event.currentTarget.blur();
              if (event.key === 'Enter') setFilters({ q: query });
            }}
          />
          <label className="sort">
            <span className="visually-hidden">Sort</span>
            <select
              value={filters.sort}
              onChange={(event) => setFilters({ sort: event.target.value as Sort })}
            >
              {SORTS.map((sort) => (
                <option key={sort.value} value={sort.value}>
                  {sort.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="list-controls">
          <div role="tablist" aria-label="Status" className="status-tabs">
            {STATUS_TABS.map((tab) => (
              <button
                key={tab.value}
                role="tab"
                type="button"
                aria-selected={filters.status === tab.value}
                onClick={() => setFilters({ status: tab.value })}
              >
                {tab.label}
              </button>
            ))}
          </div>
        </div>
      </div>
      {list.error && (
        <p className="form-error" role="alert">
          {list.error}
        </p>
      )}
      <ul className="rows" aria-busy={list.loading} data-testid="conversation-list">
        {list.items.map((item, index) => (
          <Row
            key={item.id}
            item={item}
            index={index}
            active={item.id === openId}
            highlighted={index === cursor}
            unread={item.id !== openId && isUnread(item.id, inboundAt(item))}
            now={now}
            onOpen={onOpen}
          />
        ))}
        {!list.loading && list.items.length === 0 && (
          <li className="empty-list">
            {filters.q ? `No conversations match “${filters.q}”.` : 'Nothing here. Nice work.'}
          </li>
        )}
        <li ref={sentinel} className="sentinel" aria-hidden="true">
          {list.loading && <span className="spinner" />}
        </li>
      </ul>
    </section>
  );
}

function inboundAt(item: ConversationListItem): string | null {
  return item.lastMessage?.direction === 'in' ? item.lastMessage.createdAt : null;
}

function Row({
  item,
  index,
  active,
  highlighted,
  unread,
  now,
  onOpen,
}: {
  item: ConversationListItem;
  index: number;
  active: boolean;
  highlighted: boolean;
  unread: boolean;
  now: number;
  onOpen: (id: string) => void;
}) {
  const { memberName } = useDirectory();
  const waitingSeconds = item.waitingSince ? (now - new Date(item.waitingSince).getTime()) / 1000 : null;
  const name = contactName(item.contact);
  return (
    <li data-row={index}>
      <button
        type="button"
        className={`row ${active ? 'active' : ''} ${highlighted ? 'highlighted' : ''} ${unread ? 'unread' : ''}`}
        aria-current={active ? 'true' : undefined}
        onClick={() => onOpen(item.id)}
      >
        <span className="avatar" aria-hidden="true">
          {initials(name)}
        </span>
        <span className="row-main">
          <span className="row-top">
            <span className="row-name">
              {unread && <span className="unread-dot" aria-label="Unread" />}
              {name}
            </span>
            <time className="row-time" dateTime={item.lastMessageAt}>
              {clockTime(item.lastMessageAt)}
            </time>
          </span>
          <span className="row-preview">
            {item.lastMessage?.direction === 'out' && <span className="muted">You: </span>}
            {item.subject && <strong>{item.subject} · </strong>}
            {item.lastMessage?.body ?? ''}
          </span>
          <span className="row-meta">
            {item.lastChannel && (
              <span className={`badge channel-${item.lastChannel}`}>{CHANNEL_LABELS[item.lastChannel]}</span>
            )}
            {item.status !== 'open' && <span className={`badge status-${item.status}`}>{item.status}</span>}
            {item.priority !== 'none' && (
              <span className={`badge priority-${item.priority}`}>{item.priority}</span>
            )}
            {waitingSeconds !== null && item.status !== 'resolved' && (
              <span
                className={`waiting ${waitingSeconds > 3600 ? 'late' : waitingSeconds > 900 ? 'soon' : ''}`}
                title={`Waiting since ${new Date(item.waitingSince!).toLocaleString()}`}
              >
                waiting {since(item.waitingSince!, now)}
              </span>
            )}
            {item.labels.map((label) => (
              <span key={label} className="badge label">
                {label}
              </span>
            ))}
            <span className="row-assignee">
              {item.assigneeId ? memberName(item.assigneeId) : 'Unassigned'}
            </span>
          </span>
        </span>
      </button>
    </li>
  );
}
