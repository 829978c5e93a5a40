import {
  BadRequestException,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { MetaWebhooksService } from '@parley/inbox';
import { Public } from '../auth/auth.decorators.js';
import { uuid } from '../common/params.js';

interface RawBodyRequest {
  rawBody?: Buffer;
}

interface TextResponse {
  type(contentType: string): unknown;
}

/** Meta (Messenger, Instagram) calls `PUBLIC_URL/webhooks/meta/<inboxId>`: GET to subscribe, POST with events. */
@ApiExcludeController()
@Public()
@Controller('webhooks/meta/:inboxId')
export class MetaWebhooksController {
  constructor(private readonly meta: MetaWebhooksService) {}

  @Get()
  async subscribe(
    @Param('inboxId', uuid) inboxId: string,
    @Query('hub.mode') mode: string | undefined,
    @Query('hub.verify_token') token: string | undefined,
    @Query('hub.challenge') challenge: string | undefined,
    @Res({ passthrough: true }) response: TextResponse,
  ): Promise<string> {
    const echoed = await this.meta.verifySubscription(inboxId, mode, token, challenge);
    response.type('text/plain');
    return echoed;
  }

  @Post()
  @HttpCode(200)
  async events(
    @Param('inboxId', uuid) inboxId: string,
    @Headers('x-hub-signature-256') signature: string | undefined,
    @Req() request: RawBodyRequest,
    @Res({ passthrough: true }) response: TextResponse,
  ): Promise<string> {
    if (!signature) throw new BadRequestException('The X-Hub-Signature-256 header is missing');
    if (!request.rawBody?.length) throw new BadRequestException('A JSON body is required');
    await this.meta.receive(inboxId, signature, request.rawBody);
    response.type('text/plain');
    return 'EVENT_RECEIVED';
  }
}
