import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client.js';
import { useLiveEvent, useOnReconnect } from '../api/live.js';
import type { ConversationListItem, ConversationView, Page } from '../api/types.js';
import { apiQuery, type InboxFilters } from './filters.js';

const PAGE = 25;

/**
 * The inbox list: cursor pages, and live updates. Events patch the rows they touch at once; then the loaded
 * window is refetched (debounced) so the server stays the one that decides what matches the view and in what order.
 */
export function useConversationList(filters: InboxFilters) {
  const [items, setItems] = useState<ConversationListItem[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const loaded = useRef(0);
  const key = JSON.stringify(apiQuery(filters));

  const fetchWindow = useCallback(
    async (limit: number, reset: boolean) => {
      const mine = (generation.current += reset ? 1 : 0);
      if (reset) setLoading(true);
      try {
        const page = await api.get<Page<ConversationListItem>>('/conversations', {
          ...(JSON.parse(key) as Record<string, string>),
          limit,
        });
        if (mine !== generation.current) return;
        setItems(page.items);
        loaded.current = page.items.length;
        setNextCursor(page.nextCursor);
        setError(null);
      } catch (caught) {
        if (mine === generation.current) setError((caught as Error).message);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [key],
  );

  useEffect(() => {
    setItems([]);
    void fetchWindow(PAGE, true);
  }, [fetchWindow]);

  const loadMore = useCallback(async () => {
    if (!nextCursor || loading) return;
    setLoading(true);
    const mine = generation.current;
    try {
      const page = await api.get<Page<ConversationListItem>>('/conversations', {
        ...(JSON.parse(key) as Record<string, string>),
        limit: PAGE,
        cursor: nextCursor,
      });
      if (mine !== generation.current) return;
      setItems((previous) => {
        const seen = new Set(previous.map((item) => item.id));
        const merged = [...previous, ...page.items.filter((item) => !seen.has(item.id))];
        loaded.current = merged.length;
        return merged;
      });
      setNextCursor(page.nextCursor);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [key, nextCursor, loading]);

  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refresh = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      if (loaded.current <= 100) void fetchWindow(Math.min(100, Math.max(PAGE, loaded.current)), false);
    }, 300);
  }, [fetchWindow]);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const patch = useCallback((conversation: ConversationView) => {
    setItems((previous) =>
      previous.map((item) => (item.id === conversation.id ? { ...item, ...conversation } : item)),
    );
  }, []);
  useLiveEvent('conversation.created', refresh);
  useLiveEvent('conversation.updated', ({ conversation }) => {
    patch(conversation);
    refresh();
  });
  useLiveEvent('conversation.assigned', ({ conversation }) => {
    patch(conversation);
    refresh();
  });
  useLiveEvent('message.created', ({ message }) => {
    if (message.kind === 'note') return;
    setItems((previous) =>
      previous.map((item) =>
        item.id === message.conversationId
          ? {
              ...item,
              lastMessageAt: message.createdAt,
              lastMessage: {
                body: message.body.slice(0, 280),
                direction: message.direction,
                kind: message.kind,
                createdAt: message.createdAt,
              },
            }
          : item,
      ),
    );
    refresh();
  });
  useOnReconnect(refresh);

  return { items, nextCursor, loading, error, loadMore, refresh, patch };
}
