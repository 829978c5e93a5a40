import {
  BadRequestException,
  Body,
  Controller,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AppConfig } from '@parley/config';
import type { FormParams } from '@parley/channels';
import { TwilioWebhooksService } from '@parley/inbox';
import { Public } from '../auth/auth.decorators.js';
import { uuid } from '../common/params.js';

/** What Twilio expects back: an empty TwiML document (replies go through the REST API). */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

interface RawRequest {
  originalUrl: string;
}

interface XmlResponse {
  type(contentType: string): unknown;
}

/** Twilio posts here: configure `PUBLIC_URL/webhooks/twilio/<inboxId>` as the number's messaging webhook. */
@ApiExcludeController()
@Public()
@Controller('webhooks/twilio/:inboxId')
export class TwilioWebhooksController {
  constructor(
    private readonly twilio: TwilioWebhooksService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(200)
  async inbound(
    @Param('inboxId', uuid) inboxId: string,
    @Headers('x-twilio-signature') signature: string | undefined,
    @Body() params: FormParams,
    @Req() request: RawRequest,
    @Res({ passthrough: true }) response: XmlResponse,
  ): Promise<string> {
    await this.twilio.receiveMessage(inboxId, this.publicUrl(request), required(signature), params);
    response.type('text/xml');
    return EMPTY_TWIML;
  }

  @Post('status')
  @HttpCode(200)
  async status(
    @Param('inboxId', uuid) inboxId: string,
    @Headers('x-twilio-signature') signature: string | undefined,
    @Body() params: FormParams,
    @Query('messageId') messageId: string | undefined,
    @Req() request: RawRequest,
    @Res({ passthrough: true }) response: XmlResponse,
  ): Promise<string> {
    await this.twilio.receiveStatus(inboxId, this.publicUrl(request), required(signature), params, messageId);
    response.type('text/xml');
    return EMPTY_TWIML;
  }

  /** Twilio signs the URL it was configured with, so verify against the public one, not the socket's. */
  private publicUrl(request: RawRequest): string {
    return `${this.config.env.PUBLIC_URL.replace(/\/$/, '')}${request.originalUrl}`;
  }
}

function required(signature: string | undefined): string {
  if (!signature) throw new BadRequestException('The X-Twilio-Signature header is missing');
  return signature;
}
