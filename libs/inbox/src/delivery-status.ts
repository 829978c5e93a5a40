import type { DeliveryStatus } from '@parley/realtime';

const RANK: Record<DeliveryStatus, number> = {
  received: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  read: 5,
  failed: 6,
  undelivered: 6,
};

const TERMINAL: ReadonlySet<DeliveryStatus> = new Set(['failed', 'undelivered', 'read']);

/**
 * Delivery status only moves forward: queued < sending < sent < delivered < read. Failed and
 * undelivered are terminal and may only follow queued, sending or sent (a late "sent" callback after
 * "delivered" is ignored).
 */
export function canAdvance(from: DeliveryStatus, to: DeliveryStatus): boolean {
  if (from === to || TERMINAL.has(from)) return false;
  if (to === 'failed' || to === 'undelivered')
    return from === 'queued' || from === 'sending' || from === 'sent';
  return RANK[to] > RANK[from];
}
