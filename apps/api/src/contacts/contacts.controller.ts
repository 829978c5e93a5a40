import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@parley/accounts';
import { ContactsService } from '@parley/inbox';
import { actorOf, CurrentPrincipal } from '../auth/auth.decorators.js';
import { AuditedRoute } from '../common/audit.interceptor.js';
import { PageQueryDto } from '../common/pagination.dto.js';
import { ListContactsQuery, MergeContactDto, UpdateContactDto } from './contact.dto.js';
import { contactView, mergeView, profileView } from './contact.views.js';
import { uuid } from '../common/params.js';

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('api/v1/contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get()
  @ApiOperation({ summary: 'Contacts, most recently active first; search by name, email or phone' })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListContactsQuery) {
    const page = await this.contacts.list(principal.workspaceId, {
      search: query.q,
      cursor: query.cursor,
      limit: query.limit ?? 25,
    });
    return { items: page.items.map(contactView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Profile: identities per channel, attributes, consent, previous conversations, merges',
  })
  async profile(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    return profileView(await this.contacts.profile(principal.workspaceId, id));
  }

  @Patch(':id')
  @AuditedRoute()
  @ApiOperation({ summary: 'Update name, attributes or consent (audited: the names of the fields changed)' })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body() dto: UpdateContactDto,
  ) {
    return contactView(await this.contacts.update(principal.workspaceId, id, dto));
  }

  @Get(':id/timeline')
  @ApiOperation({
    summary: "The customer's whole cross-channel timeline, newest first, across all conversations",
  })
  timeline(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Query() query: PageQueryDto,
  ) {
    return this.contacts.timeline(principal.workspaceId, id, {
      cursor: query.cursor,
      limit: query.limit ?? 50,
    });
  }

  @Post(':id/merge')
  @ApiOperation({ summary: 'Merge another contact into this one (audited, reversible)' })
  async merge(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body() dto: MergeContactDto,
  ) {
    return mergeView(
      await this.contacts.merge(principal.workspaceId, actorOf(principal), id, dto.sourceContactId),
    );
  }

  @Post('merges/:mergeId/unmerge')
  @HttpCode(200)
  @ApiOperation({ summary: 'Undo a merge: identities, conversations and messages go back' })
  async unmerge(@CurrentPrincipal() principal: Principal, @Param('mergeId', uuid) mergeId: string) {
    return mergeView(await this.contacts.unmerge(principal.workspaceId, actorOf(principal), mergeId));
  }
}
