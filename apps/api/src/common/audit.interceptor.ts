import {
  Injectable,
  Logger,
  SetMetadata,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { concatMap, type Observable } from 'rxjs';
import type { Principal, Role } from '@parley/accounts';
import { AuditLogRepository } from '@parley/database';
import { REQUIRED_ROLE } from '../auth/auth.decorators.js';

const AUDIT = 'parley:audit';
/** Where @Controller() keeps its path (Nest's PATH_METADATA). */
const CONTROLLER_PATH = 'path';
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Audit a successful mutation of this route even though it needs no supervisor or admin role. */
export const AuditedRoute = () => SetMetadata(AUDIT, 'route');
/** The service writes a richer audit row itself (export, erase): the interceptor stays out. */
export const AuditedByService = () => SetMetadata(AUDIT, 'service');

interface HttpRequest {
  method: string;
  principal?: Principal;
  params: Record<string, string>;
  body: unknown;
  route?: { path?: string };
}

/**
 * One place that audits administration: every successful mutating request to a route that needs
 * the supervisor or admin role (or is marked @AuditedRoute) leaves a row with who, which route and
 * ids, and the *names* of the fields sent. Values are never recorded, so no secret can leak in.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger(AuditInterceptor.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditLogRepository,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const targets = [context.getHandler(), context.getClass()];
    const mode = this.reflector.getAllAndOverride<'route' | 'service' | undefined>(AUDIT, targets);
    const role = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    const audited = mode === 'route' || (mode === undefined && (role === 'supervisor' || role === 'admin'));
    if (!audited || !MUTATING.has(request.method) || !request.principal) return next.handle();
    const principal = request.principal;
    return next.handle().pipe(
      concatMap(async (result: unknown) => {
        await this.record(context, request, principal, result);
        return result;
      }),
    );
  }

  private async record(
    context: ExecutionContext,
    request: HttpRequest,
    principal: Principal,
    result: unknown,
  ): Promise<void> {
    const resource = resourceOf(
      this.reflector.get<string | undefined>(CONTROLLER_PATH, context.getClass()) ?? '',
    );
    const action = `${resource}.${snake(context.getHandler().name)}`;
    const created = result as { id?: unknown; inbox?: { id?: unknown } } | null | undefined;
    const targetId = [
      request.params.id,
      request.params.userId,
      request.params.inboxId,
      request.params.mergeId,
      created?.id,
      created?.inbox?.id,
    ].find((value): value is string => typeof value === 'string' && UUID.test(value));
    try {
      await this.audit.record({
        workspaceId: principal.workspaceId,
        actorType: principal.userId ? 'user' : 'api_key',
        actorId: principal.userId ?? principal.apiKeyId,
        action,
        targetType: singular(resource),
        targetId: targetId ?? null,
        data: {
          method: request.method,
          route: request.route?.path ?? null,
          params: request.params,
          fields: fieldNames(request.body),
        },
      });
    } catch (error) {
      // The change is committed; failing the response would invite a duplicate retry.
      this.logger.error(`audit row for ${action} was not written: ${(error as Error).message}`);
    }
  }
}

/** `api/v1/sla-policies` → `sla_policies`; `api/v1/conversations/:id` → `conversations`. */
function resourceOf(path: string): string {
  const segments = path.split('/').filter((segment) => segment && !segment.startsWith(':'));
  return snake(segments.at(-1) ?? 'api');
}

function snake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();
}

function singular(resource: string): string {
  if (resource.endsWith('ies')) return `${resource.slice(0, -3)}y`;
  if (resource.endsWith('xes')) return resource.slice(0, -2);
  return resource.endsWith('s') ? resource.slice(0, -1) : resource;
}

/** Names of the fields a request sent, one level deep (`settings.reopenWindowDays`); never values. */
export function fieldNames(body: unknown): string[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [];
  return Object.entries(body as Record<string, unknown>)
    .flatMap(([key, value]) =>
      value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length
        ? Object.keys(value).map((inner) => `${key}.${inner}`)
        : [key],
    )
    .sort();
}
