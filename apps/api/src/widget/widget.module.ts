import { Module } from '@nestjs/common';
import { InboxModule } from '@parley/inbox';
import { ReportingModule } from '@parley/reporting';
import { WidgetContinuityTimer } from './widget-continuity.timer.js';
import { WidgetController } from './widget.controller.js';
import { WidgetGateway } from './widget.gateway.js';
import { WidgetHoursService } from './widget-hours.service.js';

/** Web chat: the `/widget` socket.io namespace, the widget bundle, the demo page, continuity emails. */
@Module({
  controllers: [WidgetController],
  imports: [InboxModule, ReportingModule],
  providers: [WidgetContinuityTimer, WidgetGateway, WidgetHoursService],
})
export class WidgetModule {}
