import { parseTwilioInbound, parseTwilioStatus, TwilioPayloadError } from './twilio-payloads.js';
import { signTwilioRequest, verifyTwilioSignature } from './twilio-client.js';

const SID = 'SM' + 'a'.repeat(32);

describe('Twilio payloads', () => {
  it('verifies the documented test vector (CHANNELS.md §1.3)', () => {
    const params = {
      MessageSid: 'SM' + 'b'.repeat(32),
      AccountSid: 'AC' + '0'.repeat(32),
      From: '+15551234567',
      To: '+15557654321',
      Body: 'Hi there',
      NumMedia: '0',
    };
    const url = 'https://inbox.example.test/webhooks/twilio/sms?tenant=1';
    expect(signTwilioRequest('test_auth_token', url, params)).toBe('TJP4nRcRARHjijbsmzxlK4bAWWs=');
    expect(verifyTwilioSignature('test_auth_token', 'TJP4nRcRARHjijbsmzxlK4bAWWs=', url, params)).toBe(true);
    expect(
      verifyTwilioSignature('test_auth_token', 'TJP4nRcRARHjijbsmzxlK4bAWWs=', url, {
        ...params,
        Body: 'Hi',
      }),
    ).toBe(false);
  });

  it('reads a WhatsApp message with media and a profile name', () => {
    const parsed = parseTwilioInbound({
      MessageSid: SID,
      From: 'whatsapp:+447700900123',
      To: 'whatsapp:+14155238886',
      Body: 'photo\u0000',
      NumMedia: '2',
      MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
      MediaContentType0: 'image/jpeg',
      MediaUrl1: 'javascript:alert(1)',
      ProfileName: 'Tom',
    });
    expect(parsed).toMatchObject({ whatsapp: true, body: 'photo', profileName: 'Tom', consent: null });
    expect(parsed.media).toEqual([
      {
        url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
        contentType: 'image/jpeg',
      },
    ]);
  });

  it.each([
    ['STOP', {}, 'opted_out'],
    ['  unsubscribe ', {}, 'opted_out'],
    ['Please stop texting me', {}, null],
    ['start', {}, 'opted_in'],
    ['hello', { OptOutType: 'STOP' }, 'opted_out'],
  ])('reads %p as consent %p', (body, extra, consent) => {
    expect(parseTwilioInbound({ MessageSid: SID, From: '+15551234567', Body: body, ...extra }).consent).toBe(
      consent,
    );
  });

  it('treats keywords as opt-out on SMS only; WhatsApp needs OptOutType', () => {
    const wa = (Body: string, extra = {}) =>
      parseTwilioInbound({ MessageSid: SID, From: 'whatsapp:+15551234567', Body, ...extra }).consent;
    expect(wa('STOP')).toBeNull();
    expect(wa('cancel')).toBeNull();
    expect(wa('x', { OptOutType: 'STOP' })).toBe('opted_out');
  });

  it('gives a status callback failure the same code as the send would', () => {
    expect(
      parseTwilioStatus({ MessageSid: SID, MessageStatus: 'failed', ErrorCode: '21610' }).error?.code,
    ).toBe('opted_out');
    expect(
      parseTwilioStatus({ MessageSid: SID, MessageStatus: 'failed', ErrorCode: '63016' }).error?.code,
    ).toBe('whatsapp_window_closed');
  });

  it('refuses a payload without a MessageSid', () => {
    expect(() => parseTwilioInbound({ From: '+1555', Body: 'x' })).toThrow(TwilioPayloadError);
  });

  it('maps status callbacks, with the error in words', () => {
    expect(parseTwilioStatus({ MessageSid: SID, MessageStatus: 'delivered' })).toEqual({
      messageSid: SID,
      status: 'delivered',
      error: null,
    });
    expect(parseTwilioStatus({ MessageSid: SID, MessageStatus: 'queued' }).status).toBeNull();
    expect(parseTwilioStatus({ MessageSid: SID, MessageStatus: 'undelivered', ErrorCode: '30003' })).toEqual({
      messageSid: SID,
      status: 'undelivered',
      error: { code: 'twilio_30003', message: 'The handset is unreachable' },
    });
  });
});
