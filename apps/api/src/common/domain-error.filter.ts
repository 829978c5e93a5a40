import { STATUS_CODES } from 'node:http';
import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { AccountsError, AccountsErrorCode } from '@parley/accounts';
import { InvalidCursorError } from '@parley/database';
import { MetaPayloadError, TwilioPayloadError } from '@parley/channels';
import { InboxError, InboxErrorCode, WebhookSignatureError } from '@parley/inbox';
import { ReportingError, ReportingErrorCode } from '@parley/reporting';
import { SurveysError, SurveysErrorCode } from '@parley/surveys';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code?: string;
  details?: string[];
  /** With 429: seconds to wait, also sent as the `Retry-After` header. */
  retryAfter?: number;
}

const ACCOUNTS_STATUS: Record<AccountsErrorCode, HttpStatus> = {
  [AccountsErrorCode.InvalidCredentials]: HttpStatus.UNAUTHORIZED,
  [AccountsErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [AccountsErrorCode.EmailTaken]: HttpStatus.CONFLICT,
  [AccountsErrorCode.TeamNameTaken]: HttpStatus.CONFLICT,
  [AccountsErrorCode.NotAMember]: HttpStatus.BAD_REQUEST,
  [AccountsErrorCode.LastAdmin]: HttpStatus.CONFLICT,
  [AccountsErrorCode.InvalidInput]: HttpStatus.BAD_REQUEST,
  [AccountsErrorCode.AccountLocked]: HttpStatus.TOO_MANY_REQUESTS,
  [AccountsErrorCode.WrongPassword]: HttpStatus.FORBIDDEN,
};

const INBOX_STATUS: Record<InboxErrorCode, HttpStatus> = {
  [InboxErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [InboxErrorCode.InvalidIdentity]: HttpStatus.BAD_REQUEST,
  [InboxErrorCode.InvalidInput]: HttpStatus.BAD_REQUEST,
  [InboxErrorCode.InvalidState]: HttpStatus.CONFLICT,
  [InboxErrorCode.Conflict]: HttpStatus.CONFLICT,
  [InboxErrorCode.Unreachable]: HttpStatus.UNPROCESSABLE_ENTITY,
  [InboxErrorCode.Gone]: HttpStatus.GONE,
};

const REPORTING_STATUS: Record<ReportingErrorCode, HttpStatus> = {
  [ReportingErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [ReportingErrorCode.InvalidInput]: HttpStatus.BAD_REQUEST,
  [ReportingErrorCode.Conflict]: HttpStatus.CONFLICT,
};

const SURVEYS_STATUS: Record<SurveysErrorCode, HttpStatus> = {
  [SurveysErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [SurveysErrorCode.InvalidInput]: HttpStatus.BAD_REQUEST,
  [SurveysErrorCode.Gone]: HttpStatus.GONE,
};

/** Maps every error to one JSON shape; domain errors to their 4xx, the unexpected to a logged 500. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const body: ErrorBody = {
      statusCode: status,
      error: STATUS_CODES[status] ?? 'Error',
      message: error.message,
    };
    if (typeof response === 'object' && response !== null) {
      const fields = response as { message?: unknown; details?: unknown };
      if (typeof fields.message === 'string') body.message = fields.message;
      if (Array.isArray(fields.details)) body.details = fields.details as string[];
      if (Array.isArray(fields.message)) body.details = fields.message as string[];
    }
    return body;
  }
  if (error instanceof AccountsError) {
    const body = domain(ACCOUNTS_STATUS[error.code], error.code, error.message);
    return error.retryAfterSeconds ? { ...body, retryAfter: error.retryAfterSeconds } : body;
  }
  if (error instanceof InboxError) {
    const body = domain(INBOX_STATUS[error.code], error.code, error.message);
    return error.details.length ? { ...body, details: error.details } : body;
  }
  if (error instanceof ReportingError) {
    const body = domain(REPORTING_STATUS[error.code], error.code, error.message);
    return error.details.length ? { ...body, details: error.details } : body;
  }
  if (error instanceof SurveysError) {
    const body = domain(SURVEYS_STATUS[error.code], error.code, error.message);
    return error.details.length ? { ...body, details: error.details } : body;
  }
  if (error instanceof InvalidCursorError)
    return domain(HttpStatus.BAD_REQUEST, 'invalid_cursor', error.message);
  if (error instanceof WebhookSignatureError)
    return domain(HttpStatus.FORBIDDEN, 'invalid_signature', error.message);
  if (error instanceof TwilioPayloadError || error instanceof MetaPayloadError)
    return domain(HttpStatus.BAD_REQUEST, 'invalid_payload', error.message);
  // body-parser and similar middleware errors carry an HTTP status and an `expose` flag
  const http = error as { status?: number; expose?: boolean; message?: string; type?: string };
  if (typeof http.status === 'number' && http.status >= 400 && http.status < 500 && http.expose) {
    return domain(http.status, http.type ?? 'bad_request', http.message ?? 'Bad request');
  }
  return { statusCode: 500, error: 'Internal Server Error', message: 'Something went wrong on our side' };
}

function domain(status: HttpStatus, code: string, message: string): ErrorBody {
  return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', code, message };
}

@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const body = toErrorBody(error);
    if (body.statusCode >= 500) this.logger.error((error as Error).stack ?? String(error));
    const response = host.switchToHttp().getResponse<{
      status(code: number): { json(body: unknown): void };
      setHeader(name: string, value: string): void;
    }>();
    if (body.retryAfter) response.setHeader('Retry-After', String(body.retryAfter));
    response.status(body.statusCode).json(body);
  }
}
