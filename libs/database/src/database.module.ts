import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@parley/config';
import { AdvisoryLocks } from './advisory-locks.js';
import { AuditLogEntry } from './audit-log.entity.js';
import { AuditLogRepository } from './audit-log.repository.js';
import { dataSourceOptions } from './data-source.options.js';
import { SecretCipher } from './secret-cipher.js';
import { TransactionRunner } from './transaction.js';

@Global()
@Module({
  exports: [AdvisoryLocks, AuditLogRepository, SecretCipher, TransactionRunner],
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.env),
        autoLoadEntities: true,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
    TypeOrmModule.forFeature([AuditLogEntry]),
  ],
  providers: [AdvisoryLocks, AuditLogRepository, SecretCipher, TransactionRunner],
})
export class DatabaseModule {}
