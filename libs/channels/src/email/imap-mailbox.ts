import { ImapFlow } from 'imapflow';

export interface ImapSettings {
  host: string;
  port: number;
  tls: boolean;
  user: string;
  password: string;
  folder: string;
}

export interface MailboxEntry {
  uid: number;
  size: number;
}

/** An IMAP failure; `authFailed` when the server refused the login (an operator must fix it). */
export class ImapError extends Error {
  constructor(
    message: string,
    readonly authFailed: boolean,
  ) {
    super(message);
    this.name = 'ImapError';
  }
}

/**
 * One IMAP connection to one folder (imapflow), read-only: messages are fetched with BODY.PEEK,
 * so nothing is marked seen, moved or deleted. IDLE starts by itself when the connection is free.
 */
export class ImapMailbox {
  private news = false;
  private wake: (() => void) | null = null;
  private closedReason: string | null = null;

  private constructor(
    private readonly client: ImapFlow,
    private readonly folder: string,
  ) {
    client.on('exists', () => this.notify());
    client.on('close', () => {
      this.closedReason ??= 'connection closed';
      this.notify();
    });
    client.on('error', (error: Error) => {
      this.closedReason = error.message;
      this.notify();
    });
  }

  static async connect(settings: ImapSettings, options: { idleDelayMs?: number } = {}): Promise<ImapMailbox> {
    const client = new ImapFlow({
      host: settings.host,
      port: settings.port,
      secure: settings.tls,
      auth: { user: settings.user, pass: settings.password },
      logger: false,
      autoIdleDelay: options.idleDelayMs ?? 1000,
      connectionTimeout: 30_000,
      greetingTimeout: 16_000,
      socketTimeout: 5 * 60_000,
    });
    client.on('error', () => undefined); // reported through the mailbox; never an unhandled 'error'
    try {
      await client.connect();
    } catch (error) {
      client.close();
      throw imapError(error);
    }
    return new ImapMailbox(client, settings.folder);
  }

  /** Selects the folder (again): its current UIDVALIDITY (as a string: it is a BigInt) and next UID. */
  async select(): Promise<{ uidValidity: string; uidNext: number }> {
    try {
      const mailbox = await this.client.mailboxOpen(this.folder);
      return { uidValidity: mailbox.uidValidity.toString(), uidNext: mailbox.uidNext };
    } catch (error) {
      throw imapError(error);
    }
  }

  /** Messages with a UID above `lastUid`, oldest first, with their sizes (nothing downloaded yet). */
  async listAfter(lastUid: number): Promise<MailboxEntry[]> {
    return this.list(`${lastUid + 1}:*`, lastUid);
  }

  /** Messages that arrived on or after `since` (IMAP SEARCH SINCE, by day), oldest first. */
  async listSince(since: Date): Promise<MailboxEntry[]> {
    let uids: number[] | false | undefined;
    try {
      uids = await this.client.search({ since }, { uid: true });
    } catch (error) {
      throw imapError(error);
    }
    if (!uids || uids.length === 0) return [];
    return this.list(uids.join(','), 0);
  }

  /** The raw RFC 822 source of one message, or null when it has gone (expunged meanwhile). */
  async download(uid: number): Promise<Buffer | null> {
    try {
      const message = await this.client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
      return message && message.source ? message.source : null;
    } catch (error) {
      throw imapError(error);
    }
  }

  /** Resolves when new mail is announced (IDLE/NOOP `EXISTS`), after `timeoutMs`, or when the connection ends. */
  async waitForNews(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.news || this.closedReason || signal.aborted) {
      this.news = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done);
      this.wake = done;
    });
    this.news = false;
  }

  /** Why the connection ended, or null while it is usable. */
  get broken(): string | null {
    return this.closedReason ?? (this.client.usable ? null : 'connection not usable');
  }

  async close(): Promise<void> {
    this.closedReason ??= 'closed';
    try {
      await Promise.race([this.client.logout(), new Promise((resolve) => setTimeout(resolve, 2000))]);
    } catch {
      // the connection may already be gone
    }
    this.client.close();
  }

  private async list(range: string, above: number): Promise<MailboxEntry[]> {
    const entries: MailboxEntry[] = [];
    try {
      for await (const message of this.client.fetch(range, { uid: true, size: true }, { uid: true })) {
        // `N:*` always returns the highest message, even when N is above it (RFC 3501).
        if (message.uid > above) entries.push({ uid: message.uid, size: message.size ?? 0 });
      }
    } catch (error) {
      throw imapError(error);
    }
    return entries.sort((a, b) => a.uid - b.uid);
  }

  private notify(): void {
    this.news = true;
    this.wake?.();
  }
}

function imapError(error: unknown): ImapError {
  const failure = error as { message?: string; authenticationFailed?: boolean; responseText?: string };
  const message = failure.responseText || failure.message || 'IMAP error';
  return new ImapError(message, failure.authenticationFailed === true);
}
