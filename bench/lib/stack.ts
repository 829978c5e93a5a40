import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** Fixed secrets and limits the bench runs the api and worker with (loopback only, never production). */
export const BENCH_ENV: Record<string, string> = {
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  PUBLIC_URL: 'http://127.0.0.1:3000',
  LOG_LEVEL: 'warn',
  JWT_SECRET: 'bench-jwt-secret-bench-jwt-secret-0123456789',
  ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
  INGEST_RATE_LIMIT_PER_MINUTE: '10000000',
  WEBHOOK_RATE_LIMIT_PER_MINUTE: '10000000',
  WORKER_METRICS_PORT: '0',
  OUTBOX_SWEEP_MS: '1000',
  ATTACHMENTS_DIR: '/tmp/parley-bench-attachments',
};

/** Where the API inbox's outbound webhook (replies, surveys) is sent: the bench's fake provider. */
export const BENCH_WEBHOOK_PORT = 39_123;
/** The fake Twilio REST API (surveys and replies on SMS/WhatsApp inboxes). */
export const BENCH_TWILIO_PORT = 39_124;

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; 100 ticks a second). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export interface Child {
  name: string;
  process: ChildProcess;
  rssMb(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resident memory of a process from /proc (Linux), in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN');
  return kb / 1024;
}

/** Starts a compiled entry point (dist/…) as a child process with the bench environment. */
export function startChild(name: string, script: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...BENCH_ENV, ...env },
    // Boot logs are noise here; errors (stderr) still show.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return {
    name,
    process: child,
    rssMb: () => rssMb(child.pid ?? 0),
    stop: () =>
      new Promise<void>((resolve) => {
        // Already gone (exited, or killed by a signal): 'exit' will not come again.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

export async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Stack {
  url: string;
  api: Child;
  worker: Child;
  stop(): Promise<void>;
}

/** The api and worker from dist/, as separate processes on a free loopback port, against the bench database. */
export async function startStack(options: { databaseUrl: string; redisUrl: string }): Promise<Stack> {
  const port = await freePort();
  const env = {
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: `parley-bench-${process.pid}`,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    TWILIO_API_BASE_URL: `http://127.0.0.1:${BENCH_TWILIO_PORT}`,
  };
  const api = startChild('api', 'dist/apps/api/src/main.js', env);
  const worker = startChild('worker', 'dist/apps/worker/src/main.js', env);
  const url = `http://127.0.0.1:${port}`;
  let ready = false;
  const exited = (child: Child) =>
    new Promise<void>((_, reject) =>
      child.process.once('exit', (code) => {
        if (!ready) reject(new Error(`${child.name} exited with ${code}`));
      }),
    );
  await Promise.race([
    // A shared, loaded machine can take well over a minute to boot the api (load average 25: ~100 s).
    waitFor(async () => (await fetch(`${url}/health/ready`)).ok, 'the api to be ready', 180_000),
    exited(api),
    exited(worker),
  ]);
  ready = true;
  return {
    url,
    api,
    worker,
    async stop() {
      await Promise.all([api.stop(), worker.stop()]);
      await dropKeys(options.redisUrl, env.REDIS_PREFIX);
    },
  };
}

/** The run's Redis keys (queues, caches, socket.io) go with it: every run has a prefix of its own. */
async function dropKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
