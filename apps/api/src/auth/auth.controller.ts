import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AuthService,
  MembersService,
  WorkspacesService,
  type LoginResult,
  type Principal,
} from '@parley/accounts';
import { CurrentPrincipal, Public } from './auth.decorators.js';
import { LoginDto } from './auth.dto.js';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly members: MembersService,
    private readonly workspaces: WorkspacesService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with email and password; returns a bearer token (JWT)' })
  login(@Body() dto: LoginDto): Promise<LoginResult> {
    return this.auth.login(dto.email, dto.password, dto.workspaceId);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in member (or API key) and its workspace' })
  async me(@CurrentPrincipal() principal: Principal) {
    const workspace = await this.workspaces.get(principal.workspaceId);
    const member = principal.userId ? await this.members.get(principal.workspaceId, principal.userId) : null;
    return {
      workspace: { id: workspace.id, name: workspace.name, timezone: workspace.timezone },
      role: principal.role,
      user: member ? { id: member.userId, email: member.email, name: member.name } : null,
      apiKeyId: principal.apiKeyId,
    };
  }
}
