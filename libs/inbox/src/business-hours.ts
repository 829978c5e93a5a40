import { Injectable } from '@nestjs/common';

export interface BusinessHoursScope {
  inboxId: string | null;
  teamId: string | null;
}

export type BusinessHoursResolver = (
  workspaceId: string,
  scope: BusinessHoursScope,
  at: Date,
) => Promise<boolean>;

/**
 * Whether a conversation is within business hours, for automation conditions. The calendars live in
 * the reporting lib, which provides the answer at start-up; the inbox only knows this port.
 */
@Injectable()
export class BusinessHours {
  private resolver: BusinessHoursResolver | null = null;

  provide(resolver: BusinessHoursResolver): void {
    this.resolver = resolver;
  }

  /** Null when no calendar service is running (then no business-hours condition matches). */
  async isOpen(workspaceId: string, scope: BusinessHoursScope, at = new Date()): Promise<boolean | null> {
    return this.resolver ? this.resolver(workspaceId, scope, at) : null;
  }
}
