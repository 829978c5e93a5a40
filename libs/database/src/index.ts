export { AuditLogEntry } from './audit-log.entity.js';
export { AuditLogRepository, type AuditRecord } from './audit-log.repository.js';
export { decodeCursor, encodeCursor, InvalidCursorError, toPage, type Cursor, type Page } from './cursor.js';
export { dataSourceOptions, migrations } from './data-source.options.js';
export { DatabaseModule } from './database.module.js';
export { ensureDatabase, runMigrations } from './migrate.js';
export { SecretCipher } from './secret-cipher.js';
export { TransactionRunner } from './transaction.js';
export { assertDatabaseReachable, redactUrl } from './preflight.js';
