import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthService, hasRole, type Principal, type Role } from '@parley/accounts';
import { IS_PUBLIC, REQUIRED_ROLE, type AuthedRequest } from './auth.decorators.js';

interface HttpRequest extends Partial<AuthedRequest> {
  headers: Record<string, string | string[] | undefined>;
}

/** Global guard: every route needs a JWT or an API key unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const principal = await this.authenticate(request);
    if (!principal) throw new UnauthorizedException('A valid bearer token or API key is required');
    const role = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    if (role && !hasRole(principal, role)) throw new ForbiddenException(`This needs the ${role} role`);
    request.principal = principal;
    return true;
  }

  private authenticate(request: HttpRequest): Promise<Principal | null> {
    const apiKey = header(request, 'x-api-key');
    if (apiKey) return this.auth.principalFromApiKey(apiKey);
    const authorization = header(request, 'authorization') ?? '';
    const [scheme, token] = authorization.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) return Promise.resolve(null);
    return token.startsWith('pk_')
      ? this.auth.principalFromApiKey(token)
      : this.auth.principalFromToken(token);
  }
}

function header(request: HttpRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
