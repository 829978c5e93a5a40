/** Meta webhook events (Messenger and Instagram), normalized. CHANNELS.md §2.3. */
export type MetaEvent =
  | {
      kind: 'message';
      pageId: string;
      senderId: string;
      mid: string;
      text: string;
      quickReplyPayload: string | null;
      replyToMid: string | null;
      attachments: Array<{ type: string; url: string }>;
      timestamp: number;
    }
  | {
      kind: 'echo';
      pageId: string;
      recipientId: string;
      mid: string;
      appId: string | null;
      text: string;
      timestamp: number;
    }
  | { kind: 'delivery'; pageId: string; senderId: string; watermark: number; mids: string[] }
  | { kind: 'read'; pageId: string; senderId: string; watermark: number | null; mid: string | null }
  | {
      kind: 'postback';
      pageId: string;
      senderId: string;
      mid: string;
      title: string;
      payload: string;
      timestamp: number;
    }
  | {
      kind: 'reaction';
      pageId: string;
      senderId: string;
      mid: string;
      reaction: string;
      emoji: string;
      action: 'react' | 'unreact';
    }
  | { kind: 'ignored'; reason: string };

export class MetaPayloadError extends Error {}

type Json = Record<string, unknown>;

const obj = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
const str = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value) || 0);

/** Every event of every entry of one POST (Meta batches both). */
export function parseMetaWebhook(body: unknown): { object: 'page' | 'instagram'; events: MetaEvent[] } {
  const envelope = obj(body);
  const object = envelope.object;
  if (object !== 'page' && object !== 'instagram')
    throw new MetaPayloadError('object must be "page" or "instagram"');
  if (!Array.isArray(envelope.entry)) throw new MetaPayloadError('entry must be an array');
  const events: MetaEvent[] = [];
  for (const rawEntry of envelope.entry) {
    const entry = obj(rawEntry);
    const pageId = str(entry.id);
    const messaging = Array.isArray(entry.messaging) ? entry.messaging : [];
    for (const raw of messaging) events.push(parseEvent(pageId, obj(raw)));
    if (Array.isArray(entry.standby) && entry.standby.length)
      events.push({ kind: 'ignored', reason: 'standby (another app owns the thread)' });
  }
  return { object, events };
}

function parseEvent(pageId: string, event: Json): MetaEvent {
  const senderId = str(obj(event.sender).id);
  const recipientId = str(obj(event.recipient).id);
  const timestamp = num(event.timestamp);
  if (event.message) {
    const message = obj(event.message);
    const mid = str(message.mid);
    if (!mid) return { kind: 'ignored', reason: 'message without mid' };
    if (message.is_echo === true) {
      return {
        kind: 'echo',
        pageId,
        recipientId,
        mid,
        appId: str(message.app_id) || null,
        text: str(message.text),
        timestamp,
      };
    }
    if (message.is_deleted === true) return { kind: 'ignored', reason: 'deleted message' };
    const attachments = (Array.isArray(message.attachments) ? message.attachments : []).flatMap((raw) => {
      const attachment = obj(raw);
      const url = str(obj(attachment.payload).url);
      return /^https:\/\//.test(url) ? [{ type: str(attachment.type) || 'file', url }] : [];
    });
    return {
      kind: 'message',
      pageId,
      senderId,
      mid,
      text: str(message.text),
      quickReplyPayload: str(obj(message.quick_reply).payload) || null,
      replyToMid: str(obj(message.reply_to).mid) || null,
      attachments,
      timestamp,
    };
  }
  if (event.delivery) {
    const delivery = obj(event.delivery);
    const mids = Array.isArray(delivery.mids) ? delivery.mids.map(str).filter(Boolean) : [];
    return { kind: 'delivery', pageId, senderId, watermark: num(delivery.watermark), mids };
  }
  if (event.read) {
    const read = obj(event.read);
    return {
      kind: 'read',
      pageId,
      senderId,
      watermark: read.watermark ? num(read.watermark) : null,
      mid: str(read.mid) || null,
    };
  }
  if (event.postback) {
    const postback = obj(event.postback);
    const mid = str(postback.mid) || `postback-${senderId}-${timestamp}`;
    return {
      kind: 'postback',
      pageId,
      senderId,
      mid,
      title: str(postback.title),
      payload: str(postback.payload),
      timestamp,
    };
  }
  if (event.reaction) {
    const reaction = obj(event.reaction);
    return {
      kind: 'reaction',
      pageId,
      senderId,
      mid: str(reaction.mid),
      reaction: str(reaction.reaction),
      emoji: str(reaction.emoji),
      action: reaction.action === 'unreact' ? 'unreact' : 'react',
    };
  }
  return {
    kind: 'ignored',
    reason: `unsupported event (${Object.keys(event)
      .filter((k) => !['sender', 'recipient', 'timestamp'].includes(k))
      .join(', ')})`,
  };
}
