import { createHash, randomBytes } from 'node:crypto';
import { signTwilioRequest } from '@parley/channels';
import type { Socket } from 'socket.io-client';
import type { BenchContext } from '../lib/context.js';
import { atRate, http, saturate } from '../lib/http.js';
import { openSocket } from '../lib/sockets.js';
import { figure, quantile, type Figure } from '../lib/results.js';
import { cpuMs, freePort, sleep, startChild, waitFor } from '../lib/stack.js';

/** Seconds of each load phase (BENCH_SECONDS, default 10). */
export const PHASE_SECONDS = Number(process.env.BENCH_SECONDS ?? '10');
const CONCURRENCY = 32;
const FIXED_RATE = 1000;
/** New customers per run: the first message of each opens a conversation, the rest join it. */
const CUSTOMERS = 1000;

/** One way a customer message comes in; `send` answers whether it was accepted (2xx). */
interface Sender {
  name: string;
  send(i: number): Promise<boolean>;
  /** The `externalId` its message will carry in `message.created`. */
  externalId(i: number): string;
}

/** A connected `/agent` socket (the bench listens for `message.created` on it). */
export function agentSocket(url: string, token: string): Promise<Socket> {
  return openSocket(`${url}/agent`, { token });
}

export function apiSender(context: BenchContext, run: string): Sender {
  const url = `${context.stack.url}/api/v1/inboxes/${context.meta.inboxes.api}/inbound`;
  const externalId = (i: number) => `bench-${run}-${i}`;
  return {
    name: 'api channel',
    externalId,
    async send(i) {
      const body = JSON.stringify({
        externalId: externalId(i),
        contact: { identifier: `load-${run}-${i % CUSTOMERS}` },
        body: `Load message ${i}: where is my order?`,
      });
      const result = await http('POST', url, {
        headers: { 'content-type': 'application/json', 'x-api-key': context.meta.apiKey },
        body,
      });
      return result.status >= 200 && result.status < 300;
    },
  };
}

function twilioSender(context: BenchContext, run: string): Sender {
  const path = `/webhooks/twilio/${context.meta.inboxes.sms}`;
  const publicUrl = `${context.stack.url}${path}`;
  const sid = (i: number) => `SM${createHash('md5').update(`${run}-${i}`).digest('hex')}`;
  const runNumber = Number.parseInt(run.slice(0, 4), 16) % 900;
  return {
    name: 'twilio',
    externalId: sid,
    async send(i) {
      const params = {
        MessageSid: sid(i),
        SmsMessageSid: sid(i),
        AccountSid: context.meta.twilioAccountSid,
        From: `+1777${String(runNumber).padStart(3, '0')}${String(i % CUSTOMERS).padStart(4, '0')}`,
        To: '+15005550006',
        Body: `Load message ${i}: where is my order?`,
        NumMedia: '0',
        SmsStatus: 'received',
        ApiVersion: '2010-04-01',
      };
      const result = await http('POST', publicUrl, {
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signTwilioRequest(context.meta.twilioAuthToken, publicUrl, params),
        },
        body: new URLSearchParams(params).toString(),
      });
      return result.status >= 200 && result.status < 300;
    },
  };
}

/** p50/p99 from the request leaving to `message.created` on the agent socket, at a fixed rate. */
async function endToEnd(sender: Sender, socket: Socket, offset: number) {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const listener = (payload: { message?: { externalId?: string | null } }) => {
    const started = sentAt.get(payload.message?.externalId ?? '');
    if (started !== undefined) {
      latencies.push(performance.now() - started);
      sentAt.delete(payload.message?.externalId ?? '');
    }
  };
  socket.on('message.created', listener);
  const { sent, skipped } = await atRate(FIXED_RATE, PHASE_SECONDS, (i) => {
    sentAt.set(sender.externalId(offset + i), performance.now());
    return sender.send(offset + i);
  });
  await waitFor(async () => Promise.resolve(sentAt.size === 0), 'the last events', 15_000).catch(
    () => undefined,
  );
  socket.off('message.created', listener);
  return { sent, skipped, latencies };
}

