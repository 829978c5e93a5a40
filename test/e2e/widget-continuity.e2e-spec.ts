import { randomBytes } from 'node:crypto';
import { signMailgun } from '@parley/channels';
import { Message, WebchatContinuityService } from '@parley/inbox';
import { eventually, SmtpSink } from '@parley/testing';
import { DataSource } from 'typeorm';
import { client } from '../support/stack.js';
import {
  addWebchatInbox,
  bootWidgetStack,
  connectWidget,
  echoId,
  type WidgetStack,
} from './widget-client.js';

const SIGNING_KEY = 'continuity-signing-key';

describe('Web chat continuity by email (real SMTP sink, raw-MIME webhook back)', () => {
  let setup: WidgetStack;
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    setup = await bootWidgetStack({});
  });

  afterAll(async () => {
    await setup.stack.close();
    await sink.close();
  });

  it('emails replies the visitor did not see, and the answer threads back into the same conversation', async () => {
    const { stack, ws, agentToken, agentSocket } = setup;
    const emailInbox = await ws.addInbox({
      channel: 'email',
      config: {
        address: 'support@nordlys.test',
        displayName: 'Nordlys Support',
        inboundDomain: 'reply.nordlys.test',
        smtp: { host: '127.0.0.1', port: sink.port, tlsMode: 'none' },
      },
      secrets: { webhookSigningKey: SIGNING_KEY },
    });
    const chat = await addWebchatInbox(stack, ws, {
      continuityEmailInboxId: emailInbox.id,
      continuityAfterMinutes: 10,
    });
    const visitor = await connectWidget(stack.url, { websiteToken: chat.websiteToken });
    const sent = await visitor.client.emit('message.send', {
      body: 'Can I return boots after 30 days?',
      echoId: echoId(),
      details: { email: 'siri@example.com' },
    });
    visitor.client.close(); // the visitor leaves before the answer
    const conversationId = (
      await agentSocket.next('message.created', (p) => p.message.id === sent.message.id)
    ).message.conversationId;
    const agent = client(stack.url, { token: agentToken });
    const reply = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, {
      body: 'Yes, within 60 days.',
    });
    const db = stack.api.get(DataSource);
    await eventually(
      async () => (await db.manager.findOneBy(Message, { id: reply.body.id }))?.status === 'sent',
    );

    const continuity = stack.api.get(WebchatContinuityService);
    // Not yet due: nothing is sent.
    expect(await continuity.sendDue(new Date(Date.now() + 5 * 60_000))).toBe(0);
    expect(await continuity.sendDue(new Date(Date.now() + 11 * 60_000))).toBe(1);
    // Claimed once: a second sweep sends nothing.
    expect(await continuity.sendDue(new Date(Date.now() + 12 * 60_000))).toBe(0);

    const mail = await sink.nth(1);
    expect(mail.envelope.to).toEqual(['siri@example.com']);
    const raw = mail.raw.toString('utf8');
    expect(raw).toContain('Yes, within 60 days.');
    const replyTo = mail.parsed.replyTo?.value[0]?.address;
    expect(replyTo).toMatch(/^reply\+[0-9a-f-]+@reply\.nordlys\.test$/);
    const stored = await db.manager.findOneByOrFail(Message, { id: reply.body.id });
    expect(stored.metadata.continuity).toMatchObject({ to: 'siri@example.com', emailInboxId: emailInbox.id });

    // Siri answers the email; it lands in the same conversation, on the email channel.
    const answer = [
      'From: Siri <siri@example.com>',
      `To: ${replyTo}`,
      'Subject: Re: New reply from webchat',
      `Message-ID: <siri-answer-1@example.com>`,
      `Date: ${new Date().toUTCString()}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Great, thanks! I will send them back next week.',
      '',
    ].join('\r\n');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const token = randomBytes(25).toString('hex');
    const form = new FormData();
    form.set('body-mime', new Blob([answer]), 'message.mime');
    form.set('timestamp', timestamp);
    form.set('token', token);
    form.set('signature', signMailgun(SIGNING_KEY, timestamp, token));
    const posted = await fetch(`${stack.url}/webhooks/email/${emailInbox.id}`, {
      method: 'POST',
      body: form,
    });
    expect(posted.status).toBeLessThan(300);
    const threaded = await eventually(async () =>
      db.manager.findOneBy(Message, { externalId: '<siri-answer-1@example.com>' }),
    );
    expect(threaded).toMatchObject({ conversationId, channel: 'email', direction: 'in' });
  });
});
