import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@parley/accounts';
import { ConversationsService } from '@parley/inbox';
import { actorOf, CurrentPrincipal } from '../auth/auth.decorators.js';
import { assignChanges, listItemView } from './conversation.views.js';
import {
  AssignDto,
  LabelsDto,
  ListConversationsQuery,
  NoteDto,
  ReplyDto,
  SnoozeDto,
  UpdateConversationDto,
} from './conversation.dto.js';
import { uuid } from '../common/params.js';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('api/v1/conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get()
  @ApiOperation({ summary: 'The shared inbox: filter, search and page through conversations' })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListConversationsQuery) {
    const page = await this.conversations.list(principal.workspaceId, {
      view: query.view ?? 'all',
      userId: principal.userId,
      status: query.status,
      teamId: query.teamId,
      inboxId: query.inboxId,
      channel: query.channel,
      labelId: query.labelId,
      search: query.q,
      sort: query.sort ?? 'newest',
      cursor: query.cursor,
      limit: query.limit ?? 25,
    });
    return { items: page.items.map(listItemView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({
    summary: 'One conversation with its contact and the inboxes the customer can be reached on',
  })
  get(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    return this.conversations.get(principal.workspaceId, id);
  }

  @Get(':id/messages')
  @ApiOperation({ summary: 'Messages and notes of this conversation, oldest first' })
  async messages(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    return { items: await this.conversations.messages(principal.workspaceId, id) };
  }

  @Post(':id/messages')
  @ApiOperation({
    summary: 'Reply to the customer; delivered in the background, status follows over the socket',
  })
  reply(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string, @Body() dto: ReplyDto) {
    return this.conversations.reply(principal.workspaceId, actorOf(principal), id, dto);
  }

  @Post(':id/notes')
  @ApiOperation({ summary: 'Add a private note, visible to agents only' })
  note(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string, @Body() dto: NoteDto) {
    return this.conversations.addNote(principal.workspaceId, actorOf(principal), id, dto.body);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Assign to a member and/or a team (null clears)' })
  assign(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string, @Body() dto: AssignDto) {
    return this.conversations.assign(principal.workspaceId, actorOf(principal), id, assignChanges(dto));
  }

  @Post(':id/snooze')
  @HttpCode(200)
  @ApiOperation({ summary: 'Snooze until a time; a customer message wakes it earlier' })
  snooze(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string, @Body() dto: SnoozeDto) {
    return this.conversations.snooze(principal.workspaceId, actorOf(principal), id, new Date(dto.until));
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resolve' })
  resolve(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    return this.conversations.resolve(principal.workspaceId, actorOf(principal), id);
  }

  @Post(':id/pending')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mark as waiting on the customer (pending): pauses active resolution and handle time',
  })
  pending(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    return this.conversations.setStatus(principal.workspaceId, actorOf(principal), id, 'pending');
  }

  @Post(':id/open')
  @HttpCode(200)
  @ApiOperation({ summary: 'Back to open from pending or snoozed' })
  open(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    return this.conversations.setStatus(principal.workspaceId, actorOf(principal), id, 'open');
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reopen a resolved conversation (counts as a reopen)' })
  reopen(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    return this.conversations.reopen(principal.workspaceId, actorOf(principal), id);
  }

  @Put(':id/labels')
  @ApiOperation({ summary: 'Replace the labels (by name; each must exist)' })
  labels(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string, @Body() dto: LabelsDto) {
    return this.conversations.setLabels(principal.workspaceId, actorOf(principal), id, dto.labels);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change the priority' })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body() dto: UpdateConversationDto,
  ) {
    return dto.priority
      ? this.conversations.setPriority(principal.workspaceId, actorOf(principal), id, dto.priority)
      : this.conversations.get(principal.workspaceId, id).then((detail) => detail.conversation);
  }
}
