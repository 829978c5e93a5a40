import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/client.js';
import type { Inbox, Role } from '../api/types.js';
import { useRouter } from '../router.js';
import { hasRole, useMe } from '../session/session.js';
import { useDirectory } from '../shell/directory.js';
import { CHANNEL_LABELS, clockTime } from '../ui/format.js';
import { useToasts } from '../ui/toasts.js';

const TABS = [
  { key: 'inboxes', label: 'Inboxes' },
  { key: 'team', label: 'Team' },
  { key: 'canned', label: 'Canned responses' },
  { key: 'labels', label: 'Labels' },
  { key: 'hours', label: 'Business hours' },
] as const;
type Tab = (typeof TABS)[number]['key'];

export function SettingsScreen() {
  const { path, navigate } = useRouter();
  const tab: Tab = TABS.find((t) => path === `/settings/${t.key}`)?.key ?? 'inboxes';
  return (
    <main className="page" aria-labelledby="settings-title">
      <header className="page-header">
        <h1 id="settings-title">Settings</h1>
      </header>
      <div role="tablist" aria-label="Settings" className="tabs">
        {TABS.map((t) => (
          <button
            key={t.key}
            type="button"
            role="tab"
            aria-selected={tab === t.key}
            onClick={() => navigate(`/settings/${t.key}`)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === 'inboxes' && <InboxesSettings />}
        {tab === 'team' && <TeamSettings />}
        {tab === 'canned' && <CannedSettings />}
        {tab === 'labels' && <LabelSettings />}
        {tab === 'hours' && <HoursSettings />}
      </div>
    </main>
  );
}

function useRun() {
  const { notify } = useToasts();
  const { reload } = useDirectory();
  return async (action: () => Promise<unknown>, done?: string) => {
    try {
      await action();
      if (done) notify(done);
      reload();
      return true;
    } catch (error) {
      notify((error as Error).message, { tone: 'error' });
      return false;
    }
  };
}

function InboxesSettings() {
  const { inboxes } = useDirectory();
  const me = useMe();
  const run = useRun();
  return (
    <section className="card">
      <h2>Inboxes and channel health</h2>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Inbox</th>
            <th scope="col">Channel</th>
            <th scope="col">Health</th>
            <th scope="col">Enabled</th>
          </tr>
        </thead>
        <tbody>
          {inboxes.map((inbox) => (
            <tr key={inbox.id}>
              <td>{inbox.name}</td>
              <td>
                <span className={`badge channel-${inbox.channel}`}>{CHANNEL_LABELS[inbox.channel]}</span>
              </td>
              <td>
                <span className={`health health-${inbox.health.status}`}>
                  {inbox.health.status.replace(/_/g, ' ')}
                </span>
                {inbox.health.error && <div className="muted small">{inbox.health.error}</div>}
                {inbox.health.since && (
                  <div className="muted small">since {clockTime(inbox.health.since)}</div>
                )}
              </td>
              <td>
                {hasRole(me, 'admin') ? (
                  <input
                    type="checkbox"
                    aria-label={`${inbox.name} enabled`}
                    checked={inbox.enabled}
                    onChange={(event) =>
                      void run(() => api.patch(`/inboxes/${inbox.id}`, { enabled: event.target.checked }))
                    }
                  />
                ) : inbox.enabled ? (
                  'yes'
                ) : (
                  'no'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Channel credentials are set through the API (docs/channels/). Webchat inboxes get an embed snippet
        below.
      </p>
      {inboxes
        .filter((inbox) => inbox.channel === 'webchat' && inbox.enabled)
        .map((inbox) => (
          <WidgetSnippet key={inbox.id} inbox={inbox} />
        ))}
    </section>
  );
}

function WidgetSnippet({ inbox }: { inbox: Inbox }) {
  const { notify } = useToasts();
  // The snippet of docs/channels/webchat.md: the inbox's public website token tells the widget where it belongs.
  const token = typeof inbox.config.websiteToken === 'string' ? inbox.config.websiteToken : null;
  if (!token) return <p className="muted small">{inbox.name} has no website token yet.</p>;
  const snippet = `<script async src="${window.location.origin}/widget.js" data-website-token="${token}"></script>`;
  return (
    <div className="snippet">
      <h3>Chat widget for {inbox.name}</h3>
      <pre>
        <code>{snippet}</code>
      </pre>
      <button
        type="button"
        onClick={() =>
          void navigator.clipboard
            .writeText(snippet)
            .then(() => notify('Snippet copied'))
            .catch(() => notify('Copy failed: select the text and copy it', { tone: 'error' }))
        }
      >
        Copy snippet
      </button>
    </div>
  );
}

function TeamSettings() {
  const { members, teams } = useDirectory();
  const me = useMe();
  const run = useRun();
  const admin = hasRole(me, 'admin');
  const [form, setForm] = useState({ name: '', email: '', role: 'agent' as Role, password: '' });
  const [teamName, setTeamName] = useState('');
  const addMember = async (event: FormEvent) => {
    event.preventDefault();
    if (
      await run(
        () => api.post('/members', { ...form, password: form.password || undefined }),
        `${form.name} added`,
      )
    ) {
      setForm({ name: '', email: '', role: 'agent', password: '' });
    }
  };
  return (
    <>
      <section className="card">
        <h2>Members</h2>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Availability</th>
              <th scope="col">Capacity</th>
            </tr>
          </thead>
          <tbody>
            {members.map((member) => (
              <tr key={member.userId}>
                <td>{member.name}</td>
                <td>{member.email}</td>
                <td>
                  {admin ? (
                    <select
                      aria-label={`Role of ${member.name}`}
                      value={member.role}
                      onChange={(event) =>
                        void run(() => api.patch(`/members/${member.userId}`, { role: event.target.value }))
                      }
                    >
                      <option value="agent">agent</option>
                      <option value="supervisor">supervisor</option>
                      <option value="admin">admin</option>
                    </select>
                  ) : (
                    member.role
                  )}
                </td>
                <td>
                  <span className={`presence-dot presence-${member.availability}`} aria-hidden="true" />{' '}
                  {member.availability}
                </td>
                <td>{member.capacity}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {admin && (
          <form className="inline-form" onSubmit={(event) => void addMember(event)} aria-label="Add a member">
            <input
              required
              placeholder="Name"
              aria-label="Name"
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.target.value })}
            />
            <input
              required
              type="email"
              placeholder="Email"
              aria-label="Email"
              value={form.email}
              onChange={(e) => setForm({ ...form, email: e.target.value })}
            />
            <select
              aria-label="Role"
              value={form.role}
              onChange={(e) => setForm({ ...form, role: e.target.value as Role })}
            >
              <option value="agent">agent</option>
              <option value="supervisor">supervisor</option>
              <option value="admin">admin</option>
            </select>
            <input
              type="password"
              placeholder="Password (new users)"
              aria-label="Password"
              value={form.password}
              onChange={(e) => setForm({ ...form, password: e.target.value })}
            />
            <button type="submit">Add member</button>
          </form>
        )}
      </section>
      <section className="card">
        <h2>Teams</h2>
        <ul className="plain">
          {teams.map((team) => (
            <li key={team.id}>
              <strong>{team.name}</strong>{' '}
              <span className="muted small">
                {team.memberIds.map((id) => members.find((m) => m.userId === id)?.name ?? '?').join(', ') ||
                  'no members'}
              </span>
            </li>
          ))}
        </ul>
        {admin && (
          <form
            className="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              void run(() => api.post('/teams', { name: teamName }), `Team ${teamName} created`).then(
                (ok) => ok && setTeamName(''),
              );
            }}
          >
            <input
              required
              placeholder="Team name"
              aria-label="Team name"
              value={teamName}
              onChange={(e) => setTeamName(e.target.value)}
            />
            <button type="submit">Add team</button>
          </form>
        )}
      </section>
    </>
  );
}

function CannedSettings() {
  const { canned } = useDirectory();
  const run = useRun();
  const [shortCode, setShortCode] = useState('');
  const [content, setContent] = useState('');
  return (
    <section className="card">
      <h2>Canned responses</h2>
      <p className="muted small">
        Type <kbd>/</kbd> and the short code in the composer to insert one.
      </p>
      <table className="table">
        <tbody>
          {canned.map((item) => (
            <tr key={item.id}>
              <th scope="row">/{item.shortCode}</th>
              <td>{item.content}</td>
              <td>
                <button
                  type="button"
                  className="small"
                  onClick={() => void run(() => api.delete(`/canned-responses/${item.id}`), 'Deleted')}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run(() => api.post('/canned-responses', { shortCode, content }), `/${shortCode} saved`).then(
            (ok) => {
              if (ok) {
                setShortCode('');
                setContent('');
              }
            },
          );
        }}
      >
        <input
          required
          pattern="[a-z0-9_\-]+"
          placeholder="short_code"
          aria-label="Short code"
          value={shortCode}
          onChange={(e) => setShortCode(e.target.value.toLowerCase())}
        />
        <input
          required
          className="grow"
          placeholder="Text"
          aria-label="Text"
          value={content}
          onChange={(e) => setContent(e.target.value)}
        />
        <button type="submit">Add</button>
      </form>
    </section>
  );
}

function LabelSettings() {
  const { labels } = useDirectory();
  const me = useMe();
  const run = useRun();
  const [name, setName] = useState('');
  const [color, setColor] = useState('#4f46e5');
  const canEdit = hasRole(me, 'supervisor');
  return (
    <section className="card">
      <h2>Labels</h2>
      <ul className="plain">
        {labels.map((label) => (
          <li key={label.id}>
            <span className="label-dot" style={{ background: label.color ?? '#94a3b8' }} aria-hidden="true" />{' '}
            {label.name}
            {canEdit && (
              <button
                type="button"
                className="small"
                onClick={() => void run(() => api.delete(`/labels/${label.id}`), `${label.name} deleted`)}
              >
                Delete
              </button>
            )}
          </li>
        ))}
      </ul>
      {canEdit && (
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            void run(() => api.post('/labels', { name, color }), `${name} added`).then(
              (ok) => ok && setName(''),
            );
          }}
        >
          <input
            required
            placeholder="Label name"
            aria-label="Label name"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <input type="color" aria-label="Colour" value={color} onChange={(e) => setColor(e.target.value)} />
          <button type="submit">Add label</button>
        </form>
      )}
    </section>
  );
}

interface Calendar {
  id: string;
  name: string;
  timezone: string;
  week: Record<string, Array<{ start: string; end: string }>>;
  holidays: string[];
  assignedTo: Array<{ scope: string; scopeId: string }>;
}

function HoursSettings() {
  const [calendars, setCalendars] = useState<Calendar[] | null>(null);
  useEffect(() => {
    void api.get<{ items: Calendar[] }>('/calendars').then((answer) => setCalendars(answer.items));
  }, []);
  const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  return (
    <section className="card">
      <h2>Business hours</h2>
      {calendars?.length === 0 && <p className="muted">No calendar: every clock runs 24/7.</p>}
      {calendars?.map((calendar) => (
        <div key={calendar.id} className="calendar">
          <h3>
            {calendar.name} <span className="muted small">{calendar.timezone}</span>
          </h3>
          <table className="table compact">
            <tbody>
              {days.map((day) => (
                <tr key={day}>
                  <th scope="row">{day}</th>
                  <td>
                    {(calendar.week[day] ?? [])
                      .map((interval) => `${interval.start}–${interval.end}`)
                      .join(', ') || 'closed'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {calendar.holidays.length > 0 && (
            <p className="small muted">Holidays: {calendar.holidays.join(', ')}</p>
          )}
        </div>
      ))}
      <p className="muted small">Calendars and SLA policies are edited through the API (docs/metrics.md).</p>
    </section>
  );
}
