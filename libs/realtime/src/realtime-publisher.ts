import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { AppConfig } from '@parley/config';
import type { AgentServerEvents } from './agent-events.js';
import { AGENT_NAMESPACE } from './rooms.js';
import { WIDGET_NAMESPACE, widgetEventOf, type WidgetServerEvents } from './widget-events.js';

export interface RealtimeEnvelope<E extends keyof AgentServerEvents = keyof AgentServerEvents> {
  event: E;
  rooms: string[];
  payload: AgentServerEvents[E];
}

/**
 * Publishes to socket.io rooms through Redis, so the worker and every api process reach every
 * connected socket (the api processes run the matching redis adapter).
 */
@Injectable()
export class RealtimePublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(RealtimePublisher.name);
  private readonly redis: Redis;
  private readonly emitter: Emitter;
  private readonly widgetEmitter: Emitter;
  private closing = false;

  constructor(config: AppConfig) {
    // Auto-pipelining: the publishes of one relay pass leave in one write.
    this.redis = new Redis(config.env.REDIS_URL, {
      maxRetriesPerRequest: 2,
      lazyConnect: false,
      enableAutoPipelining: true,
    });
    this.redis.on('error', (error: Error) => this.logger.warn(`redis: ${error.message}`));
    // The emitter drops the promise of its PUBLISH: when the connection goes between `ensureReady`
    // and the command, its rejection would be unhandled and end the process.
    const client = {
      publish: (channel: string, message: string | Buffer) =>
        this.redis
          .publish(channel, message)
          .catch((error: Error) => this.logger.warn(`redis: a publish was lost: ${error.message}`)),
    };
    const root = new Emitter(client, { key: `${config.env.REDIS_PREFIX}:socket.io` });
    this.emitter = root.of(AGENT_NAMESPACE);
    this.widgetEmitter = root.of(WIDGET_NAMESPACE);
  }

  /** Throws while Redis is not connected, so the outbox keeps the event for the next sweep. */
  publish<E extends keyof AgentServerEvents>(envelope: RealtimeEnvelope<E>): void {
    if (envelope.rooms.length === 0) return;
    this.ensureReady();
    this.emitter.to(envelope.rooms).emit(envelope.event, envelope.payload);
    // Web chat visitors see their conversation's state change too (never notes, assignments, …).
    const widget = widgetEventOf(envelope.event, envelope.payload);
    if (widget) this.widgetEmitter.to(widget.rooms).emit('conversation.status', widget.payload);
  }

  /** To web chat widgets (`/widget` rooms); throws while Redis is not connected, so a delivery is retried. */
  publishToWidgets<E extends keyof WidgetServerEvents>(
    roomNames: string[],
    event: E,
    payload: WidgetServerEvents[E],
  ): void {
    if (roomNames.length === 0) return;
    this.ensureReady();
    this.widgetEmitter.to(roomNames).emit(event, payload);
  }

  /** Disconnects every `/agent` socket in these rooms, on every api process (revoked sessions). */
  disconnectAgents(roomNames: string[]): void {
    if (roomNames.length === 0) return;
    this.ensureReady();
    this.emitter.in(roomNames).disconnectSockets(true);
  }

  private ensureReady(): void {
    if (this.closing || this.redis.status !== 'ready')
      throw new Error(`redis is ${this.closing ? 'closing' : this.redis.status}`);
  }

  /**
   * Closed after every module's onModuleDestroy (the outbox relay finishes its pass there): a
   * publish after QUIT would be rejected inside the emitter, where no caller can handle it.
   */
  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.redis.quit().catch(() => undefined);
  }
}
