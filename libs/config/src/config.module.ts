import { Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config.js';

@Global()
@Module({
  exports: [AppConfig],
  providers: [{ provide: AppConfig, useFactory: () => new AppConfig() }],
})
export class ConfigModule {}
