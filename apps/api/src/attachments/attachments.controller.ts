import { Controller, Get, Param, ParseIntPipe, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@parley/accounts';
import { MediaService } from '@parley/inbox';
import { CurrentPrincipal } from '../auth/auth.decorators.js';
import { uuid } from '../common/params.js';

// Images a browser may show inline; anything else (HTML, SVG, …) downloads, so it cannot run script here.
const INLINE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

@ApiTags('attachments')
@ApiBearerAuth()
@Controller('api/v1/messages/:messageId/attachments')
export class AttachmentsController {
  constructor(private readonly media: MediaService) {}

  @Get(':index')
  @ApiOperation({ summary: 'Download an attachment of a message (media fetched from the channel)' })
  async download(
    @CurrentPrincipal() principal: Principal,
    @Param('messageId', uuid) messageId: string,
    @Param('index', new ParseIntPipe()) index: number,
  ): Promise<StreamableFile> {
    const file = await this.media.open(principal.workspaceId, messageId, index);
    const inline = INLINE.has(file.contentType);
    return new StreamableFile(file.stream, {
      type: inline ? file.contentType : 'application/octet-stream',
      length: file.size,
      disposition: `${inline ? 'inline' : 'attachment'}; filename="${file.name.replace(/[^\w.-]/g, '_')}"`,
    });
  }
}
