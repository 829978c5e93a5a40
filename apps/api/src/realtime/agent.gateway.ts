import { Logger, UseFilters, UsePipes, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { DefaultEventsMap, Namespace, Socket } from 'socket.io';
import { AuthService, hasRole, MembersService, TeamsService, type Principal } from '@parley/accounts';
import { AppConfig } from '@parley/config';
import { AssignmentService, ConversationsService, DeliveryService } from '@parley/inbox';
import { lifecycle, Metrics } from '@parley/observability';
import { AGENT_NAMESPACE, PresenceStore, rooms, type AgentEmitMap } from '@parley/realtime';
import { validationPipe } from '../common/validation.js';
import { ConversationRoomDto, TypingDto } from './agent-socket.dto.js';
import { agentOriginAllowed } from './socket-origin.js';
import { WsErrorFilter } from './ws-error.filter.js';

interface AgentSocketData {
  principal: Principal;
  token: string;
  /** The conversation rooms the socket was in when it started disconnecting. */
  viewing?: string[];
}

const isConversationRoom = (room: string) => room.startsWith(rooms.conversation(''));
const conversationIdOf = (room: string) => room.slice(rooms.conversation('').length);

/** A handshake refusal: socket.io hands `message` and `data` to the client's `connect_error`. */
function refusal(message: string, reason: string): Error {
  return Object.assign(new Error(message), { data: { reason } });
}

type AgentSocket = Socket<DefaultEventsMap, AgentEmitMap, DefaultEventsMap, AgentSocketData>;

/** `/agent`: members connect with their JWT (`auth.token`), get workspace/team/personal rooms, join conversations. */
@WebSocketGateway({ namespace: AGENT_NAMESPACE })
@UseFilters(WsErrorFilter)
@UsePipes(validationPipe)
export class AgentGateway implements OnGatewayInit, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger(AgentGateway.name);
  private readonly leaving = new Set<Promise<void>>();
  /** Set when the app closes: the Redis adapter goes away, so no more room-wide lookups. */
  private closing = false;
  @WebSocketServer() private readonly namespace: Namespace;

  constructor(
    private readonly auth: AuthService,
    private readonly teams: TeamsService,
    private readonly conversations: ConversationsService,
    private readonly presence: PresenceStore,
    private readonly delivery: DeliveryService,
    private readonly members: MembersService,
    private readonly assignment: AssignmentService,
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      void this.admit(socket as AgentSocket)
        .then(() => next())
        .catch((error: Error) => next(error));
    });
  }

  private async admit(socket: AgentSocket): Promise<void> {
    const { origin, host } = socket.handshake.headers;
    if (!agentOriginAllowed(origin, host, this.config))
      throw refusal(
        'origin not allowed',
        `Origin ${origin?.slice(0, 200)} is neither PUBLIC_URL nor in CORS_ORIGINS`,
      );
    const auth = socket.handshake.auth as { token?: unknown };
    const header = socket.handshake.headers.authorization?.replace(/^Bearer /i, '');
    const token = typeof auth.token === 'string' ? auth.token : header;
    const check = token ? await this.auth.checkToken(token) : null;
    if (!check || !('principal' in check) || !check.principal.userId)
      // The web app keys on the message; the reason travels in `data`.
      throw refusal(
        'unauthorized',
        check && 'refused' in check ? check.refused : 'A member token is required',
      );
    const principal = check.principal as Principal & { userId: string };
    socket.data.principal = principal;
    this.metrics.sockets.inc();
    // Rooms are already left by the time `disconnect` fires: remember which conversations to update.
    socket.on('disconnecting', () => {
      socket.data.viewing = [...socket.rooms].filter(isConversationRoom).map(conversationIdOf);
    });
    socket.data.token = token ?? '';
    const teamIds = await this.teams.teamIdsOf(principal.workspaceId, principal.userId);
    await socket.join([
      rooms.workspace(principal.workspaceId),
      rooms.agent(principal.userId),
      ...(check.tokenId ? [rooms.session(check.tokenId)] : []),
      ...teamIds.map(rooms.team),
      ...(hasRole(principal, 'supervisor') ? [rooms.supervisors(principal.workspaceId)] : []),
    ]);
    if (await this.presence.connected(principal.workspaceId, principal.userId)) {
      // Opening the inbox makes an offline agent available (busy stays busy), and may bring work. The
      // availability is saved before `presence` goes out, so clients that reload members on it see it.
      const member = await this.members.get(principal.workspaceId, principal.userId);
      if (member.availability === 'offline') {
        await this.members.update(principal.workspaceId, principal.userId, { availability: 'online' });
      }
      this.namespace
        .to(rooms.workspace(principal.workspaceId))
        .emit('presence', { userId: principal.userId, status: 'online' });
      if (member.availability === 'offline') await this.assignment.requestSweep(principal.workspaceId);
    }
  }

  async handleDisconnect(socket: AgentSocket): Promise<void> {
    const done = this.forget(socket);
    this.leaving.add(done);
    await done.finally(() => this.leaving.delete(done));
  }

  /** Resolves once the presence bookkeeping of every closed socket is written (a shutdown waits for it). */
  async settled(): Promise<void> {
    await Promise.all([...this.leaving]);
  }

  private async forget(socket: AgentSocket): Promise<void> {
    const principal = socket.data.principal as Principal | undefined;
    if (!principal?.userId) return;
    this.metrics.sockets.dec();
    for (const conversationId of socket.data.viewing ?? []) await this.announceViewers(conversationId);
    try {
      if (await this.presence.disconnected(principal.workspaceId, principal.userId)) {
        // This process is shutting down, the agent is not leaving: their app reconnects to another
        // api within seconds. If it does not, the idle sweep takes them offline later.
        if (lifecycle.draining) return;
        this.namespace
          .to(rooms.workspace(principal.workspaceId))
          .emit('presence', { userId: principal.userId, status: 'offline' });
        // The last tab closed: no new conversations until they are back (busy stays busy across a reload).
        const member = await this.members.get(principal.workspaceId, principal.userId);
        if (member.availability === 'online') {
          await this.members.update(principal.workspaceId, principal.userId, { availability: 'offline' });
          await this.assignment.releaseOffline(principal.workspaceId, principal.userId);
        }
      }
    } catch (error) {
      this.logger.warn(`presence update failed: ${(error as Error).message}`);
    }
  }

  @SubscribeMessage('conversation.join')
  async join(@ConnectedSocket() socket: AgentSocket, @MessageBody() body: ConversationRoomDto) {
    // Membership is checked again: a member removed since connecting loses the socket.
    if (!(await this.auth.principalFromToken(socket.data.token))) {
      socket.disconnect(true);
      return { ok: false, reason: 'unauthorized' };
    }
    // Throws not-found for another workspace's conversation, before any room is joined.
    await this.conversations.get(socket.data.principal.workspaceId, body.conversationId);
    await socket.join(rooms.conversation(body.conversationId));
    await this.announceViewers(body.conversationId);
    return { ok: true, conversationId: body.conversationId };
  }

  @SubscribeMessage('conversation.leave')
  async leave(@ConnectedSocket() socket: AgentSocket, @MessageBody() body: ConversationRoomDto) {
    // Only a socket in the room may leave it: anyone else (another workspace) must not make it announce.
    if (!socket.rooms.has(rooms.conversation(body.conversationId)))
      return { ok: false, reason: 'not in the conversation' };
    await socket.leave(rooms.conversation(body.conversationId));
    await this.announceViewers(body.conversationId);
    return { ok: true, conversationId: body.conversationId };
  }

  onModuleDestroy(): void {
    this.closing = true;
  }

  /** Tells a conversation's room which members have it open (across api processes), for the collision notice. */
  private async announceViewers(conversationId: string): Promise<void> {
    if (this.closing) return;
    const room = rooms.conversation(conversationId);
    try {
      const sockets = await this.namespace.in(room).fetchSockets();
      const userIds = [
        ...new Set(sockets.map((s) => (s.data as AgentSocketData).principal?.userId).filter((id) => !!id)),
      ];
      this.namespace.to(room).emit('conversation.viewers', { conversationId, userIds });
    } catch (error) {
      this.logger.warn(`viewers update failed: ${(error as Error).message}`);
    }
  }

  @SubscribeMessage('typing')
  typing(@ConnectedSocket() socket: AgentSocket, @MessageBody() body: TypingDto) {
    const room = rooms.conversation(body.conversationId);
    if (!socket.rooms.has(room)) return { ok: false, reason: 'join the conversation first' };
    socket.volatile.to(room).emit('typing', {
      conversationId: body.conversationId,
      userId: socket.data.principal.userId ?? '',
      state: body.state,
    });
    // Customers on channels that show typing (Messenger, Instagram) see it too.
    void this.delivery.mirrorTyping(
      socket.data.principal.workspaceId,
      body.conversationId,
      body.state === 'on',
    );
    return { ok: true };
  }
}
