import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@parley/accounts';
import { CatalogService } from '@parley/inbox';
import { CurrentPrincipal } from '../auth/auth.decorators.js';
import { CreateCannedResponseDto, SearchQuery, UpdateCannedResponseDto } from './catalog.dto.js';
import { cannedResponseView } from './catalog.views.js';
import { uuid } from '../common/params.js';

@ApiTags('canned responses')
@ApiBearerAuth()
@Controller('api/v1/canned-responses')
export class CannedResponsesController {
  constructor(private readonly catalog: CatalogService) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: SearchQuery) {
    return { items: (await this.catalog.listCanned(principal.workspaceId, query.q)).map(cannedResponseView) };
  }

  @Get(':id')
  async get(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string) {
    return cannedResponseView(await this.catalog.getCanned(principal.workspaceId, id));
  }

  @Post()
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateCannedResponseDto) {
    return cannedResponseView(await this.catalog.createCanned(principal.workspaceId, principal.userId, dto));
  }

  @Patch(':id')
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body() dto: UpdateCannedResponseDto,
  ) {
    return cannedResponseView(await this.catalog.updateCanned(principal.workspaceId, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string): Promise<void> {
    await this.catalog.deleteCanned(principal.workspaceId, id);
  }
}
