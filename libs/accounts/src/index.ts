export {
  ACCOUNT_ENTITIES,
  ApiKey,
  Membership,
  ROLES,
  Team,
  User,
  Workspace,
  type Role,
  type TeamAssignment,
  type WorkspaceSettings,
} from './accounts.entities.js';
export { AccountsError, AccountsErrorCode } from './accounts.errors.js';
export { AccountsModule } from './accounts.module.js';
export { ApiKeysService } from './api-keys.service.js';
export { AuthService, type LoginResult, type TokenCheck } from './auth.service.js';
export { MembersService, type MemberView } from './members.service.js';
export { hasRole, type Principal } from './principal.js';
export { TeamsService, type TeamView } from './teams.service.js';
export { WorkspacesService, type NewWorkspace } from './workspaces.service.js';
