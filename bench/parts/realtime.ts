import { createHmac, randomBytes } from 'node:crypto';
import { signVisitorToken } from '@parley/channels';
import type { Socket } from 'socket.io-client';
import type { BenchContext } from '../lib/context.js';
import { atRate, login } from '../lib/http.js';
import { figure, quantile, type Figure } from '../lib/results.js';
import { openSocket } from '../lib/sockets.js';
import { BENCH_ENV, freePort, rssMb, sleep, startChild, waitFor } from '../lib/stack.js';
import { agentSocket, apiSender, PHASE_SECONDS } from './ingest.js';

const RATE = Number(process.env.BENCH_REALTIME_RATE ?? '1000');
const SECONDS = Math.max(2, Math.round(PHASE_SECONDS / 2));

/**
 * The kinds of sockets held open on the api: agents (in the workspace room, so they get every
 * message) and web chat visitors (`/widget`, each in its own conversation's room).
 */
interface SocketKind {
  name: string;
  count: number;
  connect(context: BenchContext, count: number): Promise<Socket[]>;
  /** Whether its sockets are in the room the load's messages go to (the baseline puts them there too). */
  receives: boolean;
}

const KINDS: SocketKind[] = [
  { name: 'agent', count: 200, connect: connectAgents, receives: true },
  {
    name: 'widget',
    count: Number(process.env.BENCH_WIDGET_SOCKETS ?? '10000'),
    connect: connectWidgets,
    receives: false,
  },
];

/** Widget handshakes in flight at once while connecting. */
const WIDGET_CONNECTS_IN_FLIGHT = 32;

/** `count` agent sockets, spread over the seeded agents (4 each for 200). */
async function connectAgents(context: BenchContext, count: number): Promise<Socket[]> {
  const tokens = await Promise.all(
    context.meta.agentEmails.map((email) => login(context.stack.url, email, context.meta.password)),
  );
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i += 1)
    sockets.push(await agentSocket(context.stack.url, tokens[i % tokens.length]));
  return sockets;
}

/**
 * One visitor per seeded web chat conversation (the unresolved ones first, then the latest), made
 * once and kept: a `visitor` identity of the conversation's contact and a visitor message in the
 * conversation, which is how the widget finds a returning visitor's conversation. Then `count`
 * widget sockets, each with its visitor's signed token, so each joins its conversation's room.
 */
async function connectWidgets(context: BenchContext, count: number): Promise<Socket[]> {
  const inboxId = context.meta.inboxes.webchat;
  const { rows: inboxes } = await context.db.query<{ workspace_id: string; token: string }>(
    `SELECT workspace_id, config->>'websiteToken' AS token FROM inboxes WHERE id = $1`,
    [inboxId],
  );
  const { workspace_id: workspaceId, token: websiteToken } = inboxes[0];
  const { rows: picked } = await context.db.query<{ conversation_id: string; visitor_id: string }>(
    `SELECT id AS conversation_id, md5('bench-visitor-' || id)::uuid::text AS visitor_id
       FROM conversations
      WHERE workspace_id = $1 AND reply_inbox_id = $2 AND merged_into_id IS NULL
      ORDER BY status = 'resolved', last_message_at DESC, id
      LIMIT $3`,
    [workspaceId, inboxId, count],
  );
  await context.db.query(
    `INSERT INTO contact_identities (workspace_id, contact_id, kind, value, scope_inbox_id, verified, last_seen_at)
     SELECT c.workspace_id, c.contact_id, 'visitor', v.visitor_id, $2, false, now()
       FROM unnest($3::uuid[], $4::text[]) AS v(conversation_id, visitor_id)
       JOIN conversations c ON c.id = v.conversation_id AND c.workspace_id = $1
     ON CONFLICT DO NOTHING`,
    [workspaceId, inboxId, picked.map((r) => r.conversation_id), picked.map((r) => r.visitor_id)],
  );
  await context.db.query(
    `INSERT INTO messages (workspace_id, conversation_id, contact_id, inbox_id, identity_id, channel, direction,
                           sender_type, kind, body, external_id, status, created_at)
     SELECT c.workspace_id, c.id, c.contact_id, $2, i.id, 'webchat', 'in', 'contact', 'text',
            'Hello from the widget', 'bench-visitor-' || v.visitor_id, 'received', c.last_message_at
       FROM unnest($3::uuid[], $4::text[]) AS v(conversation_id, visitor_id)
       JOIN conversations c ON c.id = v.conversation_id AND c.workspace_id = $1
       JOIN contact_identities i ON i.workspace_id = $1 AND i.kind = 'visitor' AND i.value = v.visitor_id
                                AND i.scope_inbox_id = $2
     ON CONFLICT DO NOTHING`,
    [workspaceId, inboxId, picked.map((r) => r.conversation_id), picked.map((r) => r.visitor_id)],
  );
  // The key the api signs visitor tokens with (WebchatService), from the bench's fixed JWT secret.
  const visitorKey = createHmac('sha256', BENCH_ENV.JWT_SECRET).update('parley:widget-visitor').digest('hex');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const sockets: Socket[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: WIDGET_CONNECTS_IN_FLIGHT }, async () => {
      while (next < picked.length) {
        const { visitor_id: visitorId } = picked[next++];
        const visitorToken = signVisitorToken(visitorKey, { inboxId, visitorId, exp });
        // `session` comes once the handshake joined the visitor's rooms.
        sockets.push(
          await openSocket(`${context.stack.url}/widget`, { websiteToken, visitorToken }, 'session'),
        );
      }
    }),
  );
  if (sockets.length < count)
    context.log(`  only ${sockets.length} seeded web chat conversations for ${count} widget sockets`);
  return sockets;
}

