import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client.js';
import { useLiveEvent, useOnReconnect, type LiveEvents } from '../api/live.js';
import type { ConversationListItem, LiveQueue, Page } from '../api/types.js';
import { Link } from '../router.js';
import { useDirectory } from '../shell/directory.js';
import { clockTime, longDuration } from '../ui/format.js';

const BREAKDOWN_LIMIT = 300;

interface Breakdown {
  key: string;
  name: string;
  open: number;
  unassigned: number;
  waiting: number;
  longestWaitSince: string | null;
}

/** The queue now: counts from /reports/live, a per-inbox and per-team split, agents' load, SLA alerts. Live. */
export function LiveQueueScreen() {
  const { inboxes, teams } = useDirectory();
  const [live, setLive] = useState<LiveQueue | null>(null);
  const [conversations, setConversations] = useState<ConversationListItem[]>([]);
  const [truncated, setTruncated] = useState(false);
  const [alerts, setAlerts] = useState<Array<LiveEvents['sla.alert'] & { at: string }>>([]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [queue, page] = await Promise.all([
        api.get<LiveQueue>('/reports/live'),
        api.get<Page<ConversationListItem>>('/conversations', {
          view: 'all',
          sort: 'oldest_waiting',
          limit: 100,
        }),
      ]);
      const items = [...page.items];
      let cursor = page.nextCursor;
      while (cursor && items.length < BREAKDOWN_LIMIT) {
        const next = await api.get<Page<ConversationListItem>>('/conversations', {
          view: 'all',
          sort: 'oldest_waiting',
          limit: 100,
          cursor,
        });
        items.push(...next.items);
        cursor = next.nextCursor;
      }
      setLive(queue);
      setConversations(items);
      setTruncated(Boolean(cursor));
      setError(null);
    } catch (caught) {
      setError((caught as Error).message);
    }
  }, []);

  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refresh = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void load(), 400);
  }, [load]);
  useEffect(() => {
    void load();
    // Waiting times grow without events: refresh every half minute too.
    const interval = setInterval(() => void load(), 30_000);
    return () => {
      clearInterval(interval);
      if (timer.current) clearTimeout(timer.current);
    };
  }, [load]);
  useLiveEvent('conversation.created', refresh);
  useLiveEvent('conversation.updated', refresh);
  useLiveEvent('conversation.assigned', refresh);
  useLiveEvent('message.created', refresh);
  useLiveEvent('presence', refresh);
  useLiveEvent('sla.alert', (alert) => {
    setAlerts((previous) => [{ ...alert, at: new Date().toISOString() }, ...previous].slice(0, 20));
  });
  useOnReconnect(refresh);

  const split = (keyOf: (c: ConversationListItem) => string | null, nameOf: (key: string) => string) => {
    const rows = new Map<string, Breakdown>();
    for (const c of conversations) {
      const key = keyOf(c) ?? '';
      const row = rows.get(key) ?? {
        key,
        name: key ? nameOf(key) : '—',
        open: 0,
        unassigned: 0,
        waiting: 0,
        longestWaitSince: null,
      };
      row.open += 1;
      if (!c.assigneeId) row.unassigned += 1;
      if (c.waitingSince) {
        row.waiting += 1;
        if (!row.longestWaitSince || c.waitingSince < row.longestWaitSince)
          row.longestWaitSince = c.waitingSince;
      }
      rows.set(key, row);
    }
    return [...rows.values()].sort((a, b) => b.waiting - a.waiting || b.open - a.open);
  };
  const byInbox = split(
    (c) => c.replyInboxId,
    (id) => inboxes.find((i) => i.id === id)?.name ?? 'Unknown inbox',
  );
  const byTeam = split(
    (c) => c.teamId,
    (id) => teams.find((t) => t.id === id)?.name ?? 'Unknown team',
  );

  return (
    <main className="page" aria-labelledby="queue-title">
      <header className="page-header">
        <h1 id="queue-title">Live queue</h1>
        {live && <span className="muted">Updated {clockTime(live.at)} · live</span>}
      </header>
      {error && <p className="form-error">{error}</p>}
      {live && (
        <div className="stats" data-testid="queue-stats">
          <Stat label="Open" value={live.open} testId="queue-open" />
          <Stat label="Unassigned" value={live.unassigned} testId="queue-unassigned" />
          <Stat label="Waiting for a reply" value={live.waiting} testId="queue-waiting" />
          <Stat label="Pending" value={live.pending} />
          <Stat label="Snoozed" value={live.snoozed} />
          <Stat
            label="Longest wait"
            value={longDuration(live.longestWaitSeconds)}
            tone={toneFor(live.longestWaitSeconds)}
          />
          <Stat label="Agents online" value={live.agentsOnline} />
        </div>
      )}
      <div className="grid-2">
        <BreakdownTable title="By inbox" rows={byInbox} />
        <BreakdownTable title="By team" rows={byTeam} />
      </div>
      {truncated && (
        <p className="muted small">
          The inbox and team split counts the {BREAKDOWN_LIMIT} longest-waiting conversations.
        </p>
      )}
      <div className="grid-2">
        <section className="card">
          <h2>Agents</h2>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Status</th>
                <th scope="col">Load</th>
              </tr>
            </thead>
            <tbody>
              {live?.agents.map((agent) => (
                <tr key={agent.agentId}>
                  <td>{agent.name}</td>
                  <td>
                    <span className={`presence-dot presence-${agent.availability}`} aria-hidden="true" />{' '}
                    {agent.availability}
                  </td>
                  <td>
                    <meter
                      min={0}
                      max={Math.max(agent.capacity, 1)}
                      value={agent.load}
                      aria-label={`${agent.name} load`}
                    />{' '}
                    {agent.load}/{agent.capacity}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="card">
          <h2>SLA risk</h2>
          {alerts.length === 0 && <p className="muted">No SLA alerts since you opened this page.</p>}
          <ul className="alerts">
            {alerts.map((alert, index) => (
              <li key={`${alert.conversationId}-${alert.kind}-${index}`} className={`alert-${alert.stage}`}>
                <strong>{alert.stage === 'breach' ? 'Breached' : 'At risk'}</strong>{' '}
                {alert.kind.replace(/_/g, ' ')} · due {clockTime(alert.dueAt)} ·{' '}
                <Link to={`/inbox/${alert.conversationId}?view=all`}>open</Link>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </main>
  );
}

function toneFor(seconds: number | null): string {
  if (seconds === null) return '';
  return seconds > 3600 ? 'late' : seconds > 900 ? 'soon' : '';
}

function Stat({
  label,
  value,
  tone,
  testId,
}: {
  label: string;
  value: number | string;
  tone?: string;
  testId?: string;
}) {
  return (
    <div className={`stat ${tone ?? ''}`}>
      <div className="stat-value" data-testid={testId}>
        {value}
      </div>
      <div className="stat-label">{label}</div>
    </div>
  );
}

function BreakdownTable({ title, rows }: { title: string; rows: Breakdown[] }) {
  return (
    <section className="card">
      <h2>{title}</h2>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Unresolved</th>
            <th scope="col">Unassigned</th>
            <th scope="col">Waiting</th>
            <th scope="col">Longest wait</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                Queue is empty.
              </td>
            </tr>
          )}
          {rows.map((row) => (
            <tr key={row.key}>
              <td>{row.name}</td>
              <td>{row.open}</td>
              <td>{row.unassigned}</td>
              <td>{row.waiting}</td>
              <td>
                {row.longestWaitSince
                  ? longDuration((Date.now() - new Date(row.longestWaitSince).getTime()) / 1000)
                  : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
