import { Controller, Get, Param, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@parley/accounts';
import { EmailInboundService } from '@parley/inbox';
import { CurrentPrincipal } from '../auth/auth.decorators.js';
import { uuid } from '../common/params.js';

/** The original of an inbound email: what the timeline shows is only its new, visible text. */
@ApiTags('messages')
@ApiBearerAuth()
@Controller('api/v1/messages/:messageId')
export class EmailMessagesController {
  constructor(private readonly email: EmailInboundService) {}

  @Get('email')
  @ApiOperation({
    summary: 'The full original of an inbound email',
    description:
      'Headers, the full text (with the quoted history the timeline hides), and the HTML sanitized for display ' +
      '(no scripts, styles or remote images; inline images point at the message attachments). 404 for messages ' +
      'that did not come in by email.',
  })
  original(@CurrentPrincipal() principal: Principal, @Param('messageId', uuid) messageId: string) {
    return this.email.original(principal.workspaceId, messageId);
  }

  @Get('raw')
  @ApiProduces('message/rfc822')
  @ApiOperation({ summary: 'The raw MIME source of an inbound email, as received (an .eml download)' })
  async raw(
    @CurrentPrincipal() principal: Principal,
    @Param('messageId', uuid) messageId: string,
  ): Promise<StreamableFile> {
    const file = await this.email.openRaw(principal.workspaceId, messageId);
    return new StreamableFile(file.stream, {
      type: 'message/rfc822',
      length: file.size,
      disposition: `attachment; filename="message-${messageId}.eml"`,
    });
  }
}
