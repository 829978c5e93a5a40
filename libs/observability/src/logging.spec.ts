import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import {
  currentLogContext,
  logJobContext,
  ParleyLogger,
  requestIdFrom,
  requestIdMiddleware,
  scrubSecrets,
  withLogContext,
} from './logging.js';

function capture(logger: ParleyLogger, write: () => void): string[] {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const errors = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    write();
  } finally {
    spy.mockRestore();
    errors.mockRestore();
  }
  return lines;
}

describe('ParleyLogger', () => {
  it('writes one JSON object per line with level, context, service and the request id of the async context', () => {
    const logger = new ParleyLogger({ format: 'json', level: 'log', service: 'api' });
    const [line] = capture(logger, () =>
      withLogContext({ requestId: 'req-1' }, () => logger.log('hello', 'Test')),
    );
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toMatchObject({
      level: 'log',
      service: 'api',
      context: 'Test',
      message: 'hello',
      requestId: 'req-1',
      pid: process.pid,
    });
    expect(JSON.parse(line).time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('honours the level and never prints tokens, API keys or passwords', () => {
    const logger = new ParleyLogger({ format: 'json', level: 'warn' });
    const lines = capture(logger, () => {
      logger.log('dropped: below the level');
      logger.warn(
        'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl failed',
        'Auth',
      );
      logger.error({ apiKey: 'pk_live_0123456789abcdef', nested: { password: 'hunter22' } });
      logger.warn('connect postgres://parley:s3cret@db:5432/parley with api_key=pk_abcdefgh1234 failed');
    });
    expect(lines).toHaveLength(3);
    const all = lines.join('');
    for (const secret of [
      'eyJhbGciOiJIUzI1NiJ9',
      'pk_live_0123456789abcdef',
      'hunter22',
      's3cret',
      'pk_abcdefgh1234',
    ])
      expect(all).not.toContain(secret);
    expect(all).toContain('[REDACTED]');
    expect(scrubSecrets('retry with token=abc123&x=1')).toBe('retry with token=[redacted]&x=1');
    expect(scrubSecrets('{"imapPassword":"p4ss"}')).toBe('{"imapPassword":"[redacted]"}');
  });

  it('tags pretty lines with the request id', () => {
    const logger = new ParleyLogger({ format: 'pretty', level: 'log' });
    const [line] = capture(logger, () => withLogContext({ requestId: 'abc' }, () => logger.log('hi', 'Ctx')));
    expect(line).toContain('[Ctx] (abc) hi');
  });
});

describe('request ids', () => {
  it('keeps a well-formed incoming id and replaces a missing or hostile one', () => {
    expect(requestIdFrom('edge-7f3a:1')).toBe('edge-7f3a:1');
    expect(requestIdFrom(undefined)).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom('has spaces\nand "quotes"')).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom('x'.repeat(200))).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('echoes the id, binds it to the handler and logs one access line without the query', () => {
    const logger = new ParleyLogger({ format: 'json', level: 'log' });
    Logger.overrideLogger(logger);
    const headers: Record<string, string> = {};
    const response = new EventEmitter();
    const setHeader = (name: string, value: string) => (headers[name] = value);
    let seen: string | undefined;
    const lines = capture(logger, () => {
      requestIdMiddleware()(
        {
          method: 'GET',
          url: '/webhooks/meta?hub.verify_token=secret-value',
          headers: { 'x-request-id': 'r-42' },
        },
        Object.assign(response, { statusCode: 204, setHeader }),
        () => (seen = currentLogContext()?.requestId),
      );
      response.emit('finish');
    });
    Logger.overrideLogger(false);
    expect(headers['X-Request-Id']).toBe('r-42');
    expect(seen).toBe('r-42');
    const access = JSON.parse(lines.at(-1)!);
    expect(access).toMatchObject({ context: 'Http', requestId: 'r-42' });
    expect(access.message).toMatch(/^GET \/webhooks\/meta 204 [\d.]+ms$/);
  });
});

describe('job log context', () => {
  it('gives the lines a processor logs the queue and id of the job it handles, once however often applied', async () => {
    class Processor {
      async process(job: { id?: string; queueName: string; data: number }): Promise<unknown> {
        await Promise.resolve();
        return { context: currentLogContext(), data: job.data };
      }
    }
    logJobContext([Processor]);
    logJobContext([Processor]);
    const result = await new Processor().process({ id: '42', queueName: 'delivery', data: 7 });
    expect(result).toEqual({ context: { queue: 'delivery', jobId: '42' }, data: 7 });
    expect(currentLogContext()).toBeUndefined();
  });
});
