import { DataSource } from 'typeorm';
import {
  createWorkspace,
  eventually,
  TWILIO_TEST_ACCOUNT_SID as ACCOUNT,
  TWILIO_TEST_AUTH_TOKEN as TOKEN,
  TwilioFake,
  type WorkspaceFixture,
} from '@parley/testing';
import { bootStack, client, connectAgent, login, type AgentClient, type Stack } from '../support/stack.js';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

describe('SMS and WhatsApp through Twilio (against a local Twilio fake)', () => {
  const fake = new TwilioFake().addAccount(ACCOUNT, TOKEN);
  let stack: Stack;
  let ws: WorkspaceFixture;
  let socket: AgentClient;
  let agent: ReturnType<typeof client>;
  let db: DataSource;
  let sms: string;
  let whatsapp: string;
  let target: (inboxId: string) => { appUrl: string; publicUrl: string; inboxId: string };
  let n = 0;
  const sid = () => `SM${(n += 1).toString(16).padStart(32, '0')}`;

  beforeAll(async () => {
    process.env.TWILIO_API_BASE_URL = await fake.start();
    stack = await bootStack();
    db = stack.api.get(DataSource);
    ws = await createWorkspace(stack.api);
    sms = (await ws.addInbox({ channel: 'sms' })).id;
    whatsapp = (
      await ws.addInbox({ channel: 'whatsapp', config: { accountSid: ACCOUNT, from: '+14155238886' } })
    ).id;
    const member = await ws.addMember('agent');
    const token = await login(stack.url, member.email);
    agent = client(stack.url, { token });
    socket = await connectAgent(stack.url, token);
    const publicUrl = process.env.PUBLIC_URL ?? '';
    target = (inboxId) => ({ appUrl: stack.url, publicUrl, inboxId });
  });

  afterAll(async () => {
    socket.close();
    await stack.close();
    await fake.stop();
    delete process.env.TWILIO_API_BASE_URL;
  });

  /** Texts the app as a customer would; resolves with the MessageSid used. */
  const text = async (inboxId: string, from: string, body: string): Promise<string> => {
    const messageSid = sid();
    const answer = await fake.sendInbound(target(inboxId), {
      MessageSid: messageSid,
      From: from,
      To: '+15005550006',
      Body: body,
    });
    expect(answer.status).toBe(200);
    return messageSid;
  };

  const conversationOf = async (messageSid: string): Promise<string> => {
    const [row] = await db.query('SELECT conversation_id FROM messages WHERE external_id = $1', [messageSid]);
    return row.conversation_id as string;
  };

  it('takes a signed inbound SMS into the thread, answers empty TwiML, journals it and pushes it live', async () => {
    const messageSid = sid();
    const answer = await fake.sendInbound(target(sms), {
      MessageSid: messageSid,
      From: '+14155550100',
      To: '+15005550006',
      Body: 'Is my order shipped?',
    });
    expect(answer).toMatchObject({ status: 200, body: EMPTY_TWIML });
    expect(answer.contentType).toContain('text/xml');
    const live = await socket.next('message.created', (p) => p.message.externalId === messageSid);
    expect(live.message).toMatchObject({ channel: 'sms', body: 'Is my order shipped?', direction: 'in' });
    const [journal] = await db.query(
      'SELECT provider, processed_at, payload FROM inbound_events WHERE external_id = $1',
      [messageSid],
    );
    expect(journal.provider).toBe('twilio');
    expect(journal.processed_at).not.toBeNull();
    expect(journal.payload.Body).toBe('Is my order shipped?');
  });

  it('refuses a bad signature (403), a missing one (400) and an unknown inbox (404), storing nothing', async () => {
    const before = await db.query('SELECT count(*)::int AS count FROM messages');
    const forged = await fake.sendInbound(
      target(sms),
      { From: '+14155550101', Body: 'x' },
      { signature: 'Zm9yZ2Vk' },
    );
    expect(forged.status).toBe(403);
    const unsigned = await fake.sendInbound(
      target(sms),
      { From: '+14155550101', Body: 'x' },
      { signature: null },
    );
    expect(unsigned.status).toBe(400);
    expect(JSON.parse(unsigned.body).message).toBe('The X-Twilio-Signature header is missing');
    const unknown = await fake.sendInbound(target('5d0c2a4e-1f3b-4c5d-8e9f-0a1b2c3d4e5f'), {
      From: '+14155550101',
      Body: 'x',
    });
    expect(unknown.status).toBe(404);
    // Signed with another token (another account): refused.
    const otherAccount = `AC${'1'.repeat(32)}`;
    fake.addAccount(otherAccount, 'another-token');
    const wrongToken = await fake.sendInbound(target(sms), {
      AccountSid: otherAccount,
      From: '+14155550101',
      Body: 'x',
    });
    expect(wrongToken.status).toBe(403);
    expect(await db.query('SELECT count(*)::int AS count FROM messages')).toEqual(before);
  });

  it('stores one message when Twilio delivers the same MessageSid three times at once', async () => {
    const messageSid = sid();
    const params = { MessageSid: messageSid, From: '+14155550102', To: '+15005550006', Body: 'hello?' };
    const answers = await Promise.all([1, 2, 3].map(() => fake.sendInbound(target(sms), params)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const [{ count }] = await db.query('SELECT count(*)::int AS count FROM messages WHERE external_id = $1', [
      messageSid,
    ]);
    expect(count).toBe(1);
  });

  it('lands SMS and WhatsApp from one number in one contact and one thread; ProfileName names the contact', async () => {
    const wa = sid();
    await fake.sendInbound(target(whatsapp), {
      MessageSid: wa,
      From: 'whatsapp:+447700900123',
      To: 'whatsapp:+14155238886',
      Body: 'Hi from WhatsApp',
      ProfileName: 'Tom Becker',
      WaId: '447700900123',
    });
    const viaSms = sid();
    await fake.sendInbound(target(sms), {
      MessageSid: viaSms,
      From: '+447700900123',
      To: '+15005550006',
      Body: 'and from SMS',
    });
    const rows: Array<{ contact_id: string; conversation_id: string; channel: string }> = await db.query(
      'SELECT contact_id, conversation_id, channel FROM messages WHERE external_id = ANY($1) ORDER BY created_at',
      [[wa, viaSms]],
    );
    expect(rows.map((r) => r.channel)).toEqual(['whatsapp', 'sms']);
    expect(new Set(rows.map((r) => r.contact_id)).size).toBe(1);
    expect(new Set(rows.map((r) => r.conversation_id)).size).toBe(1);
    const profile = await agent('GET', `/api/v1/contacts/${rows[0].contact_id}`);
    expect(profile.body).toMatchObject({ name: 'Tom Becker', phone: '+447700900123' });
    expect(profile.body.identities).toEqual([
      expect.objectContaining({ kind: 'phone', value: '+447700900123' }),
    ]);
  });

  it('sends the reply through the REST API with the right form fields; out-of-order callbacks still end delivered', async () => {
    const inbound = await text(sms, '+14155550103', 'Can you call me back?');
    const conversationId = await conversationOf(inbound);
    const reply = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, {
      body: 'Calling you in 5 minutes',
    });
    expect(reply.status).toBe(201);
    const [sent] = (await fake.waitForMessages(fake.messages.length + 1)).slice(-1);
    expect(sent.fields).toMatchObject({
      To: '+14155550103',
      From: '+15005550006',
      Body: 'Calling you in 5 minutes',
      StatusCallback: `${process.env.PUBLIC_URL}/webhooks/twilio/${sms}/status?messageId=${reply.body.id}`,
    });
    await socket.next(
      'message.updated',
      (p) => p.message.id === reply.body.id && p.message.status === 'sending',
    );
    const row = async () =>
      (await db.query('SELECT status, external_id FROM messages WHERE id = $1', [reply.body.id]))[0];
    await eventually(async () => (await row()).external_id === sent.sid);

    expect((await fake.sendStatus(target(sms), sent, 'delivered')).status).toBe(200);
    expect((await fake.sendStatus(target(sms), sent, 'sent')).status).toBe(200);
    expect((await fake.sendStatus(target(sms), sent, 'sending')).status).toBe(200);
    expect((await row()).status).toBe('delivered');
    const live = await socket.next(
      'message.updated',
      (p) => p.message.id === reply.body.id && p.message.status === 'delivered',
    );
    expect(live.message.deliveredAt).not.toBeNull();
    const forged = await fake.sendStatus(
      target(sms),
      { ...sent, accountSid: `AC${'1'.repeat(32)}` },
      'failed',
    );
    expect(forged.status).toBe(403);
    expect((await row()).status).toBe('delivered');
  });

  it('records a carrier failure with its code and words', async () => {
    const inbound = await text(sms, '+14155550104', 'hi');
    const reply = await agent('POST', `/api/v1/conversations/${await conversationOf(inbound)}/messages`, {
      body: 'Hello!',
    });
    const [sent] = (await fake.waitForMessages(fake.messages.length + 1)).slice(-1);
    await eventually(
      async () =>
        (await db.query('SELECT external_id FROM messages WHERE id = $1', [reply.body.id]))[0].external_id,
    );
    await fake.sendStatus(target(sms), sent, 'undelivered', { ErrorCode: '30003' });
    const failed = await socket.next(
      'message.updated',
      (p) => p.message.id === reply.body.id && p.message.status === 'undelivered',
    );
    expect(failed.message.error).toEqual({ code: 'twilio_30003', message: 'The handset is unreachable' });
  });

  it('marks STOP as opted out, refuses to send with a reason, and START clears it', async () => {
    const first = await text(sms, '+14155550105', 'question');
    const conversationId = await conversationOf(first);
    await text(sms, '+14155550105', 'STOP');
    const refused = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, {
      body: 'Are you there?',
    });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toBe('The customer opted out of sms messages');
    const detail = await agent('GET', `/api/v1/conversations/${conversationId}`);
    expect(detail.body.replyOptions.find((o: { inboxId: string }) => o.inboxId === sms)).toMatchObject({
      available: false,
      reason: 'The customer opted out of sms messages',
    });
    await text(sms, '+14155550105', 'START');
    expect(
      (await agent('POST', `/api/v1/conversations/${conversationId}/messages`, { body: 'Welcome back' }))
        .status,
    ).toBe(201);
    const events: Array<{ opted: boolean }> = await db.query(
      `SELECT (data->>'optedOut')::boolean AS opted FROM conversation_events WHERE conversation_id = $1 AND type = 'consent_changed' ORDER BY seq`,
      [conversationId],
    );
    expect(events.map((e) => e.opted)).toEqual([true, false]);
  });

  it('keeps opt-outs per channel: an SMS STOP leaves WhatsApp open, a WhatsApp "stop" is just text', async () => {
    const number = '+447700900555';
    const viaWhatsapp = sid();
    await fake.sendInbound(target(whatsapp), {
      MessageSid: viaWhatsapp,
      From: `whatsapp:${number}`,
      To: 'whatsapp:+14155238886',
      Body: 'stop',
    });
    const conversationId = await conversationOf(viaWhatsapp);
    await text(sms, number, 'STOP');
    const options = (await agent('GET', `/api/v1/conversations/${conversationId}`)).body.replyOptions;
    const byInbox = Object.fromEntries(options.map((o: { inboxId: string }) => [o.inboxId, o]));
    expect(byInbox[sms]).toMatchObject({
      available: false,
      reason: 'The customer opted out of sms messages',
    });
    expect(byInbox[whatsapp]).toMatchObject({ available: true });
    const profile = await agent(
      'GET',
      `/api/v1/contacts/${(await agent('GET', `/api/v1/conversations/${conversationId}`)).body.conversation.contactId}`,
    );
    expect(profile.body.identities[0].optedOutChannels).toEqual(['sms']);
    const both = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, {
      body: 'hi',
      inboxId: whatsapp,
      template: { contentSid: `HX${'b'.repeat(32)}` },
    });
    expect(both.status).toBe(400);
    expect(both.body.message).toBe('Send either a body or a template, not both');
  });

  it('maps Twilio errors: 21610 opts the number out for good, 429 is retried with backoff', async () => {
    const first = await text(sms, '+14155550106', 'hello');
    const conversationId = await conversationOf(first);
    fake.failNext({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    const blocked = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, { body: 'One' });
    const failed = await socket.next(
      'message.updated',
      (p) => p.message.id === blocked.body.id && p.message.status === 'failed',
    );
    expect(failed.message.error).toEqual({
      code: 'opted_out',
      message: 'The customer opted out of messages from this number (they sent STOP)',
    });
    expect(
      (await agent('POST', `/api/v1/conversations/${conversationId}/messages`, { body: 'Two' })).status,
    ).toBe(422);

    const other = await text(sms, '+14155550107', 'hello');
    const before = fake.messages.length;
    fake.failNext({ status: 429, code: 20429, message: 'Too Many Requests' });
    const retried = await agent('POST', `/api/v1/conversations/${await conversationOf(other)}/messages`, {
      body: 'Eventually',
    });
    await socket.next(
      'message.updated',
      (p) => p.message.id === retried.body.id && p.message.status === 'sending',
    );
    expect(fake.messages.length).toBe(before + 1);
  });

  it('enforces the WhatsApp 24-hour window and sends an approved template outside it', async () => {
    const inbound = sid();
    await fake.sendInbound(target(whatsapp), {
      MessageSid: inbound,
      From: 'whatsapp:+5511987654321',
      To: 'whatsapp:+14155238886',
      Body: 'Olá',
    });
    const conversationId = await conversationOf(inbound);
    const inside = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, {
      body: 'Olá! Como posso ajudar?',
    });
    expect(inside.status).toBe(201);
    const [free] = (await fake.waitForMessages(fake.messages.length + 1)).slice(-1);
    expect(free.fields).toMatchObject({
      To: 'whatsapp:+5511987654321',
      From: 'whatsapp:+14155238886',
      Body: 'Olá! Como posso ajudar?',
    });

    await db.query(`UPDATE messages SET created_at = now() - interval '25 hours' WHERE external_id = $1`, [
      inbound,
    ]);
    const outside = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, {
      body: 'Still there?',
    });
    expect(outside.status).toBe(422);
    expect(outside.body.message).toMatch(
      /^Outside the WhatsApp 24-hour window \(closed .*\): send an approved template$/,
    );
    const option = (await agent('GET', `/api/v1/conversations/${conversationId}`)).body.replyOptions.find(
      (o: { inboxId: string }) => o.inboxId === whatsapp,
    );
    expect(option).toMatchObject({ available: false, templateOnly: true });

    const template = { contentSid: `HX${'a'.repeat(32)}`, variables: { '1': 'Maria' } };
    const sentTemplate = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, {
      template,
    });
    expect(sentTemplate.status).toBe(201);
    const [templated] = (await fake.waitForMessages(fake.messages.length + 1)).slice(-1);
    expect(templated.fields).toMatchObject({
      ContentSid: template.contentSid,
      ContentVariables: '{"1":"Maria"}',
    });
    expect(templated.fields.Body).toBeUndefined();
    const badTemplate = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, {
      template: { contentSid: 'nope' },
    });
    expect(badTemplate.status).toBe(400);
    const badVariables = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, {
      template: { contentSid: template.contentSid, variables: { '1': { nested: true } } },
    });
    expect(badVariables.status).toBe(400);
    expect(badVariables.body.message).toBe('template.variables must be at most 20 strings');
  });

  it('downloads media with the account credentials into attachment storage, served only to the workspace', async () => {
    const image = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const mediaUrl = fake.addMedia(ACCOUNT, image, 'image/png');
    const inbound = sid();
    await fake.sendInbound(target(whatsapp), {
      MessageSid: inbound,
      From: 'whatsapp:+447700900999',
      To: 'whatsapp:+14155238886',
      Body: '',
      NumMedia: '1',
      MediaUrl0: mediaUrl,
      MediaContentType0: 'image/png',
    });
    const [row] = await db.query('SELECT id FROM messages WHERE external_id = $1', [inbound]);
    const updated = await socket.next(
      'message.updated',
      (p) => p.message.id === row.id && p.message.attachments.length === 1,
    );
    expect(updated.message.attachments[0]).toMatchObject({
      contentType: 'image/png',
      size: image.length,
      name: 'attachment-1.png',
    });
    expect(JSON.stringify(updated.message)).not.toContain('storageKey');
    const download = await fetch(`${stack.url}${updated.message.attachments[0].url}`, {
      headers: { authorization: `Bearer ${await login(stack.url, ws.admin.email)}` },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(image);
    const other = await createWorkspace(stack.api, 'Other');
    const foreign = await client(stack.url, { token: await login(stack.url, other.admin.email) })(
      'GET',
      updated.message.attachments[0].url,
    );
    expect(foreign.status).toBe(404);
  });

  it('validates Twilio inbox settings and never returns the auth token', async () => {
    const admin = client(stack.url, { token: await login(stack.url, ws.admin.email) });
    const missing = await admin('POST', '/api/v1/inboxes', {
      name: 'SMS',
      channel: 'sms',
      config: { from: '+15005550006' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe('config.accountSid must be a Twilio account SID (AC + 32 hex digits)');
    const noToken = await admin('POST', '/api/v1/inboxes', {
      name: 'SMS',
      channel: 'sms',
      config: { accountSid: ACCOUNT, from: '+15005550006' },
    });
    expect(noToken.body.message).toBe('secrets.authToken is required (it also verifies webhook signatures)');
    const created = await admin('POST', '/api/v1/inboxes', {
      name: 'SMS 2',
      channel: 'sms',
      config: { accountSid: ACCOUNT, from: '+15005550007' },
      secrets: { authToken: 'super-secret-token' },
    });
    expect(created.status).toBe(201);
    expect(created.body.inbox.secretsSet).toEqual(['authToken']);
    expect(JSON.stringify(await admin('GET', `/api/v1/inboxes/${created.body.inbox.id}`))).not.toContain(
      'super-secret-token',
    );
    const [stored] = await db.query('SELECT secrets FROM inboxes WHERE id = $1', [created.body.inbox.id]);
    expect(stored.secrets).not.toContain('super-secret-token');
  });
});
