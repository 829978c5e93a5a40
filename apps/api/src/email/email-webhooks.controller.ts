import {
  BadRequestException,
  Controller,
  Headers,
  HttpCode,
  HttpException,
  HttpStatus,
  NotAcceptableException,
  Param,
  PayloadTooLargeException,
  Post,
  Req,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AppConfig } from '@parley/config';
import { EmailRejectedError, EmailWebhooksService } from '@parley/inbox';
import { Public } from '../auth/auth.decorators.js';
import { uuid } from '../common/params.js';
import { MimeFormError, readMimeForm } from './mime-form.js';

interface BufferedRequest {
  body?: unknown;
}

/**
 * Raw-MIME webhook (Mailgun `forward()` to a URL ending in `mime`, or any provider that posts the
 * full message): `PUBLIC_URL/webhooks/email/<inboxId>`. The body is read by `emailWebhookBody`
 * (api.app.ts) with its own size limit, not by the JSON/urlencoded parsers.
 */
@ApiExcludeController()
@Public()
@Controller('webhooks/email/:inboxId')
export class EmailWebhooksController {
  constructor(
    private readonly email: EmailWebhooksService,
    private readonly config: AppConfig,
  ) {}

  // `…/mime`: Mailgun posts the raw MIME (`body-mime`) only to forward() URLs that end in `mime`.
  @Post(['', 'mime'])
  @HttpCode(200)
  // Public and signed like the Twilio and Meta webhooks, so likewise outside the agent API's OpenAPI document;
  // the contract is in docs/channels/email.md.
  async receive(
    @Param('inboxId', uuid) inboxId: string,
    @Headers('content-type') contentType: string | undefined,
    @Req() request: BufferedRequest,
  ) {
    if (!Buffer.isBuffer(request.body) || request.body.length === 0)
      throw new BadRequestException('An email webhook needs a form body with body-mime');
    const max = this.config.env.EMAIL_MAX_BYTES;
    let form;
    try {
      form = await readMimeForm(contentType ?? '', request.body, max);
    } catch (error) {
      if (error instanceof MimeFormError)
        throw new HttpException(error.message, HttpStatus.UNSUPPORTED_MEDIA_TYPE);
      throw error;
    }
    if (form.truncated || (form.bodyMime?.length ?? 0) > max)
      throw new PayloadTooLargeException(`The message is over the ${max}-byte limit (EMAIL_MAX_BYTES)`);
    try {
      const receipt = await this.email.receive(inboxId, {
        bodyMime: form.bodyMime,
        timestamp: form.fields.timestamp,
        token: form.fields.token,
        signature: form.fields.signature,
      });
      return {
        outcome: receipt.outcome,
        messageId: receipt.messageId,
        conversationId: receipt.conversationId,
        automatic: receipt.automatic,
      };
    } catch (error) {
      if (error instanceof EmailRejectedError) {
        if (error.reason === 'too_large') throw new PayloadTooLargeException(error.message);
        throw new NotAcceptableException(error.message);
      }
      throw error;
    }
  }
}

/**
 * Buffers the body of `/webhooks/email/*` requests (before the JSON/urlencoded parsers, whose
 * BODY_LIMIT is far too small for mail), refusing more than `limit` bytes with 413.
 */
export function emailWebhookBody(limit: number) {
  return (
    request: NodeJS.ReadableStream & { headers: Record<string, string | undefined>; body?: unknown },
    response: { status(code: number): { json(body: unknown): void }; headersSent: boolean },
    next: (error?: unknown) => void,
  ): void => {
    const tooLarge = () =>
      response.status(413).json({
        statusCode: 413,
        error: 'Payload Too Large',
        message: `The request is over the ${limit}-byte limit for email webhooks`,
      });
    if (Number(request.headers['content-length'] ?? 0) > limit) {
      tooLarge();
      request.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        tooLarge();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (refused) return;
      request.body = Buffer.concat(chunks);
      next();
    });
    request.on('error', (error) => {
      if (!refused && !response.headersSent) next(error);
    });
  };
}
