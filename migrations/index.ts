import { InitialSchema1763800000000 } from './1763800000000-initial-schema.js';
import { ProviderDelivery1763900000000 } from './1763900000000-provider-delivery.js';
import { ChannelHealth1764000000000 } from './1764000000000-channel-health.js';
import { PerChannelOptOut1764100000000 } from './1764100000000-per-channel-opt-out.js';
import { Assignment1764200000000 } from './1764200000000-assignment.js';
import { AutomationRules1764300000000 } from './1764300000000-automation-rules.js';
import { EmailChannel1764400000000 } from './1764400000000-email-channel.js';
import { Metrics1764500000000 } from './1764500000000-metrics.js';
import { Webchat1764600000000 } from './1764600000000-webchat.js';
import { Surveys1764800000000 } from './1764800000000-surveys.js';
import { AutomationSlaEvents1764810000000 } from './1764810000000-automation-sla-events.js';
import { ScaleIndexes1765000000000 } from './1765000000000-scale-indexes.js';
import { TokenRevocation1765100000000 } from './1765100000000-token-revocation.js';
import { Privacy1765200000000 } from './1765200000000-privacy.js';
import { DailyRollups1765300000000 } from './1765300000000-daily-rollups.js';
import { UnassignedQueueIndex1765400000000 } from './1765400000000-unassigned-queue-index.js';
import { RollupGrains1765500000000 } from './1765500000000-rollup-grains.js';
import { ReportReads1765600000000 } from './1765600000000-report-reads.js';
import { HourlyRollups1765610000000 } from './1765610000000-hourly-rollups.js';
import { LiveQueueIndex1765700000000 } from './1765700000000-live-queue-index.js';
import { AssignmentMetrics1765710000000 } from './1765710000000-assignment-metrics.js';
import { FcrWindowCovering1765720000000 } from './1765720000000-fcr-window-covering.js';
import { ContactSearchText1765730000000 } from './1765730000000-contact-search-text.js';
import { MetricsRowRoom1765740000000 } from './1765740000000-metrics-row-room.js';
import { RollupJournal1765750000000 } from './1765750000000-rollup-journal.js';

/** Every migration, oldest first. */
export const allMigrations = [
  InitialSchema1763800000000,
  ProviderDelivery1763900000000,
  ChannelHealth1764000000000,
  PerChannelOptOut1764100000000,
  Assignment1764200000000,
  AutomationRules1764300000000,
  EmailChannel1764400000000,
  Metrics1764500000000,
  Webchat1764600000000,
  Surveys1764800000000,
  AutomationSlaEvents1764810000000,
  ScaleIndexes1765000000000,
  TokenRevocation1765100000000,
  Privacy1765200000000,
  DailyRollups1765300000000,
  UnassignedQueueIndex1765400000000,
  RollupGrains1765500000000,
  ReportReads1765600000000,
  HourlyRollups1765610000000,
  LiveQueueIndex1765700000000,
  AssignmentMetrics1765710000000,
  FcrWindowCovering1765720000000,
  ContactSearchText1765730000000,
  MetricsRowRoom1765740000000,
  RollupJournal1765750000000,
];
