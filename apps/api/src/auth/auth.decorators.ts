import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Principal, Role } from '@parley/accounts';
import type { Actor } from '@parley/inbox';

export const IS_PUBLIC = 'parley:public';
export const REQUIRED_ROLE = 'parley:role';

/** Opts a route out of the global auth guard. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The least role a route needs (agent < supervisor < admin). */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

export interface AuthedRequest {
  principal: Principal;
}

export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest<AuthedRequest>().principal,
);

/** Who did it, as the event log records it: a member is an agent, an API key is a bot. */
export function actorOf(principal: Principal): Actor {
  return principal.userId ? { type: 'agent', id: principal.userId } : { type: 'bot', id: principal.apiKeyId };
}
