import { createHash } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import {
  ChannelSendError,
  type ChannelSender,
  type OutboundRequest,
  type SendResult,
} from '../channel-sender.js';
import { AttachmentStore } from '../storage/attachment-store.js';
import { domainOf, REPLY_SEPARATOR, trimReferences } from './email-threading.js';
import { readEmailConfig, type EmailConfig } from './email-config.js';

interface PooledTransport {
  fingerprint: string;
  transport: Transporter;
}

const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'EPROTOCOL']);

/** Email through each inbox's own SMTP server: one pooled nodemailer transport per inbox. */
@Injectable()
export class EmailSender implements ChannelSender, OnModuleDestroy {
  readonly channels = ['email'] as const;
  private readonly logger = new Logger(EmailSender.name);
  private readonly transports = new Map<string, PooledTransport>();

  constructor(private readonly store: AttachmentStore) {}

  async send(request: OutboundRequest): Promise<SendResult> {
    const config = readEmailConfig(request.config);
    const password = typeof request.secrets.smtpPassword === 'string' ? request.secrets.smtpPassword : '';
    if (!config?.smtp) {
      throw new ChannelSendError(
        'The email inbox has no outbound SMTP server configured',
        'not_configured',
        false,
      );
    }
    const thread = request.email ?? {
      subject: '',
      inReplyTo: null,
      references: [],
      replyToken: null,
      automated: request.author.type !== 'agent',
    };
    const domain = config.inboundDomain ?? domainOf(config.address);
    const messageId = `<${request.messageId}@${domain}>`;
    const links = request.attachments.filter((a) => !a.storageKey && /^https?:\/\//.test(a.url));
    const text = [
      REPLY_SEPARATOR,
      '',
      request.body,
      ...(links.length ? ['', ...links.map((a) => `${a.name}: ${a.url}`)] : []),
    ].join('\n');
    const attachments = [];
    for (const attachment of request.attachments.filter((a) => a.storageKey)) {
      try {
        const file = await this.store.open(attachment.storageKey as string);
        attachments.push({
          filename: attachment.name,
          contentType: attachment.contentType,
          content: file.stream,
        });
      } catch (error) {
        throw new ChannelSendError(
          `Attachment ${attachment.name} is not readable: ${(error as Error).message}`,
          'attachment_missing',
          false,
        );
      }
    }
    const references = trimReferences([
      ...thread.references,
      ...(thread.inReplyTo ? [thread.inReplyTo] : []),
    ]);
    try {
      const info = await this.transport(request.inboxId, config, password).sendMail({
        from: { name: config.displayName ?? '', address: config.address },
        to: request.to.value,
        subject: thread.subject,
        messageId,
        ...(thread.inReplyTo ? { inReplyTo: thread.inReplyTo } : {}),
        ...(references.length ? { references } : {}),
        ...(config.inboundDomain && thread.replyToken
          ? {
              replyTo: {
                name: config.displayName ?? '',
                address: `reply+${thread.replyToken}@${config.inboundDomain}`,
              },
            }
          : {}),
        text,
        html: toHtml(request.body, links),
        attachments,
        headers: thread.automated
          ? { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' }
          : {},
      });
      return { providerId: info.messageId || messageId, status: 'sent' };
    } catch (error) {
      throw classify(error as SmtpFailure);
    } finally {
      for (const attachment of attachments) attachment.content.destroy();
    }
  }

  onModuleDestroy(): void {
    for (const { transport } of this.transports.values()) transport.close();
    this.transports.clear();
  }

  /** The inbox's pooled transport; a changed server or password replaces (and closes) the old one. */
  private transport(inboxId: string, config: EmailConfig, password: string): Transporter {
    const smtp = config.smtp as NonNullable<EmailConfig['smtp']>;
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([smtp, password]))
      .digest('hex');
    const pooled = this.transports.get(inboxId);
    if (pooled?.fingerprint === fingerprint) return pooled.transport;
    pooled?.transport.close();
    const transport = createTransport({
      pool: true,
      maxConnections: 3,
      host: smtp.host,
      port: smtp.port,
      secure: smtp.tlsMode === 'tls',
      ignoreTLS: smtp.tlsMode === 'none',
      requireTLS: smtp.tlsMode === 'starttls',
      ...(smtp.user ? { auth: { user: smtp.user, pass: password } } : {}),
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
      name: domainOf(config.address),
    });
    this.transports.set(inboxId, { fingerprint, transport });
    this.logger.log(`SMTP pool for inbox ${inboxId}: ${smtp.host}:${smtp.port} (${smtp.tlsMode})`);
    return transport;
  }
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/** nodemailer errors → classified failures: 4xx and network trouble retry, 5xx and bad auth do not. */
function classify(failure: SmtpFailure): ChannelSendError {
  const reply = failure.response ?? failure.message ?? 'SMTP error';
  if (failure.code === 'EAUTH')
    return new ChannelSendError(`The SMTP server refused the credentials: ${reply}`, 'not_configured', false);
  if (failure.responseCode && failure.responseCode >= 500)
    return new ChannelSendError(
      `The SMTP server rejected it: ${reply}`,
      `smtp_${failure.responseCode}`,
      false,
    );
  if (failure.responseCode && failure.responseCode >= 400)
    return new ChannelSendError(
      `The SMTP server deferred it: ${reply}`,
      `smtp_${failure.responseCode}`,
      true,
    );
  if (failure.code && RETRYABLE_CODES.has(failure.code))
    return new ChannelSendError(`SMTP server unreachable: ${reply}`, 'provider_unavailable', true);
  return new ChannelSendError(reply, failure.code ? failure.code.toLowerCase() : 'internal', true);
}

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

function toHtml(body: string, links: Array<{ name: string; url: string }>): string {
  const paragraphs = body
    .split(/\n{2,}/)
    .map((p) => `<p>${escape(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  const list = links.length
    ? `<ul>${links.map((l) => `<li><a href="${escape(l.url)}">${escape(l.name)}</a></li>`).join('')}</ul>`
    : '';
  return `<!doctype html><html><body><div style="color:#9ca3af;font-size:12px">${escape(REPLY_SEPARATOR)}</div>\n${paragraphs}${list}</body></html>`;
}
