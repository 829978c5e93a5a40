import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { eventually, freePort } from '@parley/testing';

/**
 * A private Redis on a free loopback port, without persistence, that a test may stop and start
 * again (the shared Redis on 6379 is never touched). A restart loses every key, as a real
 * restart of a Redis without persistence does.
 */
export class PrivateRedis {
  private child: ChildProcess | null = null;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(mkdtempSync(join(tmpdir(), 'parley-chaos-redis-')), await freePort());
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  async up(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    await eventually(async () => (await this.ping()) === 'PONG', 20_000);
  }

  /** Stops the server (SIGTERM: a clean shutdown; nothing is saved) and waits for it to go. */
  async down(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    this.child = null;
  }

  async stop(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async ping(): Promise<string | undefined> {
    const client = new Redis(this.url, {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await client.ping();
    } catch {
      return undefined;
    } finally {
      client.disconnect();
    }
  }
}

/** The newest installed PostgreSQL's bin folder (Debian layout), e.g. /usr/lib/postgresql/15/bin. */
function postgresBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(a) - Number(b))
    : [];
  const newest = versions.at(-1);
  if (!newest)
    throw new Error(
      'PostgreSQL server binaries not found under /usr/lib/postgresql: apt-get install postgresql',
    );
  return join(base, newest, 'bin');
}

/** PostgreSQL refuses to run as root: as root, its tools run as the `postgres` user. */
function runsAsPostgres(): boolean {
  return process.getuid?.() === 0;
}

/**
 * A throw-away PostgreSQL cluster in a temp folder on a free loopback port, which a test may stop
 * (as a crash: immediate mode) and start again. The shared server on 5432 is never touched. As
 * root, the server runs as the `postgres` user, which owns the folder.
 */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  static async start(database: string): Promise<PrivatePostgres> {
    const bin = postgresBin();
    const dir = mkdtempSync(join(tmpdir(), 'parley-chaos-pg-'));
    const cluster = new PrivatePostgres(dir, await freePort(), bin);
    try {
      if (runsAsPostgres()) {
        await promisify(execFile)('chown', ['postgres:postgres', dir]);
      }
      await cluster.run('initdb', ['-D', cluster.data, '-A', 'trust', '-U', 'postgres', '-N', '-E', 'UTF8']);
      await cluster.up();
      const admin = new pg.Client({ connectionString: cluster.url('postgres') });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${database}"`);
      await admin.end();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async up(): Promise<void> {
    await this.run('pg_ctl', [
      '-D',
      this.data,
      '-l',
      join(this.dir, 'server.log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`,
      '-w',
      'start',
    ]);
  }

  /** Stops the server as a crash would (immediate mode: connections cut, WAL replayed at start). */
  async down(): Promise<void> {
    if (existsSync(join(this.data, 'postmaster.pid')))
      await this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
  }

  async stop(): Promise<void> {
    try {
      await this.down();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** Runs one of the server's tools (as `postgres` when we are root), without blocking the tests. */
  private async run(tool: string, args: string[]): Promise<void> {
    const command = join(this.bin, tool);
    const [file, argv] = runsAsPostgres()
      ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
      : [command, args];
    try {
      await promisify(execFile)(file, argv, { cwd: this.dir });
    } catch (error) {
      const failed = error as Error & { stderr?: string; stdout?: string };
      throw new Error(`${tool} failed: ${failed.stderr || failed.stdout || failed.message}`, {
        cause: error,
      });
    }
  }
}
