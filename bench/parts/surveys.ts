import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { BenchContext } from '../lib/context.js';
import { json } from '../lib/http.js';
import { figure, quantile, type Figure } from '../lib/results.js';
import { BENCH_WEBHOOK_PORT, sleep } from '../lib/stack.js';

const CONCURRENCY = 16;
/** Target: every survey out within delay (0 here) + 60 s. */
const WITHIN_SECONDS = 60;
const GIVE_UP_SECONDS = 300;

/** The fake provider behind the API inbox's webhook: counts deliveries per conversation. */
async function fakeProvider(): Promise<{
  server: Server;
  deliveries: Map<string, number>;
  firstAt: Map<string, number>;
}> {
  const deliveries = new Map<string, number>();
  const firstAt = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const { conversationId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          conversationId: string;
        };
        deliveries.set(conversationId, (deliveries.get(conversationId) ?? 0) + 1);
        if (!firstAt.has(conversationId)) firstAt.set(conversationId, performance.now());
      } catch {
        // not a Parley delivery; answer anyway
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: randomBytes(8).toString('hex') }));
    });
  });
  await new Promise<void>((resolve) => server.listen(BENCH_WEBHOOK_PORT, '127.0.0.1', resolve));
  return { server, deliveries, firstAt };
}

async function inParallel<T>(items: T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await run(items[next++]);
    }),
  );
}

/**
 * Fixture work, not measured: every run resolves its conversations, so the seeded unresolved ones
 * run out. Tops them up by setting resolved ones back to open in SQL: each contact's latest
 * conversation, for contacts with nothing unresolved (one open conversation per customer holds).
 */
async function reopenForTheRun(context: BenchContext, wanted: number): Promise<void> {
  const { meta, db } = context;
  await db.query(
    `WITH ready AS (
       SELECT count(*) AS n FROM conversations
        WHERE workspace_id = $1 AND reply_inbox_id = $2 AND status <> 'resolved'
     ), latest AS (
       SELECT DISTINCT ON (contact_id) id, contact_id, status, reply_inbox_id FROM conversations
        WHERE workspace_id = $1 AND merged_into_id IS NULL
        ORDER BY contact_id, opened_at DESC
     )
     UPDATE conversations SET status = 'open', resolved_at = NULL
      WHERE id IN (SELECT l.id FROM latest l
                    WHERE l.status = 'resolved' AND l.reply_inbox_id = $2
                      AND NOT EXISTS (SELECT 1 FROM conversations o WHERE o.workspace_id = $1
                                         AND o.contact_id = l.contact_id AND o.status <> 'resolved')
                    LIMIT greatest(0, $3 - (SELECT n FROM ready)))`,
    [meta.workspaceId, meta.inboxes.api, wanted],
  );
}

/** N resolutions (10,000 at scale 1) → time until every survey went out through the fake provider, and duplicates. */
export async function surveys(context: BenchContext): Promise<Figure[]> {
  const { stack, meta, adminToken } = context;
  const wanted = Number(
    process.env.BENCH_SURVEYS ?? Math.max(100, Math.round(10_000 * Math.min(1, meta.scale))),
  );
  const provider = await fakeProvider();
  try {
    // Immediately, to every customer (the seeded contacts had surveys within the default throttle).
    await json(
      'PUT',
      `${stack.url}/api/v1/surveys/policy`,
      { token: adminToken },
      {
        enabled: true,
        kinds: ['csat'],
        delayMinutes: 0,
        minAgentReplies: 0,
        throttleDays: 0,
        askComment: false,
      },
    );
    await reopenForTheRun(context, wanted);
    // Unresolved conversations of the API inbox, whose surveys go to the fake provider.
    const { rows: open } = await context.db.query<{ id: string }>(
      `SELECT id FROM conversations WHERE workspace_id = $1 AND reply_inbox_id = $2 AND status <> 'resolved'
        ORDER BY id LIMIT $3`,
      [meta.workspaceId, meta.inboxes.api, wanted],
    );
    const conversationIds = open.map((r) => r.id);
    const count = conversationIds.length;
    if (count < wanted) throw new Error(`only ${count} of ${wanted} conversations could be made ready`);
    // Conversations reopened for the run have surveys and survey messages of earlier runs: count this run's only.
    const { rows: clock } = await context.db.query<{ now: Date }>(`SELECT now() AS now`);
    const since = clock[0].now;
    const started = performance.now();
    const resolvedAt = new Map<string, number>();
    await inParallel(conversationIds, async (id) => {
      await json('POST', `${stack.url}/api/v1/conversations/${id}/resolve`, { token: adminToken });
      resolvedAt.set(id, performance.now());
    });
    const resolvedSeconds = (performance.now() - started) / 1000;
    context.log(`  resolved in ${resolvedSeconds.toFixed(1)} s`);
    const deadline = started + GIVE_UP_SECONDS * 1000;
    while (performance.now() < deadline && conversationIds.some((id) => !provider.firstAt.has(id)))
      await sleep(500);
    const allSent = conversationIds.every((id) => provider.firstAt.has(id));
    const lastFirst = Math.max(...conversationIds.map((id) => provider.firstAt.get(id) ?? performance.now()));
    // Late duplicates (a retried job, a second scheduler) would show up after the last first delivery.
    await sleep(5_000);
    const providerDuplicates = conversationIds.reduce(
      (sum, id) => sum + Math.max(0, (provider.deliveries.get(id) ?? 0) - 1),
      0,
    );
    const { rows } = await context.db.query<{ duplicates: string }>(
      `SELECT coalesce(sum(n - 1), 0) AS duplicates FROM (
         SELECT count(*) AS n FROM messages WHERE conversation_id = ANY($1::uuid[]) AND kind = 'survey'
            AND created_at >= $2
          GROUP BY conversation_id) AS per_conversation`,
      [conversationIds, since],
    );
    const sent = conversationIds.filter((id) => provider.firstAt.has(id)).length;
    // The target is per survey: out within delay (0) + 60 s of its own resolution.
    const lags = conversationIds
      .filter((id) => provider.firstAt.has(id))
      .map((id) => ((provider.firstAt.get(id) ?? 0) - (resolvedAt.get(id) ?? 0)) / 1000);
    const { rows: statuses } = await context.db.query<{ status: string; n: string }>(
      `SELECT status || coalesce(' (' || status_reason || ')', '') AS status, count(*) AS n FROM surveys
        WHERE conversation_id = ANY($1::uuid[]) AND created_at >= $2 GROUP BY 1 ORDER BY 2 DESC LIMIT 4`,
      [conversationIds, since],
    );
    const byStatus = statuses.map((r) => `${r.n} ${r.status}`).join(', ');
    return [
      figure('surveys: slowest resolution → its survey sent', allSent ? Math.max(...lags) : null, 's', {
        goal: { below: WITHIN_SECONDS },
        note: `${sent} of ${count} sent; p50 ${quantile(lags, 0.5).toFixed(1)} s; delayMinutes 0`,
      }),
      figure(`surveys: ${count} resolutions → all sent`, allSent ? (lastFirst - started) / 1000 : null, 's', {
        note: `from the first resolve; surveys: ${byStatus}; resolving took ${resolvedSeconds.toFixed(1)} s at concurrency ${CONCURRENCY}`,
      }),
      figure('surveys duplicates', providerDuplicates + Number(rows[0].duplicates), 'surveys', {
        goal: { equal: 0 },
        note: `provider ${providerDuplicates}, survey messages ${rows[0].duplicates}`,
      }),
    ];
  } finally {
    await new Promise((resolve) => provider.server.close(resolve));
  }
}
