import { useCallback, useSyncExternalStore } from 'react';

// When this browser last showed each conversation: enough for unread dots without a server round trip.
const KEY = 'parley.seen';
const listeners = new Set<() => void>();
let seen: Record<string, string> = load();

function load(): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

export function markSeen(conversationId: string, at: string): void {
  if (seen[conversationId] && seen[conversationId] >= at) return;
  const entries = Object.entries({ ...seen, [conversationId]: at });
  // Keep the newest 2000 entries; older conversations simply read as seen.
  seen = Object.fromEntries(entries.sort((a, b) => (a[1] < b[1] ? 1 : -1)).slice(0, 2000));
  localStorage.setItem(KEY, JSON.stringify(seen));
  listeners.forEach((listener) => listener());
}

export function useUnread(): (conversationId: string, lastInboundAt: string | null) => boolean {
  const snapshot = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => seen,
  );
  return useCallback(
    (conversationId, lastInboundAt) =>
      Boolean(lastInboundAt && (!snapshot[conversationId] || snapshot[conversationId] < lastInboundAt)),
    [snapshot],
  );
}
