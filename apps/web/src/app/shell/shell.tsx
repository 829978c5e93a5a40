import { useEffect, useState, type ReactNode } from 'react';
import { api } from '../api/client.js';
import { useLive, useLiveEvent } from '../api/live.js';
import type { Availability } from '../api/types.js';
import { Link, useRouter } from '../router.js';
import { hasRole, useMe, useSession } from '../session/session.js';
import { initials } from '../ui/format.js';
import { useToasts } from '../ui/toasts.js';
import { useDirectory } from './directory.js';
import { ShortcutHelp } from './shortcut-help.js';

export function Shell({ children }: { children: ReactNode }) {
  const me = useMe();
  const { logout } = useSession();
  const { path } = useRouter();
  const [helpOpen, setHelpOpen] = useState(false);
  useNotifications();

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === '?' && !isTyping(event)) {
        event.preventDefault();
        setHelpOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const nav = [
    { to: '/inbox', label: 'Inbox', icon: '✉', show: true },
    { to: '/queue', label: 'Live queue', icon: '◉', show: hasRole(me, 'supervisor') },
    { to: '/reports', label: 'Reports', icon: '▤', show: hasRole(me, 'supervisor') },
    { to: '/settings', label: 'Settings', icon: '⚙', show: true },
  ];
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <nav className="rail" aria-label="Main">
        <div className="brand-mark small" title={me.workspace.name} aria-hidden="true">
          P
        </div>
        {nav
          .filter((item) => item.show)
          .map((item) => (
            <Link
              key={item.to}
              to={item.to}
              className="rail-link"
              aria-current={path.startsWith(item.to) ? 'page' : undefined}
              title={item.label}
            >
              <span aria-hidden="true">{item.icon}</span>
              <span className="rail-label">{item.label}</span>
            </Link>
          ))}
        <div className="rail-bottom">
          <button
            type="button"
            className="rail-link"
            onClick={() => setHelpOpen(true)}
            title="Keyboard shortcuts (?)"
          >
            <span aria-hidden="true">⌨</span>
            <span className="rail-label">Shortcuts</span>
          </button>
          <PresenceMenu />
          <button type="button" className="rail-link" onClick={() => logout()} title="Sign out">
            <span aria-hidden="true">⎋</span>
            <span className="rail-label">Sign out</span>
          </button>
        </div>
      </nav>
      <div id="main" className="main" tabIndex={-1}>
        {children}
      </div>
      {helpOpen && <ShortcutHelp onClose={() => setHelpOpen(false)} />}
    </div>
  );
}

function PresenceMenu() {
  const me = useMe();
  const { members, reload } = useDirectory();
  const { connection } = useLive();
  const { notify } = useToasts();
  const mine = members.find((m) => m.userId === me.user.id)?.availability ?? 'online';
  const [availability, setAvailability] = useState<Availability>(mine);
  useEffect(() => setAvailability(mine), [mine]);
  const change = async (next: Availability) => {
    setAvailability(next);
    try {
      await api.put('/members/me/availability', { availability: next });
      reload();
    } catch (error) {
      notify((error as Error).message, { tone: 'error' });
    }
  };
  return (
    <div className="presence">
      <span
        className={`avatar presence-${connection === 'live' ? availability : 'offline'}`}
        title={me.user.name}
      >
        {initials(me.user.name)}
      </span>
      <label className="visually-hidden" htmlFor="availability">
        Your availability
      </label>
      <select
        id="availability"
        value={availability}
        onChange={(event) => void change(event.target.value as Availability)}
      >
        <option value="online">Online</option>
        <option value="busy">Busy</option>
        <option value="offline">Offline</option>
      </select>
      {connection !== 'live' && (
        <span className="connection-warning" role="status">
          {connection === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </span>
      )}
    </div>
  );
}

/** New assignments and @mentions in notes, as toasts (and system notifications when the tab is hidden). */
function useNotifications() {
  const me = useMe();
  const { notify } = useToasts();
  const { navigate } = useRouter();
  const { memberName } = useDirectory();
  const tell = (text: string, conversationId?: string) => {
    notify(
      text,
      conversationId ? { action: { label: 'Open', run: () => navigate(`/inbox/${conversationId}`) } } : {},
    );
    if (document.hidden && 'Notification' in window && Notification.permission === 'granted') {
      new Notification('Parley', { body: text });
    }
  };
  useEffect(() => {
    if ('Notification' in window && Notification.permission === 'default')
      void Notification.requestPermission();
  }, []);
  useLiveEvent('conversation.assigned', ({ conversation, actorId }) => {
    if (conversation.assigneeId !== me.user.id || actorId === me.user.id) return;
    tell(
      `${actorId ? memberName(actorId) : 'Auto-assignment'} assigned you a conversation${
        conversation.subject ? `: ${conversation.subject}` : ''
      }`,
      conversation.id,
    );
  });
  useLiveEvent('message.created', ({ message }) => {
    if (message.kind !== 'note' || message.authorId === me.user.id) return;
    const handle = `@${me.user.name.split(/\s+/)[0]}`.toLowerCase();
    if (message.body.toLowerCase().includes(handle)) {
      tell(`${memberName(message.authorId)} mentioned you in a note`, message.conversationId);
    }
  });
  useLiveEvent('sla.alert', (alert) => {
    if (alert.assigneeId !== me.user.id) return;
    tell(
      `SLA ${alert.stage === 'breach' ? 'breached' : 'at risk'}: ${alert.kind.replace('_', ' ')}`,
      alert.conversationId,
    );
  });
  // Supervisors (and the agent who was assigned) hear about unhappy customers and escalations at once.
  useLiveEvent('survey.alert', (answer) => {
    const scale = answer.kind === 'csat' ? 5 : 7;
    tell(
      `Low ${answer.kind.toUpperCase()} ${answer.score}/${scale}${answer.comment ? `: “${answer.comment}”` : ''}`,
      answer.conversationId ?? undefined,
    );
  });
  useLiveEvent('conversation.escalated', (escalation) => {
    tell(`Escalated${escalation.reason ? `: ${escalation.reason}` : ''}`, escalation.conversationId);
  });
}

/** True when a key press belongs to a text field, so single-letter shortcuts leave it alone. */
export function isTyping(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  return (
    target.isContentEditable ||
    target.tagName === 'INPUT' ||
    target.tagName === 'TEXTAREA' ||
    target.tagName === 'SELECT'
  );
}
