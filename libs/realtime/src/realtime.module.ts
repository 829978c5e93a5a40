import { Global, Module } from '@nestjs/common';
import { LocalCaches } from './local-caches.js';
import { PresenceStore } from './presence.store.js';
import { RealtimePublisher } from './realtime-publisher.js';

@Global()
@Module({
  exports: [LocalCaches, PresenceStore, RealtimePublisher],
  providers: [LocalCaches, PresenceStore, RealtimePublisher],
})
export class RealtimeModule {}
