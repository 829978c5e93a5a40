export { PrivacyModule } from './privacy.module.js';
export { ERASED, type ErasureCounts } from './privacy.repository.js';
export {
  EXPORT_FORMAT,
  PrivacyService,
  type ContactExport,
  type ExportCounts,
  type PrivacyActor,
} from './privacy.service.js';
export { RETENTION_BATCH, RetentionService, type RetentionInboxReport } from './retention.service.js';
