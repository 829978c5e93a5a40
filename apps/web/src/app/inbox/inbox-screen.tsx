import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client.js';
import type { ConversationView } from '../api/types.js';
import { ConversationPane } from '../conversation/conversation-pane.js';
import { useRouter } from '../router.js';
import { useToasts } from '../ui/toasts.js';
import { isTyping } from '../shell/shell.js';
import { ConversationList } from './conversation-list.js';
import { filtersQuery, readFilters, type InboxFilters } from './filters.js';
import { useConversationList } from './use-conversation-list.js';
import { ViewsPanel } from './views-panel.js';

export function InboxScreen() {
  const { path, search, navigate } = useRouter();
  const filters = readFilters(search);
  const openId = /^\/inbox\/([0-9a-f-]{36})/.exec(path)?.[1] ?? null;
  const list = useConversationList(filters);
  const [cursor, setCursor] = useState(0);
  const searchRef = useRef<HTMLInputElement>(null);
  const { notify } = useToasts();

  const setFilters = useCallback(
    (change: Partial<InboxFilters>) => {
      const next = { ...filters, ...change };
      navigate(`/inbox${openId ? `/${openId}` : ''}${filtersQuery(next)}`, { replace: 'q' in change });
      setCursor(0);
    },
    [filters, navigate, openId],
  );
  const open = useCallback(
    (id: string) => navigate(`/inbox/${id}${filtersQuery(filters)}`),
    [filters, navigate],
  );

  // Keep the keyboard cursor on the open conversation when the list reorders.
  useEffect(() => {
    if (!openId) return;
    const index = list.items.findIndex((item) => item.id === openId);
    if (index >= 0) setCursor(index);
  }, [openId, list.items]);

  const toggleResolved = useCallback(
    async (conversation: Pick<ConversationView, 'id' | 'status'>) => {
      const reopening = conversation.status === 'resolved';
      try {
        const updated = await api.post<ConversationView>(
          `/conversations/${conversation.id}/${reopening ? 'reopen' : 'resolve'}`,
        );
        list.patch(updated);
        list.refresh();
        notify(reopening ? 'Conversation reopened' : 'Conversation resolved', {
          action: reopening
            ? undefined
            : { label: 'Undo', run: () => void api.post(`/conversations/${conversation.id}/reopen`) },
        });
      } catch (error) {
        notify((error as Error).message, { tone: 'error' });
      }
    },
    [list, notify],
  );

  useEffect(() => {
    let pendingG = false;
    const onKey = (event: KeyboardEvent) => {
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      if (isTyping(event) || document.querySelector('dialog[open]')) return;
      const items = list.items;
      if (pendingG) {
        pendingG = false;
        const target = { i: '/inbox', q: '/queue', r: '/reports', s: '/settings' }[event.key];
        if (target) navigate(target);
        return;
      }
      switch (event.key) {
        case 'g':
          pendingG = true;
          return;
        case 'j':
        case 'ArrowDown':
          event.preventDefault();
          setCursor((c) => Math.min(items.length - 1, c + 1));
          return;
        case 'k':
        case 'ArrowUp':
          event.preventDefault();
          setCursor((c) => Math.max(0, c - 1));
          return;
        case 'Enter':
          if (items[cursor] && (event.target as HTMLElement).tagName !== 'BUTTON') {
            event.preventDefault();
            open(items[cursor].id);
          }
          return;
        case '/':
          event.preventDefault();
          searchRef.current?.focus();
          return;
        case 'e': {
          const target = items.find((item) => item.id === openId) ?? items[cursor];
          if (target) void toggleResolved(target);
          return;
        }
        case 'a':
          if (!openId && items[cursor]) open(items[cursor].id);
          requestAnimationFrame(() => document.getElementById('assignee-select')?.focus());
          event.preventDefault();
          return;
        case 'r':
        case 'n':
          if (!openId) return;
          event.preventDefault();
          window.dispatchEvent(
            new CustomEvent('parley:compose', { detail: event.key === 'n' ? 'note' : 'reply' }),
          );
          return;
        default:
          return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [list.items, cursor, open, openId, navigate, toggleResolved]);

  // The highlighted row stays visible while moving with j/k.
  useEffect(() => {
    document.querySelector(`[data-row="${cursor}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [cursor]);

  return (
    <div className={`inbox ${openId ? 'has-open' : ''}`}>
      <ViewsPanel filters={filters} setFilters={setFilters} />
      <ConversationList
        filters={filters}
        setFilters={setFilters}
        list={list}
        cursor={cursor}
        openId={openId}
        onOpen={open}
        searchRef={searchRef}
      />
      {openId ? (
        <ConversationPane
          key={openId}
          conversationId={openId}
          onResolveToggle={toggleResolved}
          onChanged={(conversation) => {
            list.patch(conversation);
            list.refresh();
          }}
        />
      ) : (
        <section className="pane empty-pane" aria-label="Conversation">
          <div className="empty">
            <p>Select a conversation</p>
            <p className="muted">
              <kbd>j</kbd> <kbd>k</kbd> to move, <kbd>Enter</kbd> to open, <kbd>?</kbd> for every shortcut
            </p>
          </div>
        </section>
      )}
    </div>
  );
}
