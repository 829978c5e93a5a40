import type { AutomationEvent } from './automation-rule.schema.js';

/** The job that evaluates a workspace's rules for one event; `chain` holds the rules that led here. */
export function automationJob(
  workspaceId: string,
  event: AutomationEvent,
  conversationId: string,
  messageId: string | null,
  chain: string[],
  occurrence = '',
) {
  return {
    name: 'automation.run' as const,
    data: { workspaceId, event, conversationId, messageId, chain },
    // One job per occurrence of the event (a second resolve is a new occurrence), never repeated.
    jobId: `automation-${event.replace('.', '-')}-${messageId ?? conversationId}${occurrence ? `-${occurrence}` : ''}-${chain.length}`,
    attempts: 1,
  };
}
