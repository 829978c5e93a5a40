import { Body, Controller, Get, HttpCode, Post, Req, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AuthService,
  MembersService,
  WorkspacesService,
  type LoginResult,
  type Principal,
} from '@parley/accounts';
import { CurrentPrincipal, Public } from './auth.decorators.js';
import { ChangePasswordDto, LoginDto } from './auth.dto.js';
import { bearerToken } from './auth.guard.js';

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

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Sign out: this token is refused from now on and its agent sockets are disconnected',
  })
  async logout(@Req() request: { headers: Record<string, string | string[] | undefined> }): Promise<void> {
    await this.auth.logout(signedInToken(request));
  }

  @Post('password')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'Change your password (current + new); every token of yours issued before is revoked and your ' +
      'agent sockets are disconnected. Returns a fresh token for this session.',
  })
  changePassword(
    @Req() request: { headers: Record<string, string | string[] | undefined> },
    @Body() dto: ChangePasswordDto,
  ): Promise<LoginResult> {
    return this.auth.changePassword(signedInToken(request), dto.currentPassword, dto.newPassword);
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

/** The JWT the request was authenticated with (API keys have no session to end). */
function signedInToken(request: { headers: Record<string, string | string[] | undefined> }): string {
  const token = bearerToken(request);
  if (!token || token.startsWith('pk_'))
    throw new UnauthorizedException('Only a signed-in member (bearer JWT) has a session');
  return token;
}
