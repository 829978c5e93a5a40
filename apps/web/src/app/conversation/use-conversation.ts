import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client.js';
import { useLive, useLiveEvent, useOnReconnect } from '../api/live.js';
import type {
  ContactProfile,
  ConversationDetail,
  ConversationView,
  MessageView,
  Page,
} from '../api/types.js';
import { useMe } from '../session/session.js';

const TIMELINE_PAGE = 50;
const TYPING_EXPIRES_MS = 10_000;

/** One open conversation: its detail, the contact's cross-channel timeline, who else is here, who is typing. */
export function useConversation(conversationId: string) {
  const me = useMe();
  const { socket } = useLive();
  const [detail, setDetail] = useState<ConversationDetail | null>(null);
  const [profile, setProfile] = useState<ContactProfile | null>(null);
  const [messages, setMessages] = useState<MessageView[]>([]);
  const [olderCursor, setOlderCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [viewers, setViewers] = useState<string[]>([]);
  const [typing, setTyping] = useState<string[]>([]);
  const contactId = detail?.conversation.contactId ?? null;

  const loadDetail = useCallback(async () => {
    try {
      const next = await api.get<ConversationDetail>(`/conversations/${conversationId}`);
      setDetail(next);
      setError(null);
      return next;
    } catch (caught) {
      setError((caught as Error).message);
      return null;
    }
  }, [conversationId]);

  const loadProfile = useCallback(async (id: string) => {
    setProfile(await api.get<ContactProfile>(`/contacts/${id}`));
  }, []);

  const loadTimeline = useCallback(async (id: string) => {
    const page = await api.get<Page<MessageView>>(`/contacts/${id}/timeline`, { limit: TIMELINE_PAGE });
    setMessages(page.items.slice().reverse());
    setOlderCursor(page.nextCursor);
  }, []);

  const reloadAll = useCallback(async () => {
    const next = await loadDetail();
    if (!next) return;
    await Promise.all([loadProfile(next.conversation.contactId), loadTimeline(next.conversation.contactId)]);
  }, [loadDetail, loadProfile, loadTimeline]);

  useEffect(() => {
    void reloadAll().catch((caught: Error) => setError(caught.message));
  }, [reloadAll]);

  const loadOlder = useCallback(async () => {
    if (!contactId || !olderCursor) return;
    const page = await api.get<Page<MessageView>>(`/contacts/${contactId}/timeline`, {
      limit: TIMELINE_PAGE,
      cursor: olderCursor,
    });
    setMessages((previous) => [...page.items.slice().reverse(), ...previous]);
    setOlderCursor(page.nextCursor);
  }, [contactId, olderCursor]);

  const upsert = useCallback((message: MessageView) => {
    setMessages((previous) => {
      const index = previous.findIndex((m) => m.id === message.id);
      if (index >= 0) return previous.map((m) => (m.id === message.id ? message : m));
      return [...previous, message].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    });
  }, []);

  // Join the conversation's room for typing and viewers; again after a reconnect.
  useEffect(() => {
    if (!socket) return;
    const join = () =>
      void socket.emitWithAck('conversation.join', { conversationId }).catch(() => undefined);
    if (socket.connected) join();
    socket.on('connect', join);
    return () => {
      socket.off('connect', join);
      socket.emit('conversation.leave', { conversationId });
    };
  }, [socket, conversationId]);
  useOnReconnect(() => void reloadAll());

  useLiveEvent('message.created', ({ message }) => {
    if (message.contactId !== contactId) return;
    upsert(message);
    if (message.conversationId !== conversationId) void loadProfile(message.contactId);
  });
  useLiveEvent('message.updated', ({ message }) => {
    if (message.contactId === contactId) upsert(message);
  });
  useLiveEvent('conversation.updated', ({ conversation }) => applyConversation(conversation));
  useLiveEvent('conversation.assigned', ({ conversation }) => applyConversation(conversation));
  function applyConversation(conversation: ConversationView) {
    if (conversation.id === conversationId) {
      setDetail((previous) => (previous ? { ...previous, conversation } : previous));
      // The reply options depend on the status and on the customer's latest message.
      void loadDetail();
    }
    if (conversation.contactId === contactId) void loadProfile(conversation.contactId);
  }
  useLiveEvent('conversation.viewers', (event) => {
    if (event.conversationId === conversationId) setViewers(event.userIds.filter((id) => id !== me.user.id));
  });
  // Typing is volatile (an "off" may be lost): each "on" holds for a few seconds unless renewed.
  const typingTimers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  useEffect(() => {
    const timers = typingTimers.current;
    return () => timers.forEach((timer) => clearTimeout(timer));
  }, []);
  useLiveEvent('typing', (event) => {
    if (event.conversationId !== conversationId || event.userId === me.user.id) return;
    clearTimeout(typingTimers.current.get(event.userId));
    const stop = () => setTyping((previous) => previous.filter((id) => id !== event.userId));
    if (event.state === 'off') return stop();
    typingTimers.current.set(event.userId, setTimeout(stop, TYPING_EXPIRES_MS));
    setTyping((previous) => (previous.includes(event.userId) ? previous : [...previous, event.userId]));
  });

  return {
    detail,
    setConversation: (conversation: ConversationView) =>
      setDetail((previous) => (previous ? { ...previous, conversation } : previous)),
    profile,
    reloadProfile: () => (contactId ? loadProfile(contactId) : Promise.resolve()),
    reloadAll,
    messages,
    hasOlder: Boolean(olderCursor),
    loadOlder,
    upsert,
    error,
    viewers,
    typing,
  };
}
