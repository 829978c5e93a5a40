import type { Channel } from '@parley/realtime';
import type { IdentityKind } from './inbox.entities.js';

/** Which identity kinds a channel can deliver to. */
export const DELIVERABLE_KINDS: Record<Channel, readonly IdentityKind[]> = {
  sms: ['phone'],
  whatsapp: ['phone', 'external'],
  email: ['email'],
  messenger: ['psid'],
  instagram: ['igsid'],
  // `external`: a visitor the host site verified (identifierHash); every device of theirs.
  webchat: ['visitor', 'external'],
  api: ['external', 'phone', 'email'],
};
