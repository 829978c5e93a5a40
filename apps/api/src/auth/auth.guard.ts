import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeysService, AuthService, hasRole, type Principal, type Role } from '@parley/accounts';
import { IS_PUBLIC, REQUIRED_ROLE, type AuthedRequest } from './auth.decorators.js';

interface HttpRequest extends Partial<AuthedRequest> {
  headers: Record<string, string | string[] | undefined>;
}

/** Global guard: every route needs a JWT or an API key unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly apiKeys: ApiKeysService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const principal = await this.authenticate(request);
    if (!principal || 'refused' in principal)
      throw new UnauthorizedException(principal?.refused ?? 'A valid bearer token or API key is required');
    const role = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    if (role && !hasRole(principal, role)) throw new ForbiddenException(`This needs the ${role} role`);
    request.principal = principal;
    return true;
  }

  private async authenticate(request: HttpRequest): Promise<Principal | { refused: string } | null> {
    const apiKey = header(request, 'x-api-key');
    if (apiKey) return this.apiKeys.principal(apiKey);
    const token = bearerToken(request);
    if (!token) return null;
    if (token.startsWith('pk_')) return this.apiKeys.principal(token);
    const check = await this.auth.checkToken(token);
    return 'principal' in check ? check.principal : check;
  }
}

/** The JWT or API key of an `Authorization: Bearer …` header. */
export function bearerToken(request: Pick<HttpRequest, 'headers'>): string | null {
  const [scheme, token] = (header(request, 'authorization') ?? '').split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : null;
}

function header(request: Pick<HttpRequest, 'headers'>, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
