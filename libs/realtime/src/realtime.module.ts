import { Global, Module } from '@nestjs/common';
import { PresenceStore } from './presence.store.js';
import { RealtimePublisher } from './realtime-publisher.js';
import { WidgetPublisher } from './widget-events.js';

@Global()
@Module({
  exports: [PresenceStore, RealtimePublisher, WidgetPublisher],
  providers: [PresenceStore, RealtimePublisher, WidgetPublisher],
})
export class RealtimeModule {}
