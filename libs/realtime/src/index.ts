export type {
  AgentEmitMap,
  AgentEventName,
  AgentServerEvents,
  Channel,
  ConversationStatus,
  ConversationView,
  DeliveryStatus,
  MessageView,
  Priority,
  SurveyAnswerEvent,
} from './agent-events.js';
export { LocalCache, LocalCaches, type LocalCacheOptions } from './local-caches.js';
export { PresenceStore } from './presence.store.js';
export { RealtimePublisher, type RealtimeEnvelope } from './realtime-publisher.js';
export { RealtimeModule } from './realtime.module.js';
export { AGENT_NAMESPACE, rooms } from './rooms.js';
export {
  WIDGET_NAMESPACE,
  widgetEventOf,
  widgetRooms,
  type WidgetEmitMap,
  type WidgetHello,
  type WidgetMessage,
  type WidgetServerEvents,
  type WidgetSurvey,
} from './widget-events.js';
