import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { ConsoleLogger, Logger, type LogLevel } from '@nestjs/common';

/** What every log line written while handling one request (or job) carries. */
export interface LogContext {
  requestId?: string;
  jobId?: string;
  queue?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `context` attached to every log line it (and whatever it awaits) writes. */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, fn);
}

export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

// Printable, bounded, no spaces or quotes: safe to echo back and to put in a log line.
const VALID_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** An incoming `X-Request-Id` if it is well-formed, else a fresh UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && VALID_REQUEST_ID.test(value) ? value : randomUUID();
}

interface MinimalRequest {
  method: string;
  originalUrl?: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  route?: { path?: string };
}
interface MinimalResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  once(event: 'finish', listener: () => void): unknown;
}

const accessLog = new Logger('Http');

/**
 * Express middleware: gives the request an id (a valid incoming `X-Request-Id`, else a new UUID),
 * echoes it in the response, binds it to the log context of everything that handles it and writes
 * one access line when the response is sent (route pattern, never the query, which may hold tokens).
 */
export function requestIdMiddleware() {
  return (request: MinimalRequest & { id?: string }, response: MinimalResponse, next: () => void): void => {
    const requestId = requestIdFrom(request.headers['x-request-id']);
    request.id = requestId;
    response.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    response.once('finish', () =>
      withLogContext({ requestId }, () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        // The route pattern when one matched: paths can carry tokens (public survey links).
        const path = request.route?.path ?? (request.originalUrl ?? request.url).split('?')[0];
        accessLog.log(`${request.method} ${path} ${response.statusCode} ${ms.toFixed(1)}ms`);
      }),
    );
    withLogContext({ requestId }, next);
  };
}

// Values that must never reach a log line, whatever message they hide in.
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]'],
  [/\bpk_[A-Za-z0-9_-]{8,}/g, 'pk_[redacted]'],
  [
    /\b(password|passwd|secret|token|api[_-]?key|authorization|imapPassword|authToken|accessToken)(["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi,
    '$1$2[redacted]',
  ],
  [/(\/\/[^/\s:@]+:)[^@\s/]+@/g, '$1[redacted]@'],
];

/** Masks tokens, API keys, passwords and URL credentials in a log message. */
export function scrubSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

// Object keys masked wherever they appear in logged objects (Nest's redactor).
const REDACTED_KEYS = [
  'password',
  'imapPassword',
  'token',
  'accessToken',
  'authToken',
  'apiKey',
  'secret',
  'secrets',
  'authorization',
  'cookie',
];

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

export interface ParleyLoggerOptions {
  format: 'json' | 'pretty';
  /** The most verbose level printed. */
  level: LogLevel;
  /** Service name on every JSON line (`api`, `worker`). */
  service?: string;
}

/**
 * The process logger: Nest's ConsoleLogger in JSON (one object per line) or pretty mode, plus the
 * request/job id of the current async context and secret masking. Used by api and worker alike.
 */
export class ParleyLogger extends ConsoleLogger {
  private readonly service?: string;

  constructor(options: ParleyLoggerOptions) {
    super({
      json: options.format === 'json',
      colors: options.format === 'pretty' && Boolean(process.stdout.isTTY),
      logLevels: LEVELS.slice(0, LEVELS.indexOf(options.level) + 1),
      redact: REDACTED_KEYS,
    });
    this.service = options.service;
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
    params?: Record<string, unknown>,
  ): void {
    const scrubbed = messages.map((message) =>
      typeof message === 'string' ? scrubSecrets(message) : message,
    );
    const stack = typeof errorStack === 'string' ? scrubSecrets(errorStack) : errorStack;
    super.printMessages(scrubbed, context, logLevel, writeStreamType, stack, params);
  }

  protected override getJsonLogObject(
    message: unknown,
    options: Parameters<ConsoleLogger['getJsonLogObject']>[1],
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const record = super.getJsonLogObject(message, options);
    return {
      time: new Date(record.timestamp).toISOString(),
      ...(this.service ? { service: this.service } : {}),
      ...record,
      ...currentLogContext(),
    };
  }

  protected override formatContext(context: string): string {
    const ids = currentLogContext();
    const tag = ids?.requestId ?? (ids?.jobId ? `${ids.queue ?? 'job'}#${ids.jobId}` : undefined);
    return super.formatContext(context) + (tag ? `(${tag}) ` : '');
  }
}

interface JobLike {
  id?: string;
  queueName: string;
}

const withJobContext = new WeakSet<object>();

/**
 * Makes every line logged while a BullMQ processor handles a job carry the job's `queue` and
 * `jobId`. Wraps `process` on the classes' prototypes once (before the workers are created).
 */
export function logJobContext(processors: ReadonlyArray<{ prototype: object }>): void {
  for (const { prototype } of processors) {
    if (withJobContext.has(prototype)) continue;
    withJobContext.add(prototype);
    const target = prototype as { process: (this: unknown, job: JobLike, ...rest: unknown[]) => unknown };
    const original = target.process;
    target.process = function (this: unknown, job: JobLike, ...rest: unknown[]) {
      return withLogContext({ queue: job.queueName, jobId: job.id }, () => original.call(this, job, ...rest));
    };
  }
}
