import type { DeliveryStatus } from '@parley/realtime';

export type FormParams = Record<string, string | string[] | undefined>;

export interface TwilioInbound {
  messageSid: string;
  accountSid: string;
  /** `From` as received: `+E164` for SMS, `whatsapp:+E164` (or a business-scoped id) for WhatsApp. */
  from: string;
  to: string;
  whatsapp: boolean;
  body: string;
  profileName: string | null;
  media: Array<{ url: string; contentType: string }>;
  /** What the customer asked for with a keyword (or Advanced Opt-Out's OptOutType). */
  consent: 'opted_out' | 'opted_in' | null;
  location: { latitude: string; longitude: string } | null;
}

export interface TwilioStatusUpdate {
  messageSid: string;
  status: DeliveryStatus | null;
  error: { code: string; message: string } | null;
}

// Twilio's default STOP-type keywords on long codes, and the usual opt-in ones (CHANNELS.md §1.8).
const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const START_WORDS = new Set(['START', 'UNSTOP', 'YES']);

const text = (params: FormParams, key: string): string => {
  const value = params[key];
  return (Array.isArray(value) ? value[0] : value) ?? '';
};

export class TwilioPayloadError extends Error {}

/** An inbound message webhook, as Twilio posts it (form fields). */
export function parseTwilioInbound(params: FormParams): TwilioInbound {
  const messageSid = text(params, 'MessageSid') || text(params, 'SmsMessageSid') || text(params, 'SmsSid');
  const from = text(params, 'From');
  if (!/^(SM|MM)[0-9a-fA-F]{32}$/.test(messageSid))
    throw new TwilioPayloadError('MessageSid is missing or malformed');
  if (!from) throw new TwilioPayloadError('From is missing');
  const count = Math.min(Number.parseInt(text(params, 'NumMedia') || '0', 10) || 0, 10);
  const media = Array.from({ length: count }, (_, n) => ({
    url: text(params, `MediaUrl${n}`),
    contentType: text(params, `MediaContentType${n}`) || 'application/octet-stream',
  })).filter((item) => /^https?:\/\//.test(item.url));
  const body = text(params, 'Body').replaceAll('\0', '');
  const keyword = body.trim().toUpperCase();
  const optOutType = text(params, 'OptOutType').toUpperCase();
  // Keywords are an SMS convention (Twilio acts on them there); WhatsApp only via OptOutType.
  const whatsapp = from.toLowerCase().startsWith('whatsapp:');
  const consent =
    optOutType === 'STOP' || (!whatsapp && STOP_WORDS.has(keyword))
      ? 'opted_out'
      : optOutType === 'START' || (!whatsapp && START_WORDS.has(keyword))
        ? 'opted_in'
        : null;
  const latitude = text(params, 'Latitude');
  const longitude = text(params, 'Longitude');
  return {
    messageSid,
    accountSid: text(params, 'AccountSid'),
    from,
    to: text(params, 'To'),
    whatsapp,
    body,
    profileName: text(params, 'ProfileName') || null,
    media,
    consent,
    location: latitude && longitude ? { latitude, longitude } : null,
  };
}

const STATUS: Record<string, DeliveryStatus | null> = {
  accepted: null,
  scheduled: null,
  queued: null,
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
  undelivered: 'undelivered',
  canceled: 'failed',
};

/** A status callback: MessageStatus mapped onto Parley's delivery states (null: nothing to record). */
export function parseTwilioStatus(params: FormParams): TwilioStatusUpdate {
  const messageSid = text(params, 'MessageSid') || text(params, 'SmsSid');
  const raw = (text(params, 'MessageStatus') || text(params, 'SmsStatus')).toLowerCase();
  if (!messageSid || !raw) throw new TwilioPayloadError('MessageSid and MessageStatus are required');
  const status = raw in STATUS ? (STATUS[raw] ?? null) : null;
  const code = text(params, 'ErrorCode');
  const failed = status === 'failed' || status === 'undelivered';
  return {
    messageSid,
    status,
    error:
      failed || code
        ? {
            code: code ? twilioErrorCode(code) : raw,
            message: text(params, 'ErrorMessage') || describeTwilioError(code, raw),
          }
        : null,
  };
}

/** One code per Twilio failure, whether it came back from the send or in a status callback. */
export function twilioErrorCode(code: string | number | undefined): string {
  switch (String(code ?? '')) {
    case '21610':
      return 'opted_out';
    case '21211':
    case '21614':
      return 'invalid_number';
    case '63016':
      return 'whatsapp_window_closed';
    case '63017':
    case '20429':
      return 'rate_limited';
    case '':
      return 'failed';
    default:
      return `twilio_${String(code)}`;
  }
}

/** Plain words for the error codes agents meet most (CHANNELS.md §1.5). */
export function describeTwilioError(code: string | number | undefined, fallback = 'failed'): string {
  switch (String(code ?? '')) {
    case '21610':
      return 'The customer opted out of messages from this number (they sent STOP)';
    case '21211':
      return 'The phone number is not valid';
    case '21614':
      return 'The number cannot receive SMS (not a mobile number)';
    case '63016':
      return 'Outside the WhatsApp 24-hour window: send an approved template instead';
    case '63017':
    case '20429':
      return 'Rate limited by the provider';
    case '30003':
      return 'The handset is unreachable';
    case '30005':
      return 'Unknown destination handset';
    case '30006':
      return 'Landline or unreachable carrier';
    case '30007':
      return 'Blocked as spam by the carrier';
    default:
      return code ? `Twilio error ${String(code)}` : `Delivery ${fallback}`;
  }
}
