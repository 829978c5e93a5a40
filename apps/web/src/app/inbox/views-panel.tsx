import { useMe } from '../session/session.js';
import { useDirectory } from '../shell/directory.js';
import { CHANNEL_LABELS } from '../ui/format.js';
import type { InboxFilters, ViewName } from './filters.js';

const VIEWS: Array<{ view: ViewName; label: string }> = [
  { view: 'mine', label: 'Mine' },
  { view: 'unassigned', label: 'Unassigned' },
  { view: 'all', label: 'All' },
];

export function ViewsPanel({
  filters,
  setFilters,
}: {
  filters: InboxFilters;
  setFilters: (change: Partial<InboxFilters>) => void;
}) {
  const { teams, inboxes, labels } = useDirectory();
  const me = useMe();
  const scoped = filters.teamId || filters.inboxId || filters.labelId;
  const clear = { teamId: '', inboxId: '', labelId: '' };
  const myTeams = teams.filter((team) => team.memberIds.includes(me.user.id));
  const otherTeams = teams.filter((team) => !team.memberIds.includes(me.user.id));
  return (
    <nav className="views" aria-label="Views">
      <h2 className="views-title">{me.workspace.name}</h2>
      <ul>
        {VIEWS.map(({ view, label }) => (
          <li key={view}>
            <button
              type="button"
              aria-current={!scoped && filters.view === view ? 'true' : undefined}
              onClick={() => setFilters({ ...clear, view })}
            >
              {label}
            </button>
          </li>
        ))}
      </ul>
      {teams.length > 0 && (
        <>
          <h3>Teams</h3>
          <ul>
            {[...myTeams, ...otherTeams].map((team) => (
              <li key={team.id}>
                <button
                  type="button"
                  aria-current={filters.teamId === team.id ? 'true' : undefined}
                  onClick={() => setFilters({ ...clear, teamId: team.id })}
                >
                  {team.name}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {inboxes.length > 0 && (
        <>
          <h3>Inboxes</h3>
          <ul>
            {inboxes
              .filter((inbox) => inbox.enabled)
              .map((inbox) => (
                <li key={inbox.id}>
                  <button
                    type="button"
                    aria-current={filters.inboxId === inbox.id ? 'true' : undefined}
                    onClick={() => setFilters({ ...clear, inboxId: inbox.id })}
                  >
                    <span className={`channel-dot channel-${inbox.channel}`} aria-hidden="true" />
                    {inbox.name}
                    <span className="visually-hidden"> ({CHANNEL_LABELS[inbox.channel]})</span>
                    {inbox.health.status !== 'ok' && (
                      <span className="health-warning" title={inbox.health.error ?? inbox.health.status}>
                        !
                      </span>
                    )}
                  </button>
                </li>
              ))}
          </ul>
        </>
      )}
      {labels.length > 0 && (
        <>
          <h3>Labels</h3>
          <ul>
            {labels.map((label) => (
              <li key={label.id}>
                <button
                  type="button"
                  aria-current={filters.labelId === label.id ? 'true' : undefined}
                  onClick={() => setFilters({ ...clear, labelId: label.id })}
                >
                  <span
                    className="label-dot"
                    style={{ background: label.color ?? '#94a3b8' }}
                    aria-hidden="true"
                  />
                  {label.name}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </nav>
  );
}
