import { Logger, UseFilters, UsePipes } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { DefaultEventsMap, Namespace, Socket } from 'socket.io';
import { AppConfig } from '@parley/config';
import { CalendarsService } from '@parley/reporting';
import {
  InboxError,
  InboxErrorCode,
  WebchatRefusal,
  WebchatService,
  type WebchatSession,
} from '@parley/inbox';
import {
  AGENT_NAMESPACE,
  rooms,
  WIDGET_NAMESPACE,
  widgetRooms,
  type AgentEmitMap,
  type WidgetEmitMap,
  type WidgetHello,
} from '@parley/realtime';
import { validationPipe } from '../common/validation.js';
import { WsErrorFilter } from '../realtime/ws-error.filter.js';
import { MinuteLimiter } from './widget-rate-limiter.js';
import {
  ContactUpdateDto,
  ReadDto,
  SyncDto,
  VisitorMessageDto,
  VisitorTypingDto,
} from './widget-socket.dto.js';

interface WidgetSocketData {
  session: WebchatSession;
  /** Sent to the browser once connected (fresh expiry on every connection). */
  hello: WidgetHello;
}

type WidgetSocket = Socket<DefaultEventsMap, WidgetEmitMap, DefaultEventsMap, WidgetSocketData>;

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * `/widget`: website visitors. The handshake carries `auth: { websiteToken, visitorToken?,
 * identifier?, identifierHash?, name?, email? }`; a refused one gets `connect_error` with the reason.
 */
@WebSocketGateway({ namespace: WIDGET_NAMESPACE })
@UseFilters(WsErrorFilter)
@UsePipes(validationPipe)
export class WidgetGateway implements OnGatewayInit, OnGatewayConnection {
  private readonly logger = new Logger(WidgetGateway.name);
  @WebSocketServer() private readonly namespace: Namespace;
  private readonly sessionLimiter: MinuteLimiter;
  private readonly messageLimiter: MinuteLimiter;

  constructor(
    private readonly webchat: WebchatService,
    private readonly calendars: CalendarsService,
    config: AppConfig,
  ) {
    this.sessionLimiter = new MinuteLimiter(config.env.WIDGET_SESSION_RATE_LIMIT_PER_MINUTE);
    this.messageLimiter = new MinuteLimiter(config.env.WIDGET_MESSAGE_RATE_LIMIT_PER_MINUTE);
  }

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      void this.admit(socket as WidgetSocket)
        .then(() => next())
        .catch((error: Error) => {
          if (!(error instanceof WebchatRefusal)) this.logger.error(error.stack ?? error.message);
          next(error instanceof WebchatRefusal ? error : new Error('the chat is unavailable; retry later'));
        });
    });
  }

  private async admit(socket: WidgetSocket): Promise<void> {
    const auth = socket.handshake.auth as Record<string, unknown>;
    const opened = await this.webchat.open({
      websiteToken: text(auth.websiteToken) ?? '',
      visitorToken: text(auth.visitorToken),
      identifier: text(auth.identifier),
      identifierHash: text(auth.identifierHash),
      name: text(auth.name),
      email: text(auth.email),
      origin: socket.handshake.headers.origin ?? null,
    });
    if (opened.isNewVisitor && !this.sessionLimiter.take(socket.handshake.address))
      throw new WebchatRefusal('too many new chats from this address; retry in a minute');
    const { session } = opened;
    const [settings, online] = await Promise.all([
      this.webchat.settings(session, opened.settings),
      this.calendars.isOpen(session.workspaceId, { inboxId: session.inboxId, teamId: null }),
    ]);
    socket.data.session = session;
    socket.data.hello = {
      visitorToken: opened.visitorToken,
      visitorId: session.visitorId,
      verified: Boolean(session.verifiedIdentifier),
      online,
      ...settings,
    };
    const conversationId = await this.webchat.currentConversationId(session);
    await socket.join([
      ...(conversationId ? [rooms.conversation(conversationId)] : []),
      widgetRooms.visitor(session.visitorId),
      ...(session.verifiedIdentifier
        ? [widgetRooms.verified(session.inboxId, session.verifiedIdentifier)]
        : []),
    ]);
  }

  handleConnection(socket: WidgetSocket): void {
    // The widget stores the (refreshed) visitor token and shows the settings.
    socket.emit('session', socket.data.hello);
  }

  @SubscribeMessage('message.send')
  async send(@ConnectedSocket() socket: WidgetSocket, @MessageBody() body: VisitorMessageDto) {
    if (!this.messageLimiter.take(socket.handshake.address))
      throw new InboxError(InboxErrorCode.InvalidInput, 'too many messages; retry in a minute');
    const message = await this.webchat.send(socket.data.session, body);
    // The conversation's state changes (resolved, reopened) reach this widget from now on.
    const conversationId = await this.webchat.currentConversationId(socket.data.session);
    if (conversationId) await socket.join(rooms.conversation(conversationId));
    // The visitor's other tabs (and devices, when verified) show it too.
    socket.to(this.roomsOf(socket.data.session)).emit('message', { message });
    return { ok: true, message };
  }

  @SubscribeMessage('messages.sync')
  async sync(@ConnectedSocket() socket: WidgetSocket, @MessageBody() body: SyncDto) {
    return { ok: true, messages: await this.webchat.history(socket.data.session, body.after) };
  }

  @SubscribeMessage('typing')
  async typing(@ConnectedSocket() socket: WidgetSocket, @MessageBody() body: VisitorTypingDto) {
    const conversationId = await this.webchat.currentConversationId(socket.data.session);
    if (!conversationId) return { ok: true };
    // Ephemeral, like agents' typing: straight to the agents watching, dropped under congestion.
    const agents = this.namespace.server.of(AGENT_NAMESPACE) as unknown as Namespace<
      DefaultEventsMap,
      AgentEmitMap
    >;
    agents.volatile
      .to(rooms.conversation(conversationId))
      .emit('typing', { conversationId, userId: '', state: body.state });
    return { ok: true };
  }

  @SubscribeMessage('read')
  async read(@ConnectedSocket() socket: WidgetSocket, @MessageBody() body: ReadDto) {
    return { ok: true, updated: await this.webchat.markRead(socket.data.session, body.upTo) };
  }

  @SubscribeMessage('contact.update')
  async updateContact(@ConnectedSocket() socket: WidgetSocket, @MessageBody() body: ContactUpdateDto) {
    await this.webchat.updateDetails(socket.data.session, body);
    return { ok: true };
  }

  private roomsOf(session: WebchatSession): string[] {
    return session.verifiedIdentifier
      ? [widgetRooms.verified(session.inboxId, session.verifiedIdentifier)]
      : [widgetRooms.visitor(session.visitorId)];
  }
}
