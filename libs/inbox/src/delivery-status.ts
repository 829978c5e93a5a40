import type { DeliveryStatus } from '@parley/realtime';

const RANK: Record<DeliveryStatus, number> = {
  received: 0,
  queued: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  failed: 5,
  undelivered: 5,
};

const TERMINAL: ReadonlySet<DeliveryStatus> = new Set(['failed', 'undelivered', 'read']);

/**
 * Delivery status only moves forward: queued < sent < delivered < read. Failed and undelivered are
 * terminal and may only follow queued or sent (a late "sent" callback after "delivered" is ignored).
 */
export function canAdvance(from: DeliveryStatus, to: DeliveryStatus): boolean {
  if (from === to || TERMINAL.has(from)) return false;
  if (to === 'failed' || to === 'undelivered') return from === 'queued' || from === 'sent';
  return RANK[to] > RANK[from];
}
