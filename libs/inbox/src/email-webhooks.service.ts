import { Injectable } from '@nestjs/common';
import { verifyMailgunSignature } from '@parley/channels';
import { AppConfig } from '@parley/config';
import { EmailInboundService, EmailRejectedError, type EmailReceipt } from './email-inbound.service.js';
import { EmailMailboxRepository } from './email-mailbox.repository.js';
import { InboxError, InboxErrorCode, WebhookSignatureError } from './inbox.errors.js';
import { InboxesService } from './inboxes.service.js';

export interface MimeWebhookFields {
  bodyMime: Buffer | null;
  timestamp: string | undefined;
  token: string | undefined;
  signature: string | undefined;
}

/**
 * The raw-MIME webhook (Mailgun style): the signature is HMAC-SHA256(signing key, timestamp +
 * token); stale timestamps and used tokens are refused; the MIME then takes the common path.
 */
@Injectable()
export class EmailWebhooksService {
  constructor(
    private readonly config: AppConfig,
    private readonly inboxes: InboxesService,
    private readonly mailboxes: EmailMailboxRepository,
    private readonly inbound: EmailInboundService,
  ) {}

  async receive(inboxId: string, fields: MimeWebhookFields): Promise<EmailReceipt> {
    const { inbox, secrets } = await this.inboxes.forWebhook<{ webhookSigningKey?: string }>(inboxId, [
      'email',
    ]);
    const missing = (['timestamp', 'token', 'signature'] as const).filter((name) => !fields[name]);
    if (missing.length)
      throw new InboxError(InboxErrorCode.InvalidInput, `Missing form field(s): ${missing.join(', ')}`);
    const timestamp = fields.timestamp as string;
    const token = fields.token as string;
    const signature = fields.signature as string;
    if (!/^\d{1,12}$/.test(timestamp))
      throw new InboxError(InboxErrorCode.InvalidInput, 'timestamp must be Unix seconds');
    if (token.length > 256) throw new InboxError(InboxErrorCode.InvalidInput, 'token is too long');
    if (!secrets.webhookSigningKey)
      throw new WebhookSignatureError('This inbox has no webhook signing key (secrets.webhookSigningKey)');
    if (!verifyMailgunSignature(secrets.webhookSigningKey, timestamp, token, signature))
      throw new WebhookSignatureError('The signature does not match timestamp + token');
    const maxAge = this.config.env.EMAIL_WEBHOOK_MAX_AGE_SECONDS;
    const age = Math.floor(Date.now() / 1000) - Number(timestamp);
    if (Math.abs(age) > maxAge)
      throw new WebhookSignatureError(`The timestamp is ${age} s old; at most ${maxAge} s is accepted`);
    if (!fields.bodyMime?.length)
      throw new InboxError(InboxErrorCode.InvalidInput, 'The body-mime field is missing');
    if (!(await this.mailboxes.claimToken(inbox.id, token, 2 * maxAge)))
      throw new WebhookSignatureError('This token was used before (a replayed request)');
    try {
      return await this.inbound.receive(inbox, fields.bodyMime, 'webhook');
    } catch (error) {
      // A failure on our side (not the message's fault): let the provider retry with the same token.
      if (!(error instanceof EmailRejectedError) && !(error instanceof InboxError))
        await this.mailboxes.releaseToken(inbox.id, token).catch(() => undefined);
      throw error;
    }
  }
}
