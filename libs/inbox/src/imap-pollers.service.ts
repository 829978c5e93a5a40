import { createHash } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ImapError, ImapMailbox, readEmailConfig, type ImapSettings } from '@parley/channels';
import { AppConfig } from '@parley/config';
import { AdvisoryLocks, SecretCipher, TransactionRunner, type AdvisoryLockSession } from '@parley/database';
import { EmailInboundService, EmailRejectedError } from './email-inbound.service.js';
import { EmailMailboxRepository } from './email-mailbox.repository.js';
import { Inbox } from './inbox.entities.js';
import { InboxError } from './inbox.errors.js';
import { InboxesService } from './inboxes.service.js';

interface RunningPoller {
  fingerprint: string;
  abort: AbortController;
  done: Promise<void>;
}

const DAY_MS = 24 * 3600_000;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

/**
 * IMAP polling for every enabled email inbox with an `imap` config, run by the worker. One poller
 * per inbox across all workers: each holds a PostgreSQL advisory lock `imap:<inboxId>` on a
 * dedicated connection (released by PostgreSQL if the worker dies). A reconcile every
 * EMAIL_IMAP_RECONCILE_MS starts, stops and restarts pollers as inboxes and their config change.
 */
@Injectable()
export class ImapPollers implements OnModuleDestroy {
  private readonly logger = new Logger(ImapPollers.name);
  private readonly running = new Map<string, RunningPoller>();
  private session: AdvisoryLockSession | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly tx: TransactionRunner,
    private readonly cipher: SecretCipher,
    private readonly locks: AdvisoryLocks,
    private readonly mailboxes: EmailMailboxRepository,
    private readonly inbound: EmailInboundService,
    private readonly inboxes: InboxesService,
  ) {}

  start(): void {
    if (this.timer) return;
    this.stopped = false;
    this.timer = setInterval(() => void this.reconcile(), this.config.env.EMAIL_IMAP_RECONCILE_MS);
    void this.reconcile();
  }

  /** Inbox ids this process polls right now. */
  get polling(): string[] {
    return [...this.running.keys()];
  }

  /** Brings the running pollers in line with the inboxes (coalesces concurrent calls). */
  reconcile(): Promise<void> {
    this.reconciling ??= this.reconcileOnce()
      .catch((error: Error) => this.logger.warn(`IMAP reconcile failed: ${error.message}`))
      .finally(() => (this.reconciling = null));
    return this.reconciling;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.reconciling;
    await Promise.all([...this.running.keys()].map((id) => this.stopPoller(id)));
    await this.session?.close();
    this.session = null;
  }

  private async reconcileOnce(): Promise<void> {
    if (this.stopped) return;
    const inboxes = await this.tx.manager.find(Inbox, {
      where: { channel: 'email', enabled: true },
      select: {
        id: true,
        workspaceId: true,
        name: true,
        config: true,
        secrets: true,
        health: true,
        channel: true,
      },
    });
    const wanted = new Map<string, { inbox: Inbox; settings: ImapSettings; fingerprint: string }>();
    for (const inbox of inboxes) {
      const imap = readEmailConfig(inbox.config)?.imap;
      if (!imap) continue;
      const password = this.cipher.decryptJson<{ imapPassword?: string }>(inbox.secrets).imapPassword ?? '';
      const settings: ImapSettings = { ...imap, password };
      const fingerprint = createHash('sha256').update(JSON.stringify(settings)).digest('hex');
      wanted.set(inbox.id, { inbox, settings, fingerprint });
    }
    for (const [id, poller] of this.running) {
      const next = wanted.get(id);
      if (next?.fingerprint === poller.fingerprint) continue;
      await this.stopPoller(id);
      // New settings deserve a try now, not after the old ones' backoff.
      if (next) await this.mailboxes.save(next.inbox.workspaceId, id, { retryAfter: null, failures: 0 });
    }
    for (const [id, { inbox, settings, fingerprint }] of wanted) {
      if (this.running.has(id) || this.stopped) continue;
      if (!(await this.lockSession().tryLock(`imap:${id}`))) continue; // another worker polls it
      const abort = new AbortController();
      const done = this.run(inbox, settings, abort.signal).catch((error: Error) =>
        this.logger.error(`IMAP poller for inbox ${id} stopped: ${error.message}`),
      );
      this.running.set(id, { fingerprint, abort, done });
    }
  }

  private lockSession(): AdvisoryLockSession {
    if (this.session) return this.session;
    const session = this.locks.session();
    session.onLost((reason) => {
      // Every lock is gone with the connection: stop polling until a reconcile wins them back.
      this.logger.warn(`IMAP poller locks lost (${reason}); stopping pollers`);
      for (const id of [...this.running.keys()]) void this.stopPoller(id, false);
    });
    this.session = session;
    return session;
  }

  private async stopPoller(id: string, unlock = true): Promise<void> {
    const poller = this.running.get(id);
    if (!poller) return;
    poller.abort.abort();
    await poller.done;
    this.running.delete(id);
    if (unlock) await this.session?.unlock(`imap:${id}`);
  }

  /** One inbox's loop: connect, catch up, IDLE (or the timer) until news, again; back off on failure. */
  private async run(inbox: Inbox, settings: ImapSettings, signal: AbortSignal): Promise<void> {
    let degraded = inbox.health.status === 'degraded';
    while (!signal.aborted) {
      const state = await this.mailboxes.state(inbox.workspaceId, inbox.id, settings.folder);
      const wait = state.retryAfter ? state.retryAfter.getTime() - Date.now() : 0;
      if (wait > 0) {
        await sleep(wait, signal);
        continue;
      }
      let mailbox: ImapMailbox | null = null;
      try {
        mailbox = await ImapMailbox.connect(settings);
        while (!signal.aborted) {
          await this.sync(inbox, mailbox, settings.folder, signal);
          if (degraded) {
            await this.inboxes.markHealth(inbox.workspaceId, inbox.id, { status: 'ok' });
            degraded = false;
          }
          await mailbox.waitForNews(this.config.env.EMAIL_IMAP_POLL_MS, signal);
          const broken = mailbox.broken;
          if (broken && !signal.aborted) throw new ImapError(broken, false);
        }
      } catch (error) {
        if (signal.aborted) break;
        const failures = state.failures + 1;
        const backoff = Math.min(
          this.config.env.EMAIL_IMAP_MAX_BACKOFF_MS,
          1000 * 2 ** Math.min(failures - 1, 20),
        );
        const delay = Math.round(backoff * (0.8 + Math.random() * 0.4));
        const message =
          error instanceof ImapError && error.authFailed
            ? `IMAP login refused: ${error.message}`
            : `IMAP: ${(error as Error).message}`;
        this.logger.warn(`inbox ${inbox.id}: ${message}; retrying in ${delay} ms`);
        const now = new Date();
        await this.mailboxes.save(inbox.workspaceId, inbox.id, {
          lastError: message.slice(0, 1000),
          lastErrorAt: now,
          lastPolledAt: now,
          failures,
          retryAfter: new Date(now.getTime() + delay),
        });
        await this.inboxes.markHealth(inbox.workspaceId, inbox.id, {
          status: 'degraded',
          error: message.slice(0, 500),
          since: now.toISOString(),
        });
        degraded = true;
      } finally {
        await mailbox?.close();
      }
    }
  }

  /**
   * Imports what arrived since the cursor. On a new UIDVALIDITY (or the first run) the stored UIDs
   * mean nothing: rescan the last EMAIL_IMAP_BACKFILL_DAYS and rely on the Message-ID dedupe.
   * The cursor moves only after each message is committed.
   */
  private async sync(inbox: Inbox, mailbox: ImapMailbox, folder: string, signal: AbortSignal): Promise<void> {
    const state = await this.mailboxes.state(inbox.workspaceId, inbox.id, folder);
    const { uidValidity } = await mailbox.select();
    let lastUid = Number(state.lastUid);
    let entries;
    if (state.uidValidity !== uidValidity) {
      if (state.uidValidity)
        this.logger.warn(`inbox ${inbox.id}: UIDVALIDITY ${state.uidValidity} → ${uidValidity}; rescanning`);
      entries = await mailbox.listSince(
        new Date(Date.now() - this.config.env.EMAIL_IMAP_BACKFILL_DAYS * DAY_MS),
      );
      lastUid = 0;
      await this.mailboxes.save(inbox.workspaceId, inbox.id, { uidValidity, lastUid: '0' });
    } else {
      entries = await mailbox.listAfter(lastUid);
    }
    let refused: string | null = null;
    for (const entry of entries) {
      if (signal.aborted) return;
      if (entry.uid <= lastUid) continue;
      const externalId = `imap:${uidValidity}:${entry.uid}`;
      if (entry.size > this.inbound.maxBytes) {
        refused = `message UID ${entry.uid} refused: ${entry.size} bytes, over the ${this.inbound.maxBytes}-byte limit`;
        await this.inbound.recordRefused(inbox, externalId, refused, {
          via: 'imap',
          uid: entry.uid,
          size: entry.size,
        });
        this.logger.warn(`inbox ${inbox.id}: ${refused}`);
      } else {
        const raw = await mailbox.download(entry.uid);
        if (raw) {
          try {
            await this.inbound.receive(inbox, raw, 'imap');
          } catch (error) {
            // The message itself is unacceptable: note it and move on (a retry would fail the same way).
            if (!(error instanceof EmailRejectedError) && !(error instanceof InboxError)) throw error;
            refused = `message UID ${entry.uid} refused: ${error.message}`;
            await this.inbound.recordRefused(inbox, externalId, refused, {
              via: 'imap',
              uid: entry.uid,
              size: raw.length,
            });
            this.logger.warn(`inbox ${inbox.id}: ${refused}`);
          }
        }
      }
      lastUid = entry.uid;
      await this.mailboxes.save(inbox.workspaceId, inbox.id, { lastUid: String(lastUid) });
    }
    const now = new Date();
    await this.mailboxes.save(inbox.workspaceId, inbox.id, {
      lastPolledAt: now,
      lastSuccessAt: now,
      failures: 0,
      retryAfter: null,
      ...(refused
        ? { lastError: refused.slice(0, 1000), lastErrorAt: now }
        : { lastError: null, lastErrorAt: null }),
    });
  }
}
