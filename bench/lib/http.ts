import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface HttpResult {
  status: number;
  body: string;
  ms: number;
}

/** One HTTP request over a shared keep-alive agent; `ms` is the time to the last byte of the answer. */
export function http(
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<HttpResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: {
          ...(options.body !== undefined
            ? { 'content-length': String(Buffer.byteLength(options.body)) }
            : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** GET/POST JSON with a bearer token or API key; throws on a non-2xx answer (the bench measures only successes). */
export async function json<T>(
  method: string,
  url: string,
  auth: { token?: string; apiKey?: string },
  body?: unknown,
): Promise<{ data: T; ms: number }> {
  const result = await http(method, url, {
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
      ...(auth.apiKey ? { 'x-api-key': auth.apiKey } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (result.status < 200 || result.status > 299)
    throw new Error(`${method} ${url} answered ${result.status}: ${result.body.slice(0, 300)}`);
  const contentType = result.body.startsWith('{') || result.body.startsWith('[');
  return { data: (contentType ? JSON.parse(result.body) : result.body) as T, ms: result.ms };
}

export async function login(url: string, email: string, password: string): Promise<string> {
  const { data } = await json<{ accessToken: string }>(
    'POST',
    `${url}/api/v1/auth/login`,
    {},
    { email, password },
  );
  return data.accessToken;
}

/** Runs `run` `samples` times one after another (after `warmup` unmeasured runs) and returns the times. */
export async function sample(run: () => Promise<number>, samples: number, warmup = 3): Promise<number[]> {
  for (let i = 0; i < warmup; i += 1) await run();
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) times.push(await run());
  return times;
}

/**
 * Fires `send` at a fixed rate for `seconds` (in ticks of 10 ms, so the schedule holds on a busy
 * machine) and resolves when every call has settled. A call due while `maxInFlight` are still
 * unanswered is skipped (counted, not queued), so a server slower than the rate meets a bounded
 * backlog and the phase ends on time.
 */
export async function atRate(
  rate: number,
  seconds: number,
  send: (i: number) => Promise<unknown>,
  maxInFlight = 256,
): Promise<{ sent: number; skipped: number }> {
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const pending = new Set<Promise<unknown>>();
  let due = 0;
  let sent = 0;
  while (due < total) {
    const now = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    for (; due < now; due += 1) {
      if (pending.size >= maxInFlight) continue;
      const call = send(due)
        .catch(() => undefined)
        .finally(() => pending.delete(call));
      pending.add(call);
      sent += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(pending);
  return { sent, skipped: total - sent };
}

/** Keeps `concurrency` calls in flight for `seconds`; returns the number of successful calls per second. */
export async function saturate(
  concurrency: number,
  seconds: number,
  send: (i: number) => Promise<boolean>,
): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let next = 0;
  let ok = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        if (await send(next++).catch(() => false)) ok += 1;
      }
    }),
  );
  return ok / ((performance.now() - started) / 1000);
}
