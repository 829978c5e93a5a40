import type { Role } from './accounts.entities.js';

/** Who is calling: a signed-in member, or an API key of the workspace. */
export interface Principal {
  workspaceId: string;
  role: Role;
  userId: string | null;
  apiKeyId: string | null;
}

const RANK: Record<Role, number> = { agent: 0, supervisor: 1, admin: 2 };

export function hasRole(principal: Pick<Principal, 'role'>, needed: Role): boolean {
  return RANK[principal.role] >= RANK[needed];
}
