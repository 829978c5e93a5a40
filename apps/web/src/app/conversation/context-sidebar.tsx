import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { ContactProfile, ContactSummary, ConversationView, Page, Priority } from '../api/types.js';
import { Link } from '../router.js';
import { hasRole, useMe } from '../session/session.js';
import { useDirectory } from '../shell/directory.js';
import { CHANNEL_LABELS, clockTime, contactName } from '../ui/format.js';
import { useToasts } from '../ui/toasts.js';
import { SlaCard, SurveysCard } from './quality-cards.js';

const PRIORITIES: Priority[] = ['none', 'low', 'medium', 'high', 'urgent'];

export function ContextSidebar({
  conversation,
  profile,
  reloadProfile,
  onChanged,
}: {
  conversation: ConversationView;
  profile: ContactProfile | null;
  reloadProfile: () => void;
  onChanged: (conversation: ConversationView) => void;
}) {
  const me = useMe();
  const { members, teams, labels, online } = useDirectory();
  const { notify } = useToasts();

  const run = async (request: () => Promise<ConversationView>) => {
    try {
      onChanged(await request());
    } catch (error) {
      notify((error as Error).message, { tone: 'error' });
    }
  };
  const assign = (body: { assigneeId?: string | null; teamId?: string | null }) =>
    run(() => api.post<ConversationView>(`/conversations/${conversation.id}/assign`, body));
  const toggleLabel = (name: string) => {
    const next = conversation.labels.includes(name)
      ? conversation.labels.filter((l) => l !== name)
      : [...conversation.labels, name];
    return run(() => api.put<ConversationView>(`/conversations/${conversation.id}/labels`, { labels: next }));
  };

  return (
    <aside className="sidebar" aria-label="Context">
      <section className="card">
        <h2>Conversation</h2>
        <label className="field">
          <span>Assignee</span>
          <select
            id="assignee-select"
            value={conversation.assigneeId ?? ''}
            onChange={(event) => void assign({ assigneeId: event.target.value || null })}
          >
            <option value="">Unassigned</option>
            {members.map((member) => (
              <option key={member.userId} value={member.userId}>
                {member.userId === me.user.id ? `${member.name} (me)` : member.name}
                {online.has(member.userId) ? ' ●' : ''}
              </option>
            ))}
          </select>
        </label>
        {conversation.assigneeId !== me.user.id && (
          <button
            type="button"
            className="link small"
            onClick={() => void assign({ assigneeId: me.user.id })}
          >
            Assign to me
          </button>
        )}
        <label className="field">
          <span>Team</span>
          <select
            value={conversation.teamId ?? ''}
            onChange={(event) => void assign({ teamId: event.target.value || null })}
          >
            <option value="">No team</option>
            {teams.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Priority</span>
          <select
            value={conversation.priority}
            onChange={(event) =>
              void run(() =>
                api.patch<ConversationView>(`/conversations/${conversation.id}`, {
                  priority: event.target.value,
                }),
              )
            }
          >
            {PRIORITIES.map((priority) => (
              <option key={priority} value={priority}>
                {priority}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="labels">
          <legend>Labels</legend>
          {labels.length === 0 && <p className="muted small">No labels yet.</p>}
          {labels.map((label) => (
            <label key={label.id} className="label-check">
              <input
                type="checkbox"
                checked={conversation.labels.includes(label.name)}
                onChange={() => void toggleLabel(label.name)}
              />
              <span
                className="label-dot"
                style={{ background: label.color ?? '#94a3b8' }}
                aria-hidden="true"
              />
              {label.name}
            </label>
          ))}
        </fieldset>
        {conversation.assignmentReason && (
          <p className="muted small">Assigned: {conversation.assignmentReason}</p>
        )}
      </section>
      <SlaCard conversation={conversation} />
      <SurveysCard conversation={conversation} />
      {profile ? (
        <>
          <ContactCard profile={profile} onSaved={reloadProfile} />
          <PreviousConversations profile={profile} currentId={conversation.id} />
          {!profile.erasedAt && <MergeCard profile={profile} onMerged={reloadProfile} />}
          {hasRole(me, 'admin') && <PrivacyCard profile={profile} onErased={reloadProfile} />}
        </>
      ) : (
        <span className="spinner" />
      )}
    </aside>
  );
}

function ContactCard({ profile, onSaved }: { profile: ContactProfile; onSaved: () => void }) {
  const attributes = Object.entries(profile.attributes ?? {});
  const consent = Object.entries(profile.consent ?? {});
  const { notify } = useToasts();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(profile.name ?? '');
  const save = async () => {
    try {
      await api.patch(`/contacts/${profile.id}`, { name: name.trim() });
      setEditing(false);
      onSaved();
    } catch (error) {
      notify((error as Error).message, { tone: 'error' });
    }
  };
  return (
    <section className="card">
      {editing ? (
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <input
            aria-label="Contact name"
            autoFocus
            required
            value={name}
            onChange={(event) => setName(event.target.value)}
            onKeyDown={(event) => event.key === 'Escape' && setEditing(false)}
          />
          <button type="submit" className="small">
            Save
          </button>
        </form>
      ) : (
        <h2 className="contact-name">
          {contactName(profile)}{' '}
          <button type="button" className="link small" onClick={() => setEditing(true)}>
            Edit
          </button>
        </h2>
      )}
      <h3>Reachable on</h3>
      <ul className="identities">
        {profile.identities.map((identity) => (
          <li key={identity.id}>
            <span className="badge">{identity.kind}</span>{' '}
            <span className="identity-value">{identity.value}</span>
            {identity.verified && <span className="muted small"> · verified</span>}
            {identity.optedOutChannels.length > 0 && (
              <span className="badge opted-out">
                opted out:{' '}
                {identity.optedOutChannels
                  .map((c) => CHANNEL_LABELS[c as keyof typeof CHANNEL_LABELS] ?? c)
                  .join(', ')}
              </span>
            )}
          </li>
        ))}
      </ul>
      {attributes.length > 0 && (
        <>
          <h3>Attributes</h3>
          <dl className="attributes">
            {attributes.map(([key, value]) => (
              <div key={key}>
                <dt>{key}</dt>
                <dd>{showValue(value)}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
      {consent.length > 0 && (
        <>
          <h3>Consent</h3>
          <dl className="attributes">
            {consent.map(([key, value]) => (
              <div key={key}>
                <dt>{key}</dt>
                <dd>{showValue(value)}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </section>
  );
}

function PreviousConversations({ profile, currentId }: { profile: ContactProfile; currentId: string }) {
  const others = profile.conversations.filter((c) => c.id !== currentId && !c.mergedIntoId);
  return (
    <section className="card">
      <h2>Previous conversations</h2>
      {others.length === 0 && <p className="muted small">None: this is the first.</p>}
      <ul className="previous">
        {others.map((c) => (
          <li key={c.id}>
            <Link to={`/inbox/${c.id}`}>
              <span className={`badge status-${c.status}`}>
                {c.status === 'resolved' ? 'resolved' : c.status}
              </span>{' '}
              {c.subject ?? `${c.messagesCount} messages`}
              {c.lastChannel && <span className="muted small"> · {CHANNEL_LABELS[c.lastChannel]}</span>}
              <span className="muted small"> · {clockTime(c.openedAt)}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

function MergeCard({ profile, onMerged }: { profile: ContactProfile; onMerged: () => void }) {
  const { notify } = useToasts();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<ContactSummary[]>([]);
  useEffect(() => {
    if (query.trim().length < 2) {
      setResults([]);
      return;
    }
    const timer = setTimeout(() => {
      void api
        .get<Page<ContactSummary>>('/contacts', { q: query.trim(), limit: 5 })
        .then((page) => setResults(page.items.filter((c) => c.id !== profile.id)));
    }, 250);
    return () => clearTimeout(timer);
  }, [query, profile.id]);

  const merge = async (source: ContactSummary) => {
    if (!window.confirm(`Merge ${contactName(source)} into ${contactName(profile)}? You can undo this.`))
      return;
    try {
      await api.post(`/contacts/${profile.id}/merge`, { sourceContactId: source.id });
      notify(`${contactName(source)} merged`);
      setQuery('');
      onMerged();
    } catch (error) {
      notify((error as Error).message, { tone: 'error' });
    }
  };
  const unmerge = async (mergeId: string) => {
    try {
      await api.post(`/contacts/merges/${mergeId}/unmerge`);
      notify('Merge undone');
      onMerged();
    } catch (error) {
      notify((error as Error).message, { tone: 'error' });
    }
  };
  const undoable = profile.merges.filter((m) => m.targetContactId === profile.id && !m.unmergedAt);
  return (
    <section className="card">
      <h2>Merge</h2>
      <label className="field">
        <span>Same person as…</span>
        <input
          type="search"
          placeholder="Find a contact by name, email, phone"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
      </label>
      <ul className="merge-results">
        {results.map((contact) => (
          <li key={contact.id}>
            <span>
              {contactName(contact)}
              <span className="muted small"> {contact.email ?? contact.phone ?? ''}</span>
            </span>
            <button type="button" className="small" onClick={() => void merge(contact)}>
              Merge in
            </button>
          </li>
        ))}
      </ul>
      {undoable.length > 0 && (
        <ul className="merges">
          {undoable.map((merge) => (
            <li key={merge.id}>
              <span className="small">
                Merged {clockTime(merge.mergedAt)} ({merge.moved.conversations} conversations)
              </span>
              <button type="button" className="small" onClick={() => void unmerge(merge.id)}>
                Unmerge
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Admins: export everything about the contact (a tar download), or erase it after a confirmation. */
function PrivacyCard({ profile, onErased }: { profile: ContactProfile; onErased: () => void }) {
  const { notify } = useToasts();
  const [busy, setBusy] = useState(false);
  if (profile.erasedAt) {
    return (
      <section className="card">
        <h2>Privacy</h2>
        <p className="muted small">Personal data erased {clockTime(profile.erasedAt)}.</p>
      </section>
    );
  }
  const exportData = async () => {
    setBusy(true);
    try {
      await api.download(`/contacts/${profile.id}/export`, {}, `contact-${profile.id}.tar`);
    } catch (error) {
      notify((error as Error).message, { tone: 'error' });
    } finally {
      setBusy(false);
    }
  };
  const erase = async () => {
    const warning =
      `Erase all personal data of ${contactName(profile)}? Messages, files, identities and survey comments ` +
      'are removed for good; reports keep their numbers. This cannot be undone.';
    if (!window.confirm(warning)) return;
    setBusy(true);
    try {
      await api.post(`/contacts/${profile.id}/erase`, { confirm: profile.id });
      notify('Contact erased');
      onErased();
    } catch (error) {
      notify((error as Error).message, { tone: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card">
      <h2>Privacy</h2>
      <div className="inline-form">
        <button type="button" className="small" disabled={busy} onClick={() => void exportData()}>
          Export data
        </button>
        <button type="button" className="small danger" disabled={busy} onClick={() => void erase()}>
          Erase contact
        </button>
      </div>
    </section>
  );
}

function showValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
