import { Module } from '@nestjs/common';
import { InboxModule } from '@parley/inbox';
import { ReportingModule } from '@parley/reporting';
import { WidgetController } from './widget.controller.js';
import { WidgetGateway } from './widget.gateway.js';

/** Web chat: the `/widget` socket.io namespace, the widget bundle and the demo page (continuity runs in the worker). */
@Module({
  controllers: [WidgetController],
  imports: [InboxModule, ReportingModule],
  providers: [WidgetGateway],
})
export class WidgetModule {}
