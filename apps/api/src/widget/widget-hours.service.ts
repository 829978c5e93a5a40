import { Injectable } from '@nestjs/common';
import { BusinessClock, CalendarsService } from '@parley/reporting';

/** Whether a web chat inbox is within business hours: its own calendar, else the workspace's, else always. */
@Injectable()
export class WidgetHoursService {
  constructor(private readonly calendars: CalendarsService) {}

  async isOpen(workspaceId: string, inboxId: string, at = new Date()): Promise<boolean> {
    const calendars = await this.calendars.list(workspaceId);
    const assigned = (scope: 'inbox' | 'workspace', scopeId: string) =>
      calendars.find((calendar) =>
        calendar.assignedTo.some((target) => target.scope === scope && target.scopeId === scopeId),
      );
    const calendar = assigned('inbox', inboxId) ?? assigned('workspace', workspaceId);
    return calendar ? new BusinessClock(calendar).isOpen(at) : true;
  }
}
