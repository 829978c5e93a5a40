import type { BenchContext } from '../lib/context.js';
import { json, sample } from '../lib/http.js';
import { figure, quantile, type Figure } from '../lib/results.js';

const SAMPLES = 30;
/** "Deep" is this many pages of 25 in (or the last page when the view is shorter). */
const DEEP_PAGES = 40;
const VIEW_TARGET_MS = 20;

interface Page {
  items: Array<{ id: string }>;
  nextCursor: string | null;
}

/** Follows cursors `pages` pages in and returns the URL of the deepest page reached and its depth. */
async function deepUrl(base: string, token: string, pages: number): Promise<{ url: string; depth: number }> {
  let url = base;
  let depth = 1;
  for (; depth < pages; depth += 1) {
    const { data } = await json<Page>('GET', url, { token });
    if (!data.nextCursor) break;
    url = `${base}&cursor=${encodeURIComponent(data.nextCursor)}`;
  }
  return { url, depth };
}

async function measure(
  context: BenchContext,
  name: string,
  url: string,
  token: string,
  table: 'conversations' | 'messages',
): Promise<Figure[]> {
  const times = await sample(async () => (await json('GET', url, { token })).ms, SAMPLES);
  // Baseline: the same rows fetched by primary key, straight from PostgreSQL.
  const { data } = await json<Page>('GET', url, { token });
  const ids = data.items.map((item) => item.id);
  const baseline = await sample(async () => {
    const started = performance.now();
    await context.db.query(`SELECT * FROM ${table} WHERE id = ANY($1::uuid[])`, [ids]);
    return performance.now() - started;
  }, SAMPLES);
  const note = `${ids.length} rows`;
  return [
    figure(`${name} p50`, quantile(times, 0.5), 'ms', { baseline: quantile(baseline, 0.5), note }),
    figure(`${name} p95`, quantile(times, 0.95), 'ms', {
      baseline: quantile(baseline, 0.95),
      goal: { below: VIEW_TARGET_MS },
      note,
    }),
  ];
}

/** Inbox views (first and a deep cursor page) and a 10k-message contact timeline, on the seeded set. */
export async function views(context: BenchContext): Promise<Figure[]> {
  const { meta, stack, adminToken, agentToken } = context;
  const list = `${stack.url}/api/v1/conversations?limit=25`;
  const cases: Array<{ name: string; query: string; token: string }> = [
    { name: 'mine', query: 'view=mine', token: agentToken },
    { name: 'unassigned', query: 'view=unassigned', token: adminToken },
    { name: 'all', query: 'view=all', token: adminToken },
    { name: 'team', query: `teamId=${meta.teamIds[0]}`, token: adminToken },
    { name: 'channel', query: 'channel=sms', token: adminToken },
    { name: 'status', query: 'status=resolved', token: adminToken },
    { name: 'label', query: `labelId=${meta.labelIds[0]}&status=resolved`, token: adminToken },
    { name: 'search', query: 'q=Customer%2012', token: adminToken },
  ];
  const rows: Figure[] = [];
  for (const view of cases) {
    const first = `${list}&${view.query}`;
    rows.push(
      ...(await measure(context, `view ${view.name} first page`, first, view.token, 'conversations')),
    );
    const deep = await deepUrl(first, view.token, DEEP_PAGES);
    rows.push(
      ...(await measure(
        context,
        `view ${view.name} page ${deep.depth}`,
        deep.url,
        view.token,
        'conversations',
      )),
    );
    context.log(`  view ${view.name} done`);
  }
  const timeline = `${stack.url}/api/v1/contacts/${meta.timelineContactId}/timeline?limit=50`;
  rows.push(...(await measure(context, 'timeline first page', timeline, adminToken, 'messages')));
  const deep = await deepUrl(timeline, adminToken, DEEP_PAGES);
  rows.push(...(await measure(context, `timeline page ${deep.depth}`, deep.url, adminToken, 'messages')));
  return rows;
}
