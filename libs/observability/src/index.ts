export {
  currentLogContext,
  logJobContext,
  ParleyLogger,
  requestIdFrom,
  requestIdMiddleware,
  scrubSecrets,
  withLogContext,
  type LogContext,
  type ParleyLoggerOptions,
} from './logging.js';
export { Metrics } from './metrics.js';
export { ObservabilityModule } from './observability.module.js';
export { installGracefulShutdown, InFlightRequests, lifecycle, type ShutdownOptions } from './shutdown.js';
