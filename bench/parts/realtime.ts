import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { BenchContext } from '../lib/context.js';
import { atRate, login } from '../lib/http.js';
import { figure, quantile, type Figure } from '../lib/results.js';
import { freePort, rssMb, sleep, startChild, waitFor } from '../lib/stack.js';
import { agentSocket, apiSender, PHASE_SECONDS } from './ingest.js';

const RATE = Number(process.env.BENCH_REALTIME_RATE ?? '1000');
const SECONDS = Math.max(2, Math.round(PHASE_SECONDS / 2));

/**
 * The kinds of sockets held open on the api. Widget sockets (`/widget`, one per visitor, in its
 * conversation room) are not on main yet: when they land, give `widget` a `connect` that opens
 * `count` of them (each joined to a seeded conversation) and the figures below include them.
 */
interface SocketKind {
  name: string;
  count: number;
  connect: ((context: BenchContext, count: number) => Promise<Socket[]>) | null;
}

const KINDS: SocketKind[] = [
  { name: 'agent', count: 200, connect: connectAgents },
  { name: 'widget', count: 10_000, connect: null },
];

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

/** The same number of clients on a bare socket.io server broadcasting the same rate. */
async function baseline(count: number) {
  const port = await freePort();
  const server = startChild('socket baseline', 'dist/bench/baseline/socket-server.js', {
    BENCH_PORT: String(port),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(url)).ok, 'the baseline socket server');
    const before = server.rssMb();
    const sockets: Socket[] = [];
    for (let i = 0; i < count; i += 1) {
      const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      sockets.push(socket);
    }
    await sleep(1_000);
    const perConnectionKb = ((server.rssMb() - before) * 1024) / count;
    const recording = record(sockets);
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
  const open = KINDS.filter((kind) => kind.connect);
  const missing = KINDS.filter((kind) => !kind.connect);
  const total = open.reduce((sum, kind) => sum + kind.count, 0);
  const bare = await baseline(total);
  context.log(`  baseline: ${bare.perConnectionKb.toFixed(1)} KB/connection, p99 ${bare.p99} ms`);

  const apiPid = context.stack.api.process.pid ?? 0;
  const before = rssMb(apiPid);
  const sockets: Socket[] = [];
  for (const kind of open) sockets.push(...(await kind.connect!(context, kind.count)));
  await sleep(2_000);
  const after = rssMb(apiPid);
  const perConnectionKb = ((after - before) * 1024) / total;
  const recording = record(sockets);
  const sender = apiSender(context, randomBytes(4).toString('hex'));
  const { sent, skipped } = await atRate(RATE, SECONDS, (i) => sender.send(i));
  await sleep(5_000);
  recording.stop();
  sockets.forEach((s) => s.disconnect());

  const expected = sent * total;
  const kinds = `${open.map((k) => `${k.count} ${k.name}`).join(' + ')} sockets${
    missing.length
      ? `; not measured: ${missing.map((k) => `${k.count} ${k.name}`).join(', ')} (namespace not on main)`
      : ''
  }`;
  return [
    figure('realtime memory per connection', perConnectionKb, 'KB', {
      baseline: bare.perConnectionKb,
      note: kinds,
    }),
    figure('realtime api RSS with sockets', after, 'MB', { goal: { below: 1536 }, note: kinds }),
    figure(`realtime delivery p99 at ${RATE}/s`, quantile(recording.latencies, 0.99), 'ms', {
      baseline: bare.p99,
      goal: { below: 50 },
      note: `${recording.latencies.length} of ${expected} deliveries (${sent} messages × ${total} sockets${
        skipped ? `; ${skipped} messages not sent: the api was slower than ${RATE}/s` : ''
      }); baseline ${bare.delivered}`,
    }),
  ];
}
