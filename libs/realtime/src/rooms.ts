/** Room names of the `/agent` namespace. Membership is granted only after an access check. */
export const rooms = {
  workspace: (workspaceId: string) => `ws:${workspaceId}`,
  team: (teamId: string) => `team:${teamId}`,
  agent: (userId: string) => `agent:${userId}`,
  /** Supervisors and admins of a workspace (alerts about customers' satisfaction). */
  supervisors: (workspaceId: string) => `sup:${workspaceId}`,
  conversation: (conversationId: string) => `conv:${conversationId}`,
} as const;

export const AGENT_NAMESPACE = '/agent';