/** Records arrival − createdAt (same host clock) of every `message.created` on every socket. */
function record(sockets: Socket[]): { latencies: number[]; stop(): void } {
  const latencies: number[] = [];
  const listener = (payload: { message?: { createdAt?: string } }) => {
    const created = Date.parse(payload.message?.createdAt ?? '');
    if (!Number.isNaN(created)) latencies.push(Date.now() - created);
  };
  for (const socket of sockets) socket.on('message.created', listener);
  return { latencies, stop: () => sockets.forEach((s) => s.off('message.created', listener)) };
}

/**
 * The same clients on a bare socket.io server broadcasting the same rate: `receivers` in the
 * broadcast room (as the agents are), the other `idle` each in a room of its own (as the widgets).
 */
async function baseline(receivers: number, idle: number) {
  const port = await freePort();
  const server = startChild('socket baseline', 'dist/bench/baseline/socket-server.js', {
    BENCH_PORT: String(port),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(url)).ok, 'the baseline socket server');
    const before = server.rssMb();
    const count = receivers + idle;
    const sockets: Socket[] = [];
    for (let i = 0; i < count; i += 1) {
      const room = i < receivers ? 'room' : `idle-${i}`;
      sockets.push(await openSocket(url, { room }));
    }
    await sleep(1_000);
    const perConnectionKb = ((server.rssMb() - before) * 1024) / count;
    const recording = record(sockets.slice(0, receivers));
    await sockets[0].timeout(SECONDS * 1000 + 30_000).emitWithAck('start', { rate: RATE, seconds: SECONDS });
    await sleep(2_000);
    recording.stop();
    sockets.forEach((s) => s.disconnect());
    return {
      perConnectionKb,
      p99: quantile(recording.latencies, 0.99),
      delivered: recording.latencies.length,
    };
  } finally {
    await server.stop();
  }
}

/** Sockets held on one api process: memory per connection, and delivery p99 of messages at RATE/s. */
export async function realtime(context: BenchContext): Promise<Figure[]> {
  const receiving = KINDS.filter((kind) => kind.receives).reduce((sum, kind) => sum + kind.count, 0);
  const total = KINDS.reduce((sum, kind) => sum + kind.count, 0);
  const bare = await baseline(receiving, total - receiving);
  context.log(`  baseline: ${bare.perConnectionKb.toFixed(1)} KB/connection, p99 ${bare.p99} ms`);

  const apiPid = context.stack.api.process.pid ?? 0;
  const before = rssMb(apiPid);
  const opened = new Map<SocketKind, Socket[]>();
  for (const kind of KINDS) opened.set(kind, await kind.connect(context, kind.count));
  const sockets = [...opened.values()].flat();
  const receivers = KINDS.filter((kind) => kind.receives).flatMap((kind) => opened.get(kind) ?? []);
  await sleep(2_000);
  const after = rssMb(apiPid);
  const perConnectionKb = ((after - before) * 1024) / sockets.length;
  const recording = record(receivers);
  const sender = apiSender(context, randomBytes(4).toString('hex'));
  const { sent, skipped } = await atRate(RATE, SECONDS, (i) => sender.send(i));
  await sleep(5_000);
  recording.stop();
  sockets.forEach((s) => s.disconnect());

  const expected = sent * receivers.length;
  const kinds = `${KINDS.map((k) => `${opened.get(k)?.length ?? 0} ${k.name}`).join(' + ')} sockets`;
  return [
    figure('realtime memory per connection', perConnectionKb, 'KB', {
      baseline: bare.perConnectionKb,
      note: kinds,
    }),
    figure('realtime api RSS with sockets', after, 'MB', { goal: { below: 1536 }, note: kinds }),
    figure(`realtime delivery p99 at ${RATE}/s`, quantile(recording.latencies, 0.99), 'ms', {
      baseline: bare.p99,
      goal: { below: 50 },
      note: `${recording.latencies.length} of ${expected} deliveries (${sent} messages × ${receivers.length} agent sockets, the widget sockets connected beside them${
        skipped ? `; ${skipped} messages not sent: the api was slower than ${RATE}/s` : ''
      }); baseline ${bare.delivered}`,
    }),
  ];
}
