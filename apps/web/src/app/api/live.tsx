import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';
import { reportSessionExpired } from './client.js';
import type { ConversationView, MessageView } from './types.js';

/** The `/agent` events the app listens to (docs/api.md). */
export interface LiveEvents {
  'message.created': { message: MessageView };
  'message.updated': { message: MessageView };
  'conversation.created': { conversation: ConversationView };
  'conversation.updated': { conversation: ConversationView };
  'conversation.assigned': {
    conversation: ConversationView;
    previousAssigneeId: string | null;
    actorId: string | null;
  };
  typing: { conversationId: string; userId: string; state: 'on' | 'off' };
  presence: { userId: string; status: 'online' | 'offline' };
  'sla.alert': {
    conversationId: string;
    assigneeId: string | null;
    kind: string;
    stage: string;
    dueAt: string;
  };
  'conversation.viewers': { conversationId: string; userIds: string[] };
  'survey.answered': SurveyAnswer;
  'survey.alert': SurveyAnswer;
  'conversation.escalated': {
    conversationId: string;
    reason: string | null;
    by: string | null;
    teamId: string | null;
  };
}

/** A customer's survey answer (docs/surveys.md); `low` for CSAT ≤ 2 or CES ≤ 3. */
export interface SurveyAnswer {
  surveyId: string;
  kind: 'csat' | 'ces' | 'nps';
  score: number;
  comment: string | null;
  low: boolean;
  conversationId: string | null;
  contactId: string;
  agentId: string | null;
  channel: string | null;
}
export type LiveEventName = keyof LiveEvents;
export type Connection = 'connecting' | 'live' | 'offline';

interface LiveState {
  socket: Socket | null;
  connection: Connection;
}

const LiveContext = createContext<LiveState>({ socket: null, connection: 'offline' });

/** One socket per signed-in tab; reconnects by itself (socket.io backoff). */
export function LiveProvider({ token, children }: { token: string; children: ReactNode }) {
  const [socket, setSocket] = useState<Socket | null>(null);
  const [connection, setConnection] = useState<Connection>('connecting');
  useEffect(() => {
    const next = io('/agent', { auth: { token }, transports: ['websocket'] });
    const update = () => setConnection(next.connected ? 'live' : 'offline');
    next.on('connect', update);
    next.on('disconnect', update);
    next.on('connect_error', (error) => {
      update();
      // An expired or revoked token: reconnecting cannot help, so the session ends like on a 401.
      if (error.message === 'unauthorized') reportSessionExpired();
    });
    setSocket(next);
    return () => {
      next.disconnect();
      setSocket(null);
    };
  }, [token]);
  const value = useMemo(() => ({ socket, connection }), [socket, connection]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): LiveState {
  return useContext(LiveContext);
}

/** Subscribes to one event for the life of the component; the handler may change between renders. */
export function useLiveEvent<E extends LiveEventName>(
  event: E,
  handler: (payload: LiveEvents[E]) => void,
): void {
  const { socket } = useLive();
  const ref = useLatest(handler);
  useEffect(() => {
    if (!socket) return;
    const name: string = event;
    const listener = (payload: LiveEvents[E]) => ref.current(payload);
    socket.on(name, listener);
    return () => {
      socket.off(name, listener);
    };
  }, [socket, event, ref]);
}

/**
 * Runs `onReconnect` after the socket comes back, so screens refetch what they may have missed; with
 * `includeFirst`, after the first connection too (the server may change state while admitting the socket).
 */
export function useOnReconnect(onReconnect: () => void, includeFirst = false): void {
  const { socket } = useLive();
  const ref = useLatest(onReconnect);
  useEffect(() => {
    if (!socket) return;
    let first = !includeFirst;
    const listener = () => {
      if (!first) ref.current();
      first = false;
    };
    if (socket.connected) first = false;
    socket.on('connect', listener);
    return () => {
      socket.off('connect', listener);
    };
  }, [socket, ref, includeFirst]);
}

function useLatest<T>(value: T): { current: T } {
  const [ref] = useState(() => ({ current: value }));
  ref.current = value;
  return ref;
}
