import { parseMetaWebhook, MetaPayloadError } from './meta-payloads.js';
import { signMetaPayload, verifyMetaSignature } from './meta-signature.js';

describe('Meta webhooks', () => {
  it('verifies the signature over the exact bytes, escapes included, and rejects re-serialized JSON', () => {
    const raw = Buffer.from(
      '{"object":"page","entry":[{"id":"1","messaging":[{"message":{"mid":"m1","text":"caf\\u00e9 \\/ ok"}}]}]}',
    );
    const header = signMetaPayload('app-secret', raw);
    expect(verifyMetaSignature('app-secret', header, raw)).toBe(true);
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))));
    expect(verifyMetaSignature('app-secret', header, reserialized)).toBe(false);
    expect(verifyMetaSignature('other-secret', header, raw)).toBe(false);
    expect(verifyMetaSignature('app-secret', undefined, raw)).toBe(false);
    expect(verifyMetaSignature('app-secret', header.replace('sha256=', 'sha1='), raw)).toBe(false);
  });

  it('reads every event of every entry', () => {
    const { object, events } = parseMetaWebhook({
      object: 'page',
      entry: [
        {
          id: 'PAGE',
          messaging: [
            {
              sender: { id: 'PSID' },
              recipient: { id: 'PAGE' },
              timestamp: 1,
              message: { mid: 'm1', text: 'hi', quick_reply: { payload: 'YES' } },
            },
            {
              sender: { id: 'PAGE' },
              recipient: { id: 'PSID' },
              timestamp: 2,
              message: { mid: 'm2', is_echo: true, app_id: 42, text: 'yo' },
            },
          ],
        },
        {
          id: 'PAGE',
          messaging: [
            { sender: { id: 'PSID' }, delivery: { watermark: 5, mids: ['m2'] } },
            { sender: { id: 'PSID' }, read: { watermark: 6 } },
            { sender: { id: 'PSID' }, postback: { title: 'Get Started', payload: 'START', mid: 'm3' } },
            {
              sender: { id: 'PSID' },
              reaction: { mid: 'm2', reaction: 'love', emoji: '❤', action: 'react' },
            },
            {
              sender: { id: 'PSID' },
              message: {
                mid: 'm4',
                attachments: [
                  { type: 'image', payload: { url: 'https://cdn.example/x.jpg' } },
                  { type: 'fallback', payload: {} },
                ],
              },
            },
            { sender: { id: 'PSID' }, optin: { ref: 'x' } },
          ],
        },
      ],
    });
    expect(object).toBe('page');
    expect(events.map((e) => e.kind)).toEqual([
      'message',
      'echo',
      'delivery',
      'read',
      'postback',
      'reaction',
      'message',
      'ignored',
    ]);
    expect(events[0]).toMatchObject({ senderId: 'PSID', mid: 'm1', text: 'hi', quickReplyPayload: 'YES' });
    expect(events[1]).toMatchObject({ recipientId: 'PSID', appId: '42' });
    expect(events[6]).toMatchObject({ attachments: [{ type: 'image', url: 'https://cdn.example/x.jpg' }] });
  });

  it('refuses an envelope that is not a page or instagram object', () => {
    expect(() => parseMetaWebhook({ object: 'user', entry: [] })).toThrow(MetaPayloadError);
    expect(() => parseMetaWebhook({ object: 'page' })).toThrow(MetaPayloadError);
  });
});
