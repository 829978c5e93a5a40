import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@parley/testing';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON log lines for assertions
type Json = any;

const root = fileURLToPath(new URL('../../', import.meta.url));
const loader = fileURLToPath(new URL('./ts-loader.mjs', import.meta.url));

/**
 * One api or worker running as a real child process from the TypeScript sources (test/support/
 * ts-loader.mjs), with the test tier's environment, JSON logs parsed as they arrive.
 */
export class ParleyProcess {
  readonly logs: Json[] = [];
  readonly output: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly name: string,
    entry: string,
    readonly env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, ['--no-warnings', '--import', loader, entry], {
      cwd: root,
      env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'log', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.notify();
        resolve({ code, signal });
      }),
    );
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let pending = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) this.record(line);
      });
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves with the first log record matching, already written or still to come. */
  waitForLog(match: (record: Json) => boolean, timeoutMs = 90_000): Promise<Json> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.logs.find(match);
        if (found) return done(() => resolve(found));
        if (!this.running)
          done(() => reject(new Error(`${this.name} exited:\n${this.output.slice(-20).join('\n')}`)));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`${this.name}: no such log line within ${timeoutMs} ms`))),
        timeoutMs,
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    if (!this.running) return;
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private record(line: string): void {
    if (!line.trim()) return;
    this.output.push(line);
    try {
      this.logs.push(JSON.parse(line));
    } catch {
      this.logs.push({ level: 'raw', message: line });
    }
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

export class ApiProcess extends ParleyProcess {
  constructor(
    name: string,
    readonly port: number,
    env: Record<string, string> = {},
  ) {
    super(name, 'apps/api/src/main.ts', { HOST: '127.0.0.1', PORT: String(port), ...env });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}

export class WorkerProcess extends ParleyProcess {
  constructor(
    name: string,
    readonly metricsPort: number,
    env: Record<string, string> = {},
  ) {
    super(name, 'apps/worker/src/main.ts', { WORKER_METRICS_PORT: String(metricsPort), ...env });
  }

  /** This worker's Prometheus exposition (WORKER_METRICS_PORT). */
  async metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)).text();
  }

  /** One series' value (name with its labels, if any) from this worker's /metrics, or null when absent. */
  async metric(name: string): Promise<number | null> {
    const text = await this.metrics();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.slice(name.length + 1)) : null;
  }
}

/** Starts an api child process and resolves once it is listening. */
export async function startApi(
  name: string,
  env: Record<string, string> = {},
  timeoutMs?: number,
): Promise<ApiProcess> {
  const api = new ApiProcess(name, await freePort(), env);
  return ready(api, (r) => typeof r.message === 'string' && r.message.startsWith('Parley API on'), timeoutMs);
}

/** Starts a worker child process and resolves once its queues are being processed. */
export async function startWorker(
  name: string,
  env: Record<string, string> = {},
  timeoutMs?: number,
): Promise<WorkerProcess> {
  const worker = new WorkerProcess(name, await freePort(), env);
  return ready(worker, (r) => r.message === 'Parley worker is processing jobs', timeoutMs);
}

/** Waits for the process's ready line; one that never gets there is stopped, not left running. */
async function ready<P extends ParleyProcess>(
  child: P,
  match: (record: Json) => boolean,
  timeoutMs?: number,
): Promise<P> {
  try {
    await child.waitForLog(match, timeoutMs);
    return child;
  } catch (error) {
    await child.stop(5_000);
    throw error;
  }
}
