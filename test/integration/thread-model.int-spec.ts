import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ContactsService, ConversationsService, IngestService, InboxError, type Actor } from '@parley/inbox';
import { createWorkspace, type WorkspaceFixture } from '@parley/testing';
import { bootDomain } from '../support/integration.js';

describe('thread model: one conversation per customer across channels', () => {
  let moduleRef: TestingModule;
  let ingest: IngestService;
  let conversations: ConversationsService;
  let db: DataSource;
  let ws: WorkspaceFixture;
  let inboxes: Record<'sms' | 'whatsapp' | 'email' | 'api', string>;
  let agent: Actor;
  let sequence = 0;

  const message = (
    inbox: keyof typeof inboxes,
    kind: 'phone' | 'email' | 'external',
    value: string,
    body = 'hello',
  ) =>
    ingest.ingest({
      workspaceId: ws.workspaceId,
      inboxId: inboxes[inbox],
      externalId: `ext-${(sequence += 1)}`,
      identities: [{ kind, value }],
      body,
    });

  beforeAll(async () => {
    moduleRef = await bootDomain();
    ingest = moduleRef.get(IngestService);
    conversations = moduleRef.get(ConversationsService);
    db = moduleRef.get(DataSource);
    ws = await createWorkspace(moduleRef);
    inboxes = {
      sms: (await ws.addInbox({ channel: 'sms' })).id,
      whatsapp: (await ws.addInbox({ channel: 'whatsapp' })).id,
      email: (await ws.addInbox({ channel: 'email' })).id,
      api: (await ws.addInbox({ channel: 'api' })).id,
    };
    agent = { type: 'agent', id: (await ws.addMember('agent')).id };
  });

  afterAll(() => moduleRef.close());

  it('creates a contact and a conversation for a new identity, with an opened event', async () => {
    const result = await message('sms', 'phone', '+1 415 555 0101');
    expect(result.outcome).toBe('created');
    expect(result.conversation.status).toBe('open');
    expect(result.message).toMatchObject({
      direction: 'in',
      channel: 'sms',
      senderType: 'contact',
      status: 'received',
    });
    const events: Array<{ type: string }> = await db.query(
      'SELECT type FROM conversation_events WHERE conversation_id = $1 ORDER BY seq',
      [result.conversation.id],
    );
    expect(events.map((e) => e.type)).toEqual(['opened', 'customer_message']);
  });

  it('puts SMS and WhatsApp from one number on one phone identity and one conversation', async () => {
    const sms = await message('sms', 'phone', '+14155550102');
    const whatsapp = await message('whatsapp', 'phone', 'whatsapp:+1 (415) 555-0102');
    expect(whatsapp.outcome).toBe('joined');
    expect(whatsapp.contactId).toBe(sms.contactId);
    expect(whatsapp.conversation.id).toBe(sms.conversation.id);
    expect(whatsapp.conversation.lastChannel).toBe('whatsapp');
    const [{ count }] = await db.query(
      `SELECT count(*)::int AS count FROM contact_identities WHERE contact_id = $1`,
      [sms.contactId],
    );
    expect(count).toBe(1);
  });

  it('joins an email from the same contact to the open SMS conversation', async () => {
    // The API channel is trusted, so it may introduce a second identity (email) for the same customer.
    const first = await ingest.ingest({
      workspaceId: ws.workspaceId,
      inboxId: inboxes.api,
      externalId: 'link-1',
      identities: [
        { kind: 'phone', value: '+14155550103' },
        { kind: 'email', value: 'Dana@Example.com' },
      ],
      body: 'texting from my phone',
    });
    const sms = await message('sms', 'phone', '+14155550103', 'are you there?');
    const email = await message('email', 'email', 'dana@example.com', 'sending the photo by email');
    expect(sms.conversation.id).toBe(first.conversation.id);
    expect(email.outcome).toBe('joined');
    expect(email.conversation.id).toBe(first.conversation.id);
    expect(email.conversation.replyInboxId).toBe(inboxes.email);
    expect(email.conversation.messagesCount).toBe(3);
    const detail = await conversations.get(ws.workspaceId, first.conversation.id);
    const byInbox = Object.fromEntries(detail.replyOptions.map((option) => [option.inboxId, option]));
    expect(byInbox[inboxes.api]).toMatchObject({ available: true, reason: null });
    expect(byInbox[inboxes.sms]).toMatchObject({ available: true, reason: null });
    // She never wrote on WhatsApp, so only a template may open that conversation.
    expect(byInbox[inboxes.whatsapp]).toMatchObject({
      available: false,
      templateOnly: true,
      windowClosesAt: null,
    });
    expect(byInbox[inboxes.email]).toMatchObject({
      available: false,
      reason: expect.stringMatching(/has no outbound SMTP server configured$/),
    });
  });

  it('treats a repeated external id as a no-op returning the stored message', async () => {
    const first = await ingest.ingest({
      workspaceId: ws.workspaceId,
      inboxId: inboxes.sms,
      externalId: 'SM-dup',
      identities: [{ kind: 'phone', value: '+14155550104' }],
      body: 'once',
    });
    const again = await ingest.ingest({
      workspaceId: ws.workspaceId,
      inboxId: inboxes.sms,
      externalId: 'SM-dup',
      identities: [{ kind: 'phone', value: '+14155550104' }],
      body: 'once',
    });
    expect(again.outcome).toBe('duplicate');
    expect(again.message.id).toBe(first.message.id);
    const [{ count }] = await db.query(
      `SELECT count(*)::int AS count FROM messages WHERE external_id = 'SM-dup'`,
    );
    expect(count).toBe(1);
    const [{ messages_count }] = await db.query('SELECT messages_count FROM conversations WHERE id = $1', [
      first.conversation.id,
    ]);
    expect(messages_count).toBe(1);
  });

  it('serializes concurrent first messages from one new customer into one contact and one conversation', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        ingest.ingest({
          workspaceId: ws.workspaceId,
          inboxId: inboxes.sms,
          externalId: `burst-${i}`,
          identities: [{ kind: 'phone', value: '+14155550199' }],
          body: `part ${i}`,
        }),
      ),
    );
    expect(new Set(results.map((r) => r.contactId)).size).toBe(1);
    expect(new Set(results.map((r) => r.conversation.id)).size).toBe(1);
    const [{ count }] = await db.query(
      `SELECT count(*)::int AS count FROM contacts WHERE phone = '+14155550199'`,
    );
    expect(count).toBe(1);
    const [{ messages_count }] = await db.query('SELECT messages_count FROM conversations WHERE id = $1', [
      results[0]?.conversation.id,
    ]);
    expect(messages_count).toBe(8);
  });

  it('reopens a resolved conversation when the customer writes inside the reopen window, on any channel', async () => {
    const first = await ingest.ingest({
      workspaceId: ws.workspaceId,
      inboxId: inboxes.api,
      externalId: 'reopen-1',
      identities: [
        { kind: 'phone', value: '+14155550105' },
        { kind: 'email', value: 'reopen@example.com' },
      ],
      body: 'help',
    });
    await conversations.resolve(ws.workspaceId, agent, first.conversation.id);
    const again = await message('email', 'email', 'reopen@example.com', 'it broke again');
    expect(again.outcome).toBe('reopened');
    expect(again.conversation.id).toBe(first.conversation.id);
    expect(again.conversation.status).toBe('open');
    expect(again.conversation.reopenCount).toBe(1);
    const events: Array<{ type: string; data: { reason?: string } }> = await db.query(
      `SELECT type, data FROM conversation_events WHERE conversation_id = $1 AND type = 'reopened'`,
      [first.conversation.id],
    );
    expect(events).toEqual([{ type: 'reopened', data: { reason: 'customer_message' } }]);
  });

  it('starts a new conversation linked to the previous one outside the window', async () => {
    const first = await message('sms', 'phone', '+14155550106');
    await conversations.resolve(ws.workspaceId, agent, first.conversation.id);
    await db.query(`UPDATE conversations SET resolved_at = now() - interval '8 days' WHERE id = $1`, [
      first.conversation.id,
    ]);
    const next = await message('sms', 'phone', '+14155550106', 'new problem');
    expect(next.outcome).toBe('created');
    expect(next.conversation.id).not.toBe(first.conversation.id);
    expect(next.conversation.previousId).toBe(first.conversation.id);
  });

  it('honours a workspace reopen window of 0 days', async () => {
    await db.query(`UPDATE workspaces SET settings = '{"reopenWindowDays": 0}' WHERE id = $1`, [
      ws.workspaceId,
    ]);
    try {
      const first = await message('sms', 'phone', '+14155550107');
      await conversations.resolve(ws.workspaceId, agent, first.conversation.id);
      await db.query(`UPDATE conversations SET resolved_at = now() - interval '1 minute' WHERE id = $1`, [
        first.conversation.id,
      ]);
      expect((await message('sms', 'phone', '+14155550107')).outcome).toBe('created');
    } finally {
      await db.query(`UPDATE workspaces SET settings = '{}' WHERE id = $1`, [ws.workspaceId]);
    }
  });

  it('wakes a snoozed conversation when the customer writes', async () => {
    const first = await message('sms', 'phone', '+14155550108');
    await conversations.snooze(ws.workspaceId, agent, first.conversation.id, new Date(Date.now() + 3600_000));
    const next = await message('sms', 'phone', '+14155550108', 'any news?');
    expect(next.outcome).toBe('joined');
    expect(next.conversation.status).toBe('open');
    expect(next.conversation.snoozedUntil).toBeNull();
  });

  it('refuses invalid identities and unknown inboxes with domain errors and writes nothing', async () => {
    const before = await db.query('SELECT count(*)::int AS count FROM messages');
    await expect(message('sms', 'phone', 'not a number')).rejects.toBeInstanceOf(InboxError);
    await expect(
      ingest.ingest({
        workspaceId: ws.workspaceId,
        inboxId: '00000000-0000-4000-8000-000000000000',
        externalId: 'x',
        identities: [{ kind: 'phone', value: '+14155550109' }],
        body: 'x',
      }),
    ).rejects.toThrow('Inbox not found');
    expect(await db.query('SELECT count(*)::int AS count FROM messages')).toEqual(before);
  });

  it('keeps the inbox list and the contact timeline consistent with what happened', async () => {
    const first = await message('sms', 'phone', '+14155550110', 'one');
    await message('email', 'email', 'timeline@example.com', 'unrelated customer');
    await conversations.addNote(ws.workspaceId, agent, first.conversation.id, 'internal');
    const timeline = await moduleRef
      .get(ContactsService)
      .timeline(ws.workspaceId, first.contactId, { limit: 10 });
    expect(timeline.items.map((m) => m.body)).toEqual(['internal', 'one']);
    expect(timeline.items[0]?.private).toBe(true);
    const page = await conversations.list(ws.workspaceId, {
      view: 'all',
      userId: agent.id,
      sort: 'newest',
      limit: 100,
      search: '555-0110'.replace('-', ''),
    });
    expect(page.items.map((row) => row.conversation.id)).toEqual([first.conversation.id]);
  });
});
