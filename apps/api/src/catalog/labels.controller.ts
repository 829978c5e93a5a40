import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@parley/accounts';
import { CatalogService } from '@parley/inbox';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators.js';
import { CreateLabelDto, UpdateLabelDto } from './catalog.dto.js';
import { labelView } from './catalog.views.js';
import { uuid } from '../common/params.js';

@ApiTags('labels')
@ApiBearerAuth()
@Controller('api/v1/labels')
export class LabelsController {
  constructor(private readonly catalog: CatalogService) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: (await this.catalog.listLabels(principal.workspaceId)).map(labelView) };
  }

  @Post()
  @RequireRole('supervisor')
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateLabelDto) {
    return labelView(await this.catalog.createLabel(principal.workspaceId, dto));
  }

  @Patch(':id')
  @RequireRole('supervisor')
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body() dto: UpdateLabelDto,
  ) {
    return labelView(await this.catalog.updateLabel(principal.workspaceId, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('supervisor')
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string): Promise<void> {
    await this.catalog.deleteLabel(principal.workspaceId, id);
  }
}
