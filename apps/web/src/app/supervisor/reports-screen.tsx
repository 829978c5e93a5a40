import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client.js';
import type { Channel } from '../api/types.js';
import { useDirectory } from '../shell/directory.js';
import { CHANNEL_LABELS, longDuration, percent } from '../ui/format.js';
import { useToasts } from '../ui/toasts.js';
import { BarChart } from './bar-chart.js';
import { METRICS, pointValue, type Metric, type Point, type Stats } from './report-points.js';

interface Summary {
  volume: { opened: number; customerMessages: number; resolved: number };
  firstResponse: { calendar: Stats; business: Stats };
  fullResolution: { calendar: Stats; business: Stats };
  fcr: { rate: number | null; fcr: number; decided: number };
  reopen: { rate: number | null; reopened: number };
  handleTime: Stats;
  sla: { firstResponse: { met: number; breached: number; rate: number | null } };
  satisfaction: {
    csat: { sent: number; responses: number; responseRate: number | null; percent: number | null };
    ces: { responses: number; mean: number | null; percentEasy: number | null };
    nps: { responses: number; score: number | null };
  };
}
interface AgentRow {
  agentId: string;
  name: string;
  resolved: number;
  fcrRate: number | null;
  firstResponse: Stats | null; // calendar seconds; null for an agent without any
  handleSeconds: number | null;
}

const PERIODS = [
  { days: 7, label: 'Last 7 days' },
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
];

