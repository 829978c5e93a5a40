import { Module } from '@nestjs/common';
import { InboxModule } from '@parley/inbox';
import { ReportingModule } from '@parley/reporting';
import { WidgetController } from './widget.controller.js';
import { WidgetGateway } from './widget.gateway.js';
import { WidgetHoursService } from './widget-hours.service.js';

/** Web chat: the `/widget` socket.io namespace, the widget bundle and the demo page. */
@Module({
  controllers: [WidgetController],
  imports: [InboxModule, ReportingModule],
  providers: [WidgetGateway, WidgetHoursService],
})
export class WidgetModule {}
