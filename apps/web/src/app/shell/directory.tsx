import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api } from '../api/client.js';
import { useLiveEvent, useOnReconnect } from '../api/live.js';
import type { CannedResponse, Inbox, Label, Member, Team } from '../api/types.js';

/** The workspace's members, teams, inboxes, labels and canned responses: small lists every screen uses. */
export interface Directory {
  members: Member[];
  teams: Team[];
  inboxes: Inbox[];
  labels: Label[];
  canned: CannedResponse[];
  online: Set<string>;
  memberName: (userId: string | null) => string;
  reload: () => void;
}

const DirectoryContext = createContext<Directory | null>(null);

export function DirectoryProvider({ children }: { children: ReactNode }) {
  const [lists, setLists] = useState({
    members: [] as Member[],
    teams: [] as Team[],
    inboxes: [] as Inbox[],
    labels: [] as Label[],
    canned: [] as CannedResponse[],
  });
  const [online, setOnline] = useState<Set<string>>(new Set());
  const reload = useCallback(() => {
    void Promise.all([
      api.get<{ items: Member[] }>('/members'),
      api.get<{ items: Team[] }>('/teams'),
      api.get<{ items: Inbox[] }>('/inboxes'),
      api.get<{ items: Label[] }>('/labels'),
      api.get<{ items: CannedResponse[] }>('/canned-responses'),
    ])
      .then(([members, teams, inboxes, labels, canned]) => {
        setLists({
          members: members.items,
          teams: teams.items,
          inboxes: inboxes.items,
          labels: labels.items,
          canned: canned.items,
        });
        setOnline(new Set(members.items.filter((m) => m.availability !== 'offline').map((m) => m.userId)));
      })
      .catch(() => undefined);
  }, []);
  useEffect(reload, [reload]);
  useLiveEvent('presence', ({ userId, status }) => {
    setOnline((previous) => {
      const next = new Set(previous);
      if (status === 'online') next.add(userId);
      else next.delete(userId);
      return next;
    });
    // A first socket turns an offline member online on the server: show their availability as it is now.
    reload();
  });
  // Connecting turns an offline member online (docs/api.md): read availabilities again then.
  useOnReconnect(reload, true);
  const value = useMemo<Directory>(
    () => ({
      ...lists,
      online,
      reload,
      memberName: (userId) => lists.members.find((m) => m.userId === userId)?.name ?? 'Someone',
    }),
    [lists, online, reload],
  );
  return <DirectoryContext.Provider value={value}>{children}</DirectoryContext.Provider>;
}

export function useDirectory(): Directory {
  const directory = useContext(DirectoryContext);
  if (!directory) throw new Error('useDirectory outside DirectoryProvider');
  return directory;
}