export function ReportsScreen() {
  const { teams, members } = useDirectory();
  const { notify } = useToasts();
  const [days, setDays] = useState(30);
  const [channel, setChannel] = useState<Channel | ''>('');
  const [teamId, setTeamId] = useState('');
  const [agentId, setAgentId] = useState('');
  const [metric, setMetric] = useState<Metric>('volume');
  const [summary, setSummary] = useState<Summary | null>(null);
  const [points, setPoints] = useState<Point[]>([]);
  const [agents, setAgents] = useState<AgentRow[]>([]);
  const [error, setError] = useState<string | null>(null);

  const filter = useMemo(() => {
    const to = new Date();
    const from = new Date(to.getTime() - days * 86400_000);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      channel: channel || undefined,
      teamId: teamId || undefined,
      agentId: agentId || undefined,
    };
    // Recomputed when a filter changes; `to` is "now" at that moment.
  }, [days, channel, teamId, agentId]);

  useEffect(() => {
    let cancelled = false;
    const interval = days > 31 ? 'week' : 'day';
    Promise.all([
      api.get<Summary>('/reports/summary', filter),
      api.get<{ points: Point[] }>('/reports/timeseries', { ...filter, metric, interval }),
      api.get<{ items: AgentRow[] }>('/reports/agents', filter),
    ])
      .then(([nextSummary, series, agentRows]) => {
        if (cancelled) return;
        setSummary(nextSummary);
        setPoints(series.points);
        setAgents(agentRows.items);
        setError(null);
      })
      .catch((caught: Error) => !cancelled && setError(caught.message));
    return () => {
      cancelled = true;
    };
  }, [filter, metric, days]);

  const unit = METRICS.find((m) => m.value === metric)!.unit;
  const format = (value: number) =>
    unit === 'seconds'
      ? longDuration(value)
      : unit === 'percent'
        ? percent(value)
        : String(Math.round(value));

  return (
    <main className="page" aria-labelledby="reports-title">
      <header className="page-header">
        <h1 id="reports-title">Reports</h1>
        <button
          type="button"
          onClick={() =>
            void api
              .download('/reports/export.csv', filter, `parley-report-${filter.from.slice(0, 10)}.csv`)
              .catch((caught: Error) => notify(caught.message, { tone: 'error' }))
          }
        >
          ⤓ Export CSV
        </button>
      </header>
      <form className="filters" aria-label="Report filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Period
          <select value={days} onChange={(event) => setDays(Number(event.target.value))}>
            {PERIODS.map((p) => (
              <option key={p.days} value={p.days}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Channel
          <select value={channel} onChange={(event) => setChannel(event.target.value as Channel | '')}>
            <option value="">All channels</option>
            {Object.entries(CHANNEL_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Team
          <select value={teamId} onChange={(event) => setTeamId(event.target.value)}>
            <option value="">All teams</option>
            {teams.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Agent
          <select value={agentId} onChange={(event) => setAgentId(event.target.value)}>
            <option value="">All agents</option>
            {members.map((member) => (
              <option key={member.userId} value={member.userId}>
                {member.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      {error && <p className="form-error">{error}</p>}
      {summary && (
        <div className="stats" data-testid="report-summary">
          <Kpi
            label="Conversations"
            value={String(summary.volume.opened)}
            hint={`${summary.volume.resolved} resolved`}
          />
          <Kpi
            label="First response (median)"
            value={longDuration(summary.firstResponse.calendar.median)}
            hint={`business hours ${longDuration(summary.firstResponse.business.median)}`}
          />
          <Kpi
            label="Resolution (median)"
            value={longDuration(summary.fullResolution.calendar.median)}
            hint={`p90 ${longDuration(summary.fullResolution.calendar.p90)}`}
          />
          <Kpi
            label="First contact resolution"
            value={percent(summary.fcr.rate)}
            hint={`${summary.fcr.decided} decided`}
          />
          <Kpi
            label="Reopen rate"
            value={percent(summary.reopen.rate)}
            hint={`${summary.reopen.reopened} reopened`}
          />
          <Kpi label="Handle time (median)" value={longDuration(summary.handleTime.median)} />
          <Kpi
            label="SLA first response met"
            value={percent(summary.sla.firstResponse.rate)}
            hint={`${summary.sla.firstResponse.breached} breached`}
          />
          <Kpi
            label="CSAT"
            value={percent(summary.satisfaction.csat.percent)}
            hint={`${summary.satisfaction.csat.responses} answers, ${percent(summary.satisfaction.csat.responseRate)} response rate`}
          />
          <Kpi
            label="CES (1–7)"
            value={summary.satisfaction.ces.mean === null ? '—' : summary.satisfaction.ces.mean.toFixed(1)}
            hint={`${percent(summary.satisfaction.ces.percentEasy)} easy, ${summary.satisfaction.ces.responses} answers`}
          />
          <Kpi
            label="NPS"
            value={summary.satisfaction.nps.score === null ? '—' : String(summary.satisfaction.nps.score)}
            hint={`${summary.satisfaction.nps.responses} answers`}
          />
        </div>
      )}
      <section className="card">
        <div className="card-header">
          <h2>Trend</h2>
          <label>
            <span className="visually-hidden">Metric</span>
            <select value={metric} onChange={(event) => setMetric(event.target.value as Metric)}>
              {METRICS.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <BarChart
          label={METRICS.find((m) => m.value === metric)!.label}
          points={points.map((point) => ({ label: point.period, value: pointValue(metric, point) }))}
          format={format}
        />
      </section>
      <section className="card">
        <h2>Agents</h2>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Resolved</th>
              <th scope="col">FCR</th>
              <th scope="col">First response (median)</th>
              <th scope="col">Handle time</th>
            </tr>
          </thead>
          <tbody>
            {agents.map((row) => (
              <tr key={row.agentId}>
                <td>{row.name}</td>
                <td>{row.resolved}</td>
                <td>{percent(row.fcrRate)}</td>
                <td>{longDuration(row.firstResponse?.median)}</td>
                <td>{longDuration(row.handleSeconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <p className="muted small">
        Times are calendar time unless marked business hours. Definitions: docs/metrics.md. CSAT, CES and NPS
        appear here once surveys report them.
      </p>
    </main>
  );
}

function Kpi({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="stat">
      <div className="stat-value">{value}</div>
      <div className="stat-label">{label}</div>
      {hint && <div className="stat-hint">{hint}</div>}
    </div>
  );
}
