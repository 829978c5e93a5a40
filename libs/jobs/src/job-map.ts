/** Queues and the jobs each carries. A job's name is `<queue>.<action>`; payloads carry ids, not rows. */
export const QUEUE_NAMES = [
  'delivery',
  'conversations',
  'media',
  'assignment',
  'automation',
  'metrics',
  'surveys',
  'privacy',
] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobMap {
  'delivery.deliver': { workspaceId: string; messageId: string };
  'conversations.unsnooze': { workspaceId: string; conversationId: string; snoozedUntil: string };
  /** Periodic: web chat replies a visitor has not read in time go out by email (continuity). */
  'conversations.continuity': Record<string, never>;
  'media.fetch': { workspaceId: string; messageId: string };
  'media.profile': { workspaceId: string; contactId: string; identityId: string };
  'delivery.typing': { workspaceId: string; conversationId: string; on: boolean };
  'assignment.run': { workspaceId: string; scope: `inbox:${string}` | `team:${string}` };
  'assignment.sweep': { workspaceId: string | null };
  'assignment.conversation': { workspaceId: string; conversationId: string };
  'automation.run': {
    workspaceId: string;
    event:
      'conversation.created' | 'message.created' | 'conversation.resolved' | 'sla.warning' | 'sla.breached';
    conversationId: string;
    messageId: string | null;
    chain: string[];
  };
  'assignment.requeue': {
    workspaceId: string;
    conversationId: string;
    assignedAt: string;
    afterMinutes: number;
  };
  /** Recompute a conversation's metrics; `seq` is the newest event the job was enqueued for. */
  'metrics.conversation': { workspaceId: string; conversationId: string; seq: string };
  /** An SLA timer reached its warning or its due time. */
  'metrics.sla': {
    workspaceId: string;
    conversationId: string;
    kind: 'first_response' | 'next_reply' | 'resolution';
    stage: 'warning' | 'breach';
    dueAt: string;
  };
  /** Periodic (every second): fold the journaled rollup changes into `metrics_daily`. */
  'metrics.rollups': Record<string, never>;
  /** Send a scheduled survey (jobId = survey id); re-checks everything first. */
  'surveys.send': { workspaceId: string; surveyId: string };
  /** After the last score in a chat: ask for a comment or say thanks, once. */
  'surveys.follow_up': { workspaceId: string; surveyId: string };
  /** A low score becomes a note on the conversation, once. */
  'surveys.alert': { workspaceId: string; surveyId: string };
  /** Plan an NPS campaign: pick its contacts and schedule their surveys at the campaign's rate. */
  'surveys.campaign': { workspaceId: string; campaignId: string };
  /** Periodic: expire unanswered surveys, re-enqueue rows whose job was lost. */
  'surveys.sweep': Record<string, never>;
  /** Periodic (daily): redact messages and raw events older than each inbox's retention window. */
  'privacy.retention': Record<string, never>;
  /** Delete attachment files an erasure or retention run queued in pending_file_deletions. */
  'privacy.purge_files': Record<string, never>;
}

export type JobName = keyof JobMap;

/** The jobs one queue carries, for an exhaustive switch in its processor. */
export type JobNameOf<Q extends QueueName> = Extract<JobName, `${Q}.${string}`>;

export const JOB_NAMES: readonly JobName[] = [
  'delivery.deliver',
  'delivery.typing',
  'conversations.unsnooze',
  'conversations.continuity',
  'media.fetch',
  'media.profile',
  'assignment.run',
  'assignment.sweep',
  'assignment.conversation',
  'assignment.requeue',
  'automation.run',
  'metrics.conversation',
  'metrics.sla',
  'metrics.rollups',
  'surveys.send',
  'surveys.follow_up',
  'surveys.alert',
  'surveys.campaign',
  'surveys.sweep',
  'privacy.retention',
  'privacy.purge_files',
];

export function queueOf(name: JobName): QueueName {
  return name.slice(0, name.indexOf('.')) as QueueName;
}

export interface JobRequest<N extends JobName = JobName> {
  name: N;
  data: JobMap[N];
  /** Idempotency key: BullMQ ignores a second job with the same id. No ':' allowed. */
  jobId: string;
  delayMs?: number;
}
