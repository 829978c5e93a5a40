import { hmacHex } from '@parley/channels';
import { Contact, DeliveryService, IngestService, Message } from '@parley/inbox';
import { CalendarsService } from '@parley/reporting';
import { eventually, type WorkspaceFixture } from '@parley/testing';
import { DataSource } from 'typeorm';
import { client, login, type AgentClient, type Stack } from '../support/stack.js';
import {
  addWebchatInbox,
  bootWidgetStack,
  connectWidget,
  echoId,
  refusal,
  type WebchatInbox,
} from './widget-client.js';

describe('Web chat widget over socket.io: sessions, identity, round trip, typing, receipts, resync', () => {
  let stack: Stack;
  let ws: WorkspaceFixture;
  let inbox: WebchatInbox;
  let agentToken: string;
  let agentName: string;
  let agentSocket: AgentClient;
  const widgets: AgentClient[] = [];

  const widget = async (auth: Record<string, unknown>) => {
    const connected = await connectWidget(stack.url, { websiteToken: inbox.websiteToken, ...auth });
    widgets.push(connected.client);
    return connected;
  };

  beforeAll(async () => {
    ({ stack, ws, inbox, agentToken, agentSocket } = await bootWidgetStack({
      greeting: 'Hi! Ask us anything.',
      replyTime: 'a few minutes',
    }));
    agentName = (await client(stack.url, { token: agentToken })('GET', '/api/v1/auth/me')).body?.user?.name;
  });

  afterAll(async () => {
    for (const socket of widgets) socket.close();
    agentSocket.close();
    await stack.close();
  });

  describe('handshake', () => {
    it('refuses an unknown or missing website token with a reason', async () => {
      expect(await refusal(stack.url, { websiteToken: 'no-such-token-123456' })).toBe(
        'unknown website token',
      );
      expect(await refusal(stack.url, {})).toBe('unknown website token');
    });

    it('website tokens are unique: reusing one for another inbox answers 409', async () => {
      const other = await addWebchatInbox(stack, ws);
      const admin = client(stack.url, { token: await login(stack.url, ws.admin.email) });
      const taken = await admin('PATCH', `/api/v1/inboxes/${other.id}`, {
        config: { websiteToken: inbox.websiteToken },
      });
      expect(taken.status).toBe(409);
      expect(taken.body.message).toBe('config.websiteToken is already used by another inbox');
    });

    it('admits a good token, issues a visitor token, and keeps the visitor across reconnects', async () => {
      const first = await widget({});
      expect(first.session).toMatchObject({
        verified: false,
        online: true,
        greeting: 'Hi! Ask us anything.',
        replyTime: 'a few minutes',
        preChatPending: false,
      });
      expect(first.session.visitorToken).toMatch(/^v1\./);
      const again = await widget({ visitorToken: first.session.visitorToken });
      expect(again.session.visitorId).toBe(first.session.visitorId);
      // A forged or foreign token is not an error: it just starts a new visitor.
      const forged = await widget({ visitorToken: `${first.session.visitorToken}x` });
      expect(forged.session.visitorId).not.toBe(first.session.visitorId);
    });

    it('verifies identifierHash (HMAC-SHA256 of the identifier) and refuses a bad one', async () => {
      const identifier = 'user-1001';
      expect(
        await refusal(stack.url, {
          websiteToken: inbox.websiteToken,
          identifier,
          identifierHash: 'f'.repeat(64),
        }),
      ).toBe('identity verification failed: identifierHash does not match');
      expect(
        await refusal(stack.url, {
          websiteToken: inbox.websiteToken,
          identifier,
          identifierHash: hmacHex('not-the-secret', identifier),
        }),
      ).toBe('identity verification failed: identifierHash does not match');
      const good = await widget({ identifier, identifierHash: hmacHex(inbox.hmacSecret, identifier) });
      expect(good.session.verified).toBe(true);
    });

    it('refuses anonymous visitors when the inbox requires verification', async () => {
      const strict = await addWebchatInbox(stack, ws, { requireVerification: true });
      expect(await refusal(stack.url, { websiteToken: strict.websiteToken })).toBe(
        'identity verification required: pass identifier and identifierHash',
      );
      const identifier = 'strict-user';
      const ok = await connectWidget(stack.url, {
        websiteToken: strict.websiteToken,
        identifier,
        identifierHash: hmacHex(strict.hmacSecret, identifier),
      });
      widgets.push(ok.client);
      expect(ok.session.verified).toBe(true);
    });
  });

  it('round trip: visitor → agents live; agent reply → widget; notes never reach the widget', async () => {
    const { client: visitor } = await widget({});
    const echo = echoId();
    const sent = await visitor.emit('message.send', { body: 'Do you ship to Norway?', echoId: echo });
    expect(sent).toMatchObject({
      ok: true,
      message: { direction: 'in', body: 'Do you ship to Norway?', echoId: echo },
    });
    const live = await agentSocket.next(
      'message.created',
      (p) => p.message.body === 'Do you ship to Norway?',
    );
    expect(live.message).toMatchObject({ channel: 'webchat', direction: 'in', senderType: 'contact' });
    const conversationId = live.message.conversationId;

    // Resending the same echo id (a retry after a lost ack) stores nothing new.
    const again = await visitor.emit('message.send', { body: 'Do you ship to Norway?', echoId: echo });
    expect(again.message.id).toBe(sent.message.id);

    const agent = client(stack.url, { token: agentToken });
    expect(
      (await agent('POST', `/api/v1/conversations/${conversationId}/notes`, { body: 'internal: check DHL' }))
        .status,
    ).toBe(201);
    const reply = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, {
      body: 'Yes, in 3 days!',
    });
    expect(reply.status).toBe(201);
    const received = await visitor.next('message', (p) => p.message.id === reply.body.id);
    expect(received.message).toMatchObject({
      direction: 'out',
      kind: 'text',
      body: 'Yes, in 3 days!',
      author: { type: 'agent', name: agentName },
    });
    await eventually(async () => {
      const messages = await agent('GET', `/api/v1/conversations/${conversationId}/messages`);
      return (
        messages.body.items.find((m: { id: string; status: string }) => m.id === reply.body.id)?.status ===
        'sent'
      );
    });
    const history = await visitor.emit('messages.sync', {});
    expect(history.messages.map((m: { body: string }) => m.body)).toEqual([
      'Do you ship to Norway?',
      'Yes, in 3 days!',
    ]);
    expect(JSON.stringify(visitor.events)).not.toContain('internal: check DHL');

    // Resolving (a status change) reaches the widget; so does the reopen when the visitor writes again.
    expect((await agent('POST', `/api/v1/conversations/${conversationId}/resolve`)).status).toBeLessThan(300);
    await visitor.next('conversation.status', (p) => p.status === 'resolved');
    await visitor.emit('message.send', { body: 'One more question', echoId: echoId() });
    await visitor.next('conversation.status', (p) => p.status === 'open');
  });

  it('typing both ways and read receipts', async () => {
    const { client: visitor } = await widget({});
    await visitor.emit('message.send', { body: 'typing test', echoId: echoId() });
    const created = await agentSocket.next('message.created', (p) => p.message.body === 'typing test');
    const conversationId = created.message.conversationId;
    expect(await agentSocket.emit('conversation.join', { conversationId })).toMatchObject({ ok: true });

    expect(await visitor.emit('typing', { state: 'on' })).toEqual({ ok: true });
    const typing = await agentSocket.next(
      'typing',
      (p) => p.conversationId === conversationId && p.userId === '',
    );
    expect(typing.state).toBe('on');

    expect(await agentSocket.emit('typing', { conversationId, state: 'on' })).toMatchObject({ ok: true });
    expect(await visitor.next('typing', (p) => p.state === 'on')).toEqual({ state: 'on', agentName: null });

    const agent = client(stack.url, { token: agentToken });
    const reply = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, {
      body: 'Read me',
    });
    await visitor.next('message', (p) => p.message.id === reply.body.id);
    expect(await visitor.emit('read', { upTo: reply.body.id })).toMatchObject({ ok: true });
    const read = await agentSocket.next(
      'message.updated',
      (p) => p.message.id === reply.body.id && p.message.status === 'read',
    );
    expect(read.message.readAt).toEqual(expect.any(String));
    const history = await visitor.emit('messages.sync', {});
    expect(history.messages.at(-1)).toMatchObject({ id: reply.body.id, readAt: expect.any(String) });
  });

  it('resyncs after a reconnect: replies sent while away arrive with messages.sync after the last id', async () => {
    const first = await widget({});
    const sent = await first.client.emit('message.send', { body: 'I will be right back', echoId: echoId() });
    const created = await agentSocket.next('message.created', (p) => p.message.id === sent.message.id);
    first.client.close();

    const agent = client(stack.url, { token: agentToken });
    const reply = await agent('POST', `/api/v1/conversations/${created.message.conversationId}/messages`, {
      body: 'Answer while you were away',
    });
    await eventually(async () => {
      const messages = await agent('GET', `/api/v1/conversations/${created.message.conversationId}/messages`);
      return (
        messages.body.items.find((m: { id: string; status: string }) => m.id === reply.body.id)?.status ===
        'sent'
      );
    });
    const back = await widget({ visitorToken: first.session.visitorToken });
    expect(back.session.visitorId).toBe(first.session.visitorId);
    const missed = await back.client.emit('messages.sync', { after: sent.message.id });
    expect(missed.messages.map((m: { body: string }) => m.body)).toEqual(['Answer while you were away']);
  });

  it('a verified visitor is one person on every device: shared history and live replies', async () => {
    const identifier = `user-${Date.now()}`;
    const auth = { identifier, identifierHash: hmacHex(inbox.hmacSecret, identifier), name: 'Ola Nordmann' };
    const laptop = await widget(auth);
    const phone = await widget(auth);
    expect(phone.session.visitorId).not.toBe(laptop.session.visitorId);
    const sent = await laptop.client.emit('message.send', { body: 'From my laptop', echoId: echoId() });
    await phone.client.next('message', (p) => p.message.id === sent.message.id);
    const created = await agentSocket.next('message.created', (p) => p.message.id === sent.message.id);
    const agent = client(stack.url, { token: agentToken });
    const contact = await agent('GET', `/api/v1/contacts/${created.message.contactId}`);
    expect(JSON.stringify(contact.body)).toContain('Ola Nordmann');
    const reply = await agent('POST', `/api/v1/conversations/${created.message.conversationId}/messages`, {
      body: 'Hi Ola',
    });
    await laptop.client.next('message', (p) => p.message.id === reply.body.id);
    await phone.client.next('message', (p) => p.message.id === reply.body.id);
    const tablet = await widget(auth);
    const history = await tablet.client.emit('messages.sync', {});
    expect(history.messages.map((m: { body: string }) => m.body)).toEqual(['From my laptop', 'Hi Ola']);
  });

  it('outside business hours (the inbox calendar) the widget shows the away message and still takes messages', async () => {
    const away = await addWebchatInbox(stack, ws, { awayMessage: 'We are back Monday 9:00.' });
    const calendars = stack.api.get(CalendarsService);
    // No working time at all: always closed.
    const closed = await calendars.create(ws.workspaceId, {
      name: 'Closed',
      timezone: 'UTC',
      week: {},
      holidays: [],
    });
    await calendars.assign(ws.workspaceId, 'inbox', away.id, closed.id);
    const visitor = await connectWidget(stack.url, { websiteToken: away.websiteToken });
    widgets.push(visitor.client);
    expect(visitor.session).toMatchObject({ online: false, awayMessage: 'We are back Monday 9:00.' });
    expect(await visitor.client.emit('message.send', { body: 'Hello?', echoId: echoId() })).toMatchObject({
      ok: true,
    });
    // The default inbox has no calendar (and the workspace none): always online.
    expect((await widget({})).session.online).toBe(true);
  });

  it('pre-chat: required fields are checked by the server; a claimed email only suggests a merge', async () => {
    const form = await addWebchatInbox(stack, ws, {
      preChat: {
        enabled: true,
        fields: [
          { name: 'name', label: 'Name', type: 'text', required: true },
          { name: 'email', label: 'Email', type: 'email', required: true },
          { name: 'orderNo', label: 'Order number', type: 'text', required: false },
        ],
      },
    });
    const emailInbox = await ws.addInbox({ channel: 'email' });
    const known = await stack.api.get(IngestService).ingest({
      workspaceId: ws.workspaceId,
      inboxId: emailInbox.id,
      externalId: '<known@example.com>',
      identities: [{ kind: 'email', value: 'kari@example.com' }],
      contactName: 'Kari Normann',
      body: 'An earlier email',
    });
    const visitor = await connectWidget(stack.url, { websiteToken: form.websiteToken });
    widgets.push(visitor.client);
    expect(visitor.session).toMatchObject({ preChatPending: true, preChat: { enabled: true } });

    const missing = await visitor.client.emit('message.send', { body: 'Hi', echoId: echoId() });
    expect(missing).toMatchObject({ ok: false, error: { message: 'please fill in: Name, Email' } });
    const invalid = await visitor.client.emit('message.send', {
      body: 'Hi',
      echoId: echoId(),
      details: { name: 'Kari', email: 'not-an-email' },
    });
    expect(invalid).toMatchObject({
      ok: false,
      error: { message: '"not-an-email" is not an email address' },
    });

    const sent = await visitor.client.emit('message.send', {
      body: 'Hi, it is Kari',
      echoId: echoId(),
      details: { name: 'Kari', email: 'Kari@Example.com', fields: { orderNo: 'A-1001', sneaky: 'x' } },
    });
    expect(sent.ok).toBe(true);
    const stored = await stack.api.get(DataSource).manager.findOneByOrFail(Message, { id: sent.message.id });
    expect(stored.contactId).not.toBe(known.contactId);
    const contact = await stack.api
      .get(DataSource)
      .manager.findOneByOrFail(Contact, { id: stored.contactId });
    expect(contact.name).toBe('Kari');
    expect(contact.attributes).toMatchObject({
      webchat: { email: 'kari@example.com', fields: { orderNo: 'A-1001' } },
      mergeSuggestions: [
        { contactId: known.contactId, reason: 'web chat visitor gave the email kari@example.com' },
      ],
    });
    expect(JSON.stringify(contact.attributes)).not.toContain('sneaky');
    // The form is done: the next connection does not ask again.
    const again = await connectWidget(stack.url, {
      websiteToken: form.websiteToken,
      visitorToken: visitor.session.visitorToken,
    });
    widgets.push(again.client);
    expect(again.session).toMatchObject({ preChatPending: false, continuityEmail: true });
  });

  it('a visitor may leave an email after writing (for continuity), checked like pre-chat answers', async () => {
    const { client: visitor, session } = await widget({});
    expect(session).toMatchObject({ continuityEnabled: false, continuityEmail: false });
    expect(await visitor.emit('contact.update', { email: 'ola@example.com' })).toMatchObject({
      ok: false,
      error: { message: 'send a message first' },
    });
    await visitor.emit('message.send', { body: 'Hi there', echoId: echoId() });
    expect(await visitor.emit('contact.update', { email: 'nope' })).toMatchObject({
      ok: false,
      error: { message: '"nope" is not an email address' },
    });
    expect(await visitor.emit('contact.update', { email: 'Ola@Example.com', name: 'Ola' })).toEqual({
      ok: true,
    });
    const again = await widget({ visitorToken: session.visitorToken });
    expect(again.session.continuityEmail).toBe(true);
  });

  describe('bad input', () => {
    it('empty and oversized messages get an error event and a failed ack; nothing is stored', async () => {
      const { client: visitor } = await widget({});
      const empty = await visitor.emit('message.send', { body: '   ', echoId: echoId() });
      expect(empty).toMatchObject({
        ok: false,
        error: { event: 'message.send', message: 'message body must not be empty' },
      });
      const huge = await visitor.emit('message.send', { body: 'x'.repeat(5001), echoId: echoId() });
      expect(huge).toMatchObject({ ok: false, error: { message: 'message is longer than 5000 characters' } });
      const malformed = await visitor.emit('message.send', { body: 'hi', echoId: 'a b' });
      expect(malformed.ok).toBe(false);
      expect(malformed.error.details).toEqual(['echoId: must be 8-64 letters, digits, _ or -']);
      await visitor.next('error', (p) => p.message === 'message body must not be empty');
      expect((await visitor.emit('messages.sync', {})).messages).toEqual([]);
    });

    it('stores HTML as sent and hands it back as text (the widget renders it escaped)', async () => {
      const { client: visitor } = await widget({});
      const body = '<script>window.pwned = true</script><b>bold?</b>';
      const sent = await visitor.emit('message.send', { body, echoId: echoId() });
      expect(sent.message.body).toBe(body);
      const live = await agentSocket.next('message.created', (p) => p.message.id === sent.message.id);
      expect(live.message.body).toBe(body);
    });

    it('a read receipt for a message that is not the visitor’s is refused', async () => {
      const { client: visitor } = await widget({});
      await visitor.emit('message.send', { body: 'mine', echoId: echoId() });
      const other = await widget({});
      const theirs = await other.client.emit('message.send', { body: 'theirs', echoId: echoId() });
      const answer = await visitor.emit('read', { upTo: theirs.message.id });
      expect(answer).toMatchObject({ ok: false, error: { message: 'Message not found' } });
    });
  });

  it('survey messages show their choices; a button press answers with metadata.surveyId', async () => {
    const { client: visitor } = await widget({});
    const sent = await visitor.emit('message.send', { body: 'Thanks, all good', echoId: echoId() });
    const created = await agentSocket.next('message.created', (p) => p.message.id === sent.message.id);
    const survey = {
      surveyId: 'survey-123',
      question: 'How did we do?',
      choices: [1, 2, 3, 4, 5].map((value) => ({ value, label: String(value) })),
    };
    // What the surveys lib does: a queued `survey` message on the conversation's reply route.
    const manager = stack.api.get(DataSource).manager;
    const message = await manager.save(
      manager.create(Message, {
        workspaceId: ws.workspaceId,
        conversationId: created.message.conversationId,
        contactId: created.message.contactId,
        inboxId: inbox.id,
        identityId: (await manager.findOneByOrFail(Message, { id: sent.message.id })).identityId,
        channel: 'webchat',
        direction: 'out',
        senderType: 'system',
        authorId: null,
        kind: 'survey',
        body: 'How did we do? Reply 1-5',
        status: 'queued',
        metadata: { survey },
        createdAt: new Date(),
      }),
    );
    await stack.api.get(DeliveryService).deliver(ws.workspaceId, message.id, true);
    const pushed = await visitor.next('message', (p) => p.message.id === message.id);
    expect(pushed.message).toMatchObject({ kind: 'survey', survey });
    expect((await visitor.emit('messages.sync', { after: sent.message.id })).messages[0]).toMatchObject({
      kind: 'survey',
      survey,
    });

    const answer = await visitor.emit('message.send', {
      body: '4',
      echoId: echoId(),
      surveyId: 'survey-123',
    });
    const stored = await manager.findOneByOrFail(Message, { id: answer.message.id });
    expect(stored).toMatchObject({ body: '4', direction: 'in' });
    expect(stored.metadata.surveyId).toBe('survey-123');
  });
});