/** The bare baseline: req/s at saturation and HTTP latency at the fixed rate. */
async function baseline(context: BenchContext) {
  await context.db.query(
    `CREATE TABLE IF NOT EXISTS bench_ingest_baseline (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  );
  const port = await freePort();
  const server = startChild('ingest baseline', 'dist/bench/baseline/ingest-server.js', {
    BENCH_DATABASE_URL: context.options.databaseUrl,
    BENCH_PORT: String(port),
  });
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitFor(async () => (await http('GET', url)).status === 200, 'the baseline server');
    const post = async (i: number) => {
      const result = await http('POST', url, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ externalId: `baseline-${i}`, body: `Load message ${i}` }),
      });
      return result.status === 201 ? result.ms : null;
    };
    const rate = await saturate(CONCURRENCY, PHASE_SECONDS, async (i) => (await post(i)) !== null);
    const latencies: number[] = [];
    await atRate(FIXED_RATE, PHASE_SECONDS, async (i) => {
      const ms = await post(i);
      if (ms !== null) latencies.push(ms);
    });
    return { rate, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
  } finally {
    await server.stop();
    await context.db.query(`TRUNCATE bench_ingest_baseline`);
  }
}

/** Signed webhooks (API channel and Twilio) → committed → `message.created` on a connected agent socket. */
export async function ingest(context: BenchContext): Promise<Figure[]> {
  const bare = await baseline(context);
  context.log(`  baseline: ${bare.rate.toFixed(0)} req/s, p99 ${bare.p99.toFixed(1)} ms at ${FIXED_RATE}/s`);
  const socket = await agentSocket(context.stack.url, context.adminToken);
  const rows: Figure[] = [];
  try {
    for (const make of [apiSender, twilioSender]) {
      const sender = make(context, randomBytes(4).toString('hex'));
      const pids = [context.stack.api, context.stack.worker].map((child) => child.process.pid ?? 0);
      const cpuBefore = pids.map(cpuMs);
      let accepted = 0;
      const rate = await saturate(CONCURRENCY, PHASE_SECONDS, async (i) => {
        const ok = await sender.send(i);
        if (ok) accepted += 1;
        return ok;
      });
      const [apiCpu, workerCpu] = pids.map((pid, k) => (cpuMs(pid) - cpuBefore[k]) / Math.max(1, accepted));
      context.log(`  ${sender.name}: ${rate.toFixed(0)} messages/s at saturation`);
      await sleep(2_000);
      const { sent, skipped, latencies } = await endToEnd(sender, socket, 10_000_000);
      const note = `${latencies.length} of ${sent} delivered to the socket${
        skipped ? `; ${skipped} not sent (over 256 in flight: the api was slower than ${FIXED_RATE}/s)` : ''
      }`;
      rows.push(
        figure(`ingest ${sender.name} sustained`, rate, 'msg/s', {
          baseline: bare.rate,
          goal: { atLeast: 2000 },
        }),
        figure(`ingest ${sender.name} CPU per message, api`, apiCpu, 'ms', {
          note: 'at saturation; /proc user+system time over accepted messages',
        }),
        figure(`ingest ${sender.name} CPU per message, worker`, workerCpu, 'ms', {
          note: 'at saturation (jobs the messages cause: metrics, assignment, automation)',
        }),
        figure(`ingest ${sender.name} e2e p50 at ${FIXED_RATE}/s`, quantile(latencies, 0.5), 'ms', {
          baseline: bare.p50,
          note,
        }),
        figure(
          `ingest ${sender.name} e2e p99 at ${FIXED_RATE}/s`,
          latencies.length < sent ? null : quantile(latencies, 0.99),
          'ms',
          {
            baseline: bare.p99,
            goal: { below: 100 },
            note:
              latencies.length < sent
                ? `${note}; p99 of those ${quantile(latencies, 0.99).toFixed(0)} ms`
                : note,
          },
        ),
      );
      await sleep(2_000);
    }
  } finally {
    socket.disconnect();
  }
  return rows;
}
