import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { InboxError, InboxErrorCode } from './inbox.errors.js';
import type { IdentityKind } from './inbox.entities.js';

/** Identity kinds that only mean something inside one inbox (page- or site-scoped ids). */
export const INBOX_SCOPED_KINDS: ReadonlySet<IdentityKind> = new Set([
  'psid',
  'igsid',
  'visitor',
  'external',
]);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The canonical form of an identity: E.164 phones (SMS and WhatsApp share one), lower-cased emails.
 * A `whatsapp:` prefix, as Twilio sends it, is accepted and dropped.
 */
export function normalizeIdentity(kind: IdentityKind, raw: string, defaultCountry?: CountryCode): string {
  const value = raw.trim();
  switch (kind) {
    case 'phone': {
      const digits = value.replace(/^whatsapp:/i, '');
      const phone = parsePhoneNumberFromString(digits, defaultCountry);
      if (!phone?.isPossible()) {
        throw new InboxError(
          InboxErrorCode.InvalidIdentity,
          `"${raw}" is not a phone number in international format`,
        );
      }
      return phone.number;
    }
    case 'email': {
      const email = value.toLowerCase();
      if (!EMAIL.test(email) || email.length > 320) {
        throw new InboxError(InboxErrorCode.InvalidIdentity, `"${raw}" is not an email address`);
      }
      return email;
    }
    case 'psid':
    case 'igsid':
    case 'visitor':
    case 'external':
      if (!value || value.length > 255) {
        throw new InboxError(InboxErrorCode.InvalidIdentity, `a ${kind} identifier must be 1-255 characters`);
      }
      return value;
  }
}
