import { Injectable } from '@nestjs/common';
import { CalendarsService } from '@parley/reporting';

/** Whether a web chat inbox is within business hours: its own calendar, else the workspace's, else always. */
@Injectable()
export class WidgetHoursService {
  constructor(private readonly calendars: CalendarsService) {}

  isOpen(workspaceId: string, inboxId: string, at = new Date()): Promise<boolean> {
    return this.calendars.isOpen(workspaceId, { inboxId, teamId: null }, at);
  }
}
