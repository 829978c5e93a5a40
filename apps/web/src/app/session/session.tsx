import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, onSessionExpired, setApiSession } from '../api/client.js';
import type { LoginAnswer, Role, Session } from '../api/types.js';

const STORAGE_KEY = 'parley.session';
const RANK: Record<Role, number> = { agent: 0, supervisor: 1, admin: 2 };

interface SessionState {
  session: Session | null;
  /** Why the last session ended, shown on the sign-in screen. */
  endedReason: string | null;
  login: (email: string, password: string) => Promise<void>;
  logout: (reason?: string) => void;
}

const SessionContext = createContext<SessionState | null>(null);

function readStored(): Session | null {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as Session | null;
    return stored && stored.expiresAt > Date.now() ? stored : null;
  } catch {
    return null;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(() => {
    const stored = readStored();
    setApiSession(stored);
    return stored;
  });
  const [endedReason, setEndedReason] = useState<string | null>(null);

  const logout = useCallback((reason?: string) => {
    // Signing out (no reason: the member asked) revokes the token on the server too; the request
    // takes the token before the session is cleared below.
    if (!reason) void api.post('/auth/logout').catch(() => undefined);
    localStorage.removeItem(STORAGE_KEY);
    setApiSession(null);
    setSession(null);
    setEndedReason(reason ?? null);
  }, []);

  const login = useCallback(async (email: string, password: string) => {
    const answer = await api.post<LoginAnswer>('/auth/login', { email, password });
    const next: Session = {
      accessToken: answer.accessToken,
      expiresAt: Date.now() + answer.expiresIn * 1000,
      user: answer.user,
      workspace: answer.workspace,
      role: answer.role,
    };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    setApiSession(next);
    setEndedReason(null);
    setSession(next);
  }, []);

  // The token ends at expiresAt, or earlier when the api refuses it: either way, back to sign-in with a reason.
  useEffect(() => onSessionExpired(() => logout('Your session expired. Please sign in again.')), [logout]);
  useEffect(() => {
    if (!session) return;
    const timer = setTimeout(
      () => logout('Your session expired. Please sign in again.'),
      Math.min(session.expiresAt - Date.now(), 2 ** 31 - 1),
    );
    return () => clearTimeout(timer);
  }, [session, logout]);
  // Signing out in one tab signs out the others.
  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key !== STORAGE_KEY) return;
      const stored = readStored();
      setApiSession(stored);
      setSession(stored);
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);

  const value = useMemo(
    () => ({ session, endedReason, login, logout }),
    [session, endedReason, login, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

/** The signed-in session; only for screens behind the sign-in. */
export function useMe(): Session {
  const { session } = useSession();
  if (!session) throw new Error('not signed in');
  return session;
}

export function hasRole(session: Session, role: Role): boolean {
  return RANK[session.role] >= RANK[role];
}
