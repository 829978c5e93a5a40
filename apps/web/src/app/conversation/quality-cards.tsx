import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client.js';
import { useLiveEvent } from '../api/live.js';
import type { ConversationView } from '../api/types.js';
import { longDuration } from '../ui/format.js';
import { useNow } from '../ui/use-now.js';
import { useToasts } from '../ui/toasts.js';

interface SlaTimers {
  policy: { id: string; name: string | null } | null;
  targets: Array<{
    kind: 'first_response' | 'next_reply' | 'resolution';
    state: 'running' | 'met' | 'breached';
    dueAt: string | null;
    doneAt: string | null;
  }>;
  nextReply: { judged: number; breached: number } | null;
}

interface SurveyItem {
  id: string;
  kind: 'csat' | 'ces' | 'nps';
  status: string;
  statusReason: string | null;
  score: number | null;
  comment: string | null;
  channel: string | null;
  sentAt: string | null;
  answeredAt: string | null;
}

const TARGETS: Record<SlaTimers['targets'][number]['kind'], string> = {
  first_response: 'First response',
  next_reply: 'Next reply',
  resolution: 'Resolution',
};
const SCALE_MAX = { csat: 5, ces: 7, nps: 10 } as const;

/** Re-reads `path` whenever the conversation changes (its view carries updatedAt) or `refresh` is called. */
function useConversationResource<T>(path: string, version: string) {
  const [data, setData] = useState<T | null>(null);
  const load = useCallback(() => {
    api
      .get<T>(path)
      .then(setData)
      .catch(() => setData(null));
  }, [path]);
  useEffect(() => load(), [load, version]);
  return { data, reload: load };
}

/** The SLA targets of the current cycle: a countdown while they run, met or breached after. */
export function SlaCard({ conversation }: { conversation: ConversationView }) {
  const { data, reload } = useConversationResource<SlaTimers>(
    `/conversations/${conversation.id}/sla`,
    `${conversation.status}:${conversation.lastMessageAt}:${conversation.priority}`,
  );
  const now = useNow(15_000);
  useLiveEvent('sla.alert', (alert) => {
    if (alert.conversationId === conversation.id) reload();
  });
  if (!data?.policy || data.targets.length === 0) return null;
  return (
    <section className="card" aria-label="SLA">
      <h2>SLA · {data.policy.name ?? 'policy'}</h2>
      <ul className="plain sla-targets">
        {data.targets.map((target) => {
          const left = target.dueAt ? (new Date(target.dueAt).getTime() - now) / 1000 : null;
          const text =
            target.state === 'running' && left !== null
              ? left > 0
                ? `due in ${longDuration(left)}`
                : `overdue by ${longDuration(-left)}`
              : target.state;
          return (
            <li
              key={target.kind}
              className={`sla-${target.state === 'running' && left !== null && left <= 0 ? 'breached' : target.state}`}
            >
              <span>{TARGETS[target.kind]}</span> <strong>{text}</strong>
            </li>
          );
        })}
      </ul>
      {data.nextReply && data.nextReply.judged > 0 && (
        <p className="muted small">
          Next replies: {data.nextReply.judged - data.nextReply.breached}/{data.nextReply.judged} on time
        </p>
      )}
    </section>
  );
}

/** What the customer said in surveys about this conversation, and the agent's "don't survey". */
export function SurveysCard({ conversation }: { conversation: ConversationView }) {
  const { notify } = useToasts();
  const { data, reload } = useConversationResource<{ excluded: boolean; items: SurveyItem[] }>(
    `/conversations/${conversation.id}/surveys`,
    `${conversation.status}:${conversation.lastMessageAt}`,
  );
  // The switch answers at once; a refused change puts it back.
  const [excluded, setExcluded] = useState<boolean | null>(null);
  useEffect(() => setExcluded(data?.excluded ?? null), [data]);
  useLiveEvent('survey.answered', (answer) => {
    if (answer.conversationId === conversation.id) reload();
  });
  if (!data) return null;
  const toggle = async (next: boolean) => {
    setExcluded(next);
    try {
      await api.put(`/conversations/${conversation.id}/survey-exclusion`, { excluded: next });
      reload();
    } catch (error) {
      setExcluded(!next);
      notify((error as Error).message, { tone: 'error' });
    }
  };
  return (
    <section className="card" aria-label="Surveys">
      <h2>Surveys</h2>
      {data.items.length === 0 ? (
        <p className="muted small">No survey for this conversation yet.</p>
      ) : (
        <ul className="plain survey-list">
          {data.items.map((survey) => (
            <li key={survey.id}>
              <strong>{survey.kind.toUpperCase()}</strong>{' '}
              {survey.score !== null ? (
                <span className={`score ${survey.kind}-${survey.score}`}>
                  {survey.score}/{SCALE_MAX[survey.kind]}
                </span>
              ) : (
                <span className="muted">{survey.status}</span>
              )}
              {survey.comment && <q className="small">{survey.comment}</q>}
              {survey.score === null && survey.statusReason && (
                <span className="muted small"> — {survey.statusReason}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      <label className="check small">
        <input
          type="checkbox"
          checked={excluded ?? data.excluded}
          onChange={(event) => void toggle(event.target.checked)}
        />
        Don’t survey this conversation
      </label>
    </section>
  );
}
