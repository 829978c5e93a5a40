import { Global, Module } from '@nestjs/common';
import { PresenceStore } from './presence.store.js';
import { RealtimePublisher } from './realtime-publisher.js';

@Global()
@Module({ exports: [PresenceStore, RealtimePublisher], providers: [PresenceStore, RealtimePublisher] })
export class RealtimeModule {}
