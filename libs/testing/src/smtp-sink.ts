import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SunkMail {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
}

/**
 * A real SMTP server (smtp-server, in-process, loopback, plain text: its built-in TLS certificate
 * has expired) that keeps every message it receives, for outbound email tests.
 */
export class SmtpSink {
  readonly messages: SunkMail[] = [];
  private waiters: Array<() => void> = [];
  /** Reply to RCPT TO with this SMTP error (e.g. 550) while set. */
  rejectRecipients: { code: number; message: string } | null = null;

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(options: { user?: string; password?: string } = {}): Promise<SmtpSink> {
    let sink: SmtpSink | null = null;
    const server = new SMTPServer({
      secure: false,
      hideSTARTTLS: true,
      disableReverseLookup: true,
      logger: false,
      size: 50 * 1024 * 1024,
      ...(options.user
        ? {
            allowInsecureAuth: true,
            onAuth(auth, _session, callback) {
              if (auth.username === options.user && auth.password === options.password)
                return callback(null, { user: auth.username });
              return callback(Object.assign(new Error('Invalid credentials'), { responseCode: 535 }));
            },
          }
        : { authOptional: true, disabledCommands: ['AUTH'] }),
      onRcptTo(_address, _session, callback) {
        const reject = sink?.rejectRecipients;
        if (reject) return callback(Object.assign(new Error(reject.message), { responseCode: reject.code }));
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          void simpleParser(raw).then((parsed) => {
            sink?.messages.push({
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              raw,
              parsed,
            });
            for (const wake of sink?.waiters.splice(0) ?? []) wake();
            callback(null, 'queued');
          }, callback);
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    sink = new SmtpSink(server, (server.server.address() as AddressInfo).port);
    return sink;
  }

  /** Resolves with the n-th message (1-based) once it has arrived. */
  async nth(n: number, timeoutMs = 10_000): Promise<SunkMail> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < n) {
      if (Date.now() > deadline) throw new Error(`SMTP sink got ${this.messages.length} of ${n} messages`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.messages[n - 1];
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
