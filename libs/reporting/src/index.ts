export {
  BusinessClock,
  calendarProblems,
  WEEKDAYS,
  type CalendarDefinition,
  type Weekday,
  type WorkInterval,
} from './business-calendar.js';
export { CalendarsService, type CalendarInput, type CalendarView } from './calendars.service.js';
export { foldConversation, type CycleMetrics, type FoldContext, type MetricEvent } from './metrics-fold.js';
export { MetricsService, type RebuildReport, type SlaTimersView } from './metrics.service.js';
export { REPORTING_ENTITIES, SlaPolicy, type CalendarScope } from './reporting.entities.js';
export { ReportingError, ReportingErrorCode } from './reporting.errors.js';
export { ReportingModule } from './reporting.module.js';
export { SERIES_METRICS, type ReportFilter } from './reports.repository.js';
export { RollupsRepository, type RollupRebuildReport } from './rollups.repository.js';
export { csvCell, REPORT_SERIES, ReportsService } from './reports.service.js';
export { SlaPoliciesService, type SlaPolicyInput } from './sla-policies.service.js';
