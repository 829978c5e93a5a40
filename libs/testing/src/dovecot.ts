import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';

const DOVECOT = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'].find((path) => existsSync(path));

export const DOVECOT_PASSWORD = 'pass';

/** A free TCP port on loopback (closed again before it is handed out). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A throw-away Dovecot IMAP server (Debian's dovecot-imapd, installed by .ci/run) on a free
 * loopback port, with its own config, run directory and maildir in a temp folder: any user logs
 * in with password `pass`. The system's own Dovecot service is neither needed nor touched.
 */
export class DovecotServer {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static available(): boolean {
    return DOVECOT !== undefined;
  }

  static async start(): Promise<DovecotServer> {
    if (!DOVECOT) throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd');
    const dir = mkdtempSync(join(tmpdir(), 'parley-dovecot-'));
    // Mail is accessed as the dovecot user, which must be able to enter the folder.
    chmodSync(dir, 0o755);
    const port = await freePort();
    writeFileSync(
      join(dir, 'dovecot.conf'),
      [
        'protocols = imap',
        'first_valid_uid = 1',
        'listen = 127.0.0.1',
        `base_dir = ${dir}/run`,
        `log_path = ${dir}/dovecot.log`,
        `state_dir = ${dir}/state`,
        'ssl = no',
        'disable_plaintext_auth = no',
        'auth_mechanisms = plain login',
        `mail_location = maildir:${dir}/mail/%u`,
        'passdb {',
        '  driver = static',
        `  args = password=${DOVECOT_PASSWORD}`,
        '}',
        'userdb {',
        '  driver = static',
        `  args = uid=dovecot gid=dovecot home=${dir}/mail/%u`,
        '}',
        'service imap-login {',
        '  inet_listener imap {',
        '    address = 127.0.0.1',
        `    port = ${port}`,
        '  }',
        '  inet_listener imaps {',
        '    port = 0',
        '  }',
        '  chroot =',
        '}',
        'service anvil {',
        '  chroot =',
        '}',
        '',
      ].join('\n'),
    );
    execFileSync('mkdir', ['-p', `${dir}/mail`, `${dir}/state`]);
    spawnSync('chown', ['-R', 'dovecot:dovecot', `${dir}/mail`], { stdio: 'ignore' });
    // Dovecot daemonizes; inherited pipes would keep this call waiting forever.
    const started = spawnSync(DOVECOT, ['-c', join(dir, 'dovecot.conf')], { stdio: 'ignore' });
    if (started.status !== 0) throw new Error(`dovecot did not start (exit ${started.status})`);
    const server = new DovecotServer(dir, port);
    await server.waitUntilListening();
    return server;
  }

  /** A connected imapflow client for `user`. */
  async client(user: string): Promise<ImapFlow> {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: this.port,
      secure: false,
      auth: { user, pass: DOVECOT_PASSWORD },
      logger: false,
    });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  /** Delivers a message into a user's folder with IMAP APPEND; returns its UID. */
  async append(user: string, raw: string | Buffer, folder = 'INBOX'): Promise<number | undefined> {
    const client = await this.client(user);
    try {
      const result = await client.append(folder, raw);
      return result ? result.uid : undefined;
    } finally {
      await client.logout();
    }
  }

  /** Deletes and recreates a folder: same name, new UIDVALIDITY, UIDs start again at 1. */
  async recreate(user: string, folder: string): Promise<void> {
    const client = await this.client(user);
    try {
      await client.mailboxDelete(folder);
      await client.mailboxCreate(folder);
    } finally {
      await client.logout();
    }
  }

  async stop(): Promise<void> {
    const pidFile = join(this.dir, 'run', 'master.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
      for (let i = 0; i < 50; i += 1) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitUntilListening(): Promise<void> {
    for (let i = 0; i < 50; i += 1) {
      try {
        const client = await this.client('probe');
        await client.logout();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`dovecot is not answering on 127.0.0.1:${this.port}; see ${this.dir}/dovecot.log`);
  }
}
