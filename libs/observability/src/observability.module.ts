import { Global, Module } from '@nestjs/common';
import { Metrics } from './metrics.js';

@Global()
@Module({ exports: [Metrics], providers: [Metrics] })
export class ObservabilityModule {}
