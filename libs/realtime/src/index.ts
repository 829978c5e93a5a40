export type {
  AgentEventName,
  AgentServerEvents,
  Channel,
  ConversationStatus,
  ConversationView,
  DeliveryStatus,
  MessageView,
  Priority,
} from './agent-events.js';
export { RealtimePublisher, type RealtimeEnvelope } from './realtime-publisher.js';
export { RealtimeModule } from './realtime.module.js';
export { AGENT_NAMESPACE, rooms } from './rooms.js';
