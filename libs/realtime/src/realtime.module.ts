import { Global, Module } from '@nestjs/common';
import { RealtimePublisher } from './realtime-publisher.js';

@Global()
@Module({ exports: [RealtimePublisher], providers: [RealtimePublisher] })
export class RealtimeModule {}
