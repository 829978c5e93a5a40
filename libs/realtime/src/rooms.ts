/** Room names of the `/agent` namespace. Membership is granted only after an access check. */
export const rooms = {
  workspace: (workspaceId: string) => `ws:${workspaceId}`,
  team: (teamId: string) => `team:${teamId}`,
  agent: (userId: string) => `agent:${userId}`,
  /** Supervisors and admins of a workspace (alerts about customers' satisfaction). */
  supervisors: (workspaceId: string) => `sup:${workspaceId}`,
  conversation: (conversationId: string) => `conv:${conversationId}`,
  /** The sockets opened with one token (`jti`): a logout disconnects them. */
  session: (tokenId: string) => `session:${tokenId}`,
} as const;

export const AGENT_NAMESPACE = '/agent';
