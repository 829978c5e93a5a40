import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@parley/config';
import { ACCOUNT_ENTITIES } from './accounts.entities.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthStateStore } from './auth-state.store.js';
import { AuthService } from './auth.service.js';
import { MembersService } from './members.service.js';
import { PasswordHasher } from './password-hasher.js';
import { TeamsService } from './teams.service.js';
import { WorkspacesService } from './workspaces.service.js';

@Module({
  exports: [ApiKeysService, AuthService, MembersService, TeamsService, WorkspacesService],
  imports: [
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.env.JWT_SECRET,
        signOptions: { expiresIn: config.env.JWT_TTL_SECONDS, algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
    TypeOrmModule.forFeature(ACCOUNT_ENTITIES),
  ],
  providers: [
    ApiKeysService,
    AuthService,
    AuthStateStore,
    MembersService,
    PasswordHasher,
    TeamsService,
    WorkspacesService,
  ],
})
export class AccountsModule {}
