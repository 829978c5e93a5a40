import { Catch, Logger, type ArgumentsHost, type WsExceptionFilter } from '@nestjs/common';
import type { Socket } from 'socket.io';
import type { AgentServerEvents } from '@parley/realtime';
import { toErrorBody } from '../common/domain-error.filter.js';

/** Any failure of a socket message becomes an `error` event; the connection stays open. */
@Catch()
export class WsErrorFilter implements WsExceptionFilter {
  private readonly logger = new Logger('SocketError');

  catch(error: unknown, host: ArgumentsHost): void {
    const ws = host.switchToWs();
    const socket = ws.getClient<Socket>();
    const body = toErrorBody(error);
    if (body.statusCode >= 500) this.logger.error((error as Error).stack ?? String(error));
    const payload: AgentServerEvents['error'] = {
      event: ws.getPattern(),
      message: body.message,
      ...(body.details ? { details: body.details } : {}),
    };
    socket.emit('error', payload);
    // A client waiting on an acknowledgement gets the failure there too, instead of a timeout.
    const ack = host.getArgs().find((arg): arg is (response: unknown) => void => typeof arg === 'function');
    ack?.({ ok: false, error: payload });
  }
}
