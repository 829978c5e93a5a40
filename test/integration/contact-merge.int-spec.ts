import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ContactsService, ConversationsService, IngestService, type Actor } from '@parley/inbox';
import { createWorkspace, type WorkspaceFixture } from '@parley/testing';
import { bootDomain } from '../support/integration.js';

describe('contact merge and unmerge', () => {
  let moduleRef: TestingModule;
  let ingest: IngestService;
  let contacts: ContactsService;
  let conversations: ConversationsService;
  let db: DataSource;
  let ws: WorkspaceFixture;
  let smsInbox: string;
  let emailInbox: string;
  let agent: Actor;
  let n = 0;

  const send = (inboxId: string, kind: 'phone' | 'email', value: string, body: string) =>
    ingest.ingest({
      workspaceId: ws.workspaceId,
      inboxId,
      externalId: `m-${(n += 1)}`,
      identities: [{ kind, value }],
      body,
      contactName: body.split(':')[0],
    });

  beforeAll(async () => {
    moduleRef = await bootDomain();
    ingest = moduleRef.get(IngestService);
    contacts = moduleRef.get(ContactsService);
    conversations = moduleRef.get(ConversationsService);
    db = moduleRef.get(DataSource);
    ws = await createWorkspace(moduleRef);
    smsInbox = (await ws.addInbox({ channel: 'sms' })).id;
    emailInbox = (await ws.addInbox({ channel: 'email' })).id;
    agent = { type: 'agent', id: ws.admin.id };
  });

  afterAll(() => moduleRef.close());

  it('folds two open threads into one, routes the source identity to the target, and unmerges exactly', async () => {
    const sms = await send(smsInbox, 'phone', '+351912345678', 'Rita: my order is late');
    const mail = await send(emailInbox, 'email', 'rita@example.com', 'Rita: order 88 is late, any update?');
    expect(sms.contactId).not.toBe(mail.contactId);

    const merge = await contacts.merge(ws.workspaceId, agent, sms.contactId, mail.contactId);
    expect(merge.moved.folded).toMatchObject({
      conversationId: mail.conversation.id,
      intoConversationId: sms.conversation.id,
    });

    const target = await contacts.profile(ws.workspaceId, sms.contactId);
    expect(target.identities.map((i) => i.kind).sort()).toEqual(['email', 'phone']);
    expect(target.contact.email).toBe('rita@example.com');
    const folded = await conversations.get(ws.workspaceId, sms.conversation.id);
    expect(folded.conversation.messagesCount).toBe(2);
    const timeline = await contacts.timeline(ws.workspaceId, sms.contactId, { limit: 10 });
    expect(timeline.items.map((m) => m.channel).sort()).toEqual(['email', 'sms']);

    // After the merge, the customer's email lands in the one thread.
    const after = await send(emailInbox, 'email', 'rita@example.com', 'Rita: thanks!');
    expect(after.contactId).toBe(sms.contactId);
    expect(after.conversation.id).toBe(sms.conversation.id);

    const [{ merged_into_id }] = await db.query('SELECT merged_into_id FROM contacts WHERE id = $1', [
      mail.contactId,
    ]);
    expect(merged_into_id).toBe(sms.contactId);
    const audit = await db.query(
      `SELECT action FROM audit_log WHERE workspace_id = $1 AND action = 'contact.merged'`,
      [ws.workspaceId],
    );
    expect(audit).toHaveLength(1);

    await contacts.unmerge(ws.workspaceId, agent, merge.id);
    const source = await contacts.profile(ws.workspaceId, mail.contactId);
    expect(source.contact.mergedIntoId).toBeNull();
    expect(source.identities.map((i) => i.value)).toEqual(['rita@example.com']);
    const restored = await conversations.get(ws.workspaceId, mail.conversation.id);
    expect(restored.conversation.status).toBe('open');
    expect(restored.conversation.contactId).toBe(mail.contactId);
    const restoredMessages = await conversations.messages(ws.workspaceId, mail.conversation.id);
    expect(restoredMessages.map((m) => m.body)).toEqual(['Rita: order 88 is late, any update?']);
    const targetAfter = await contacts.profile(ws.workspaceId, sms.contactId);
    expect(targetAfter.identities.map((i) => i.kind)).toEqual(['phone']);
    expect(targetAfter.contact.email).toBeNull();
    // The message that arrived while merged stays in the thread it was answered in.
    const targetMessages = await conversations.messages(ws.workspaceId, sms.conversation.id);
    expect(targetMessages.map((m) => m.body)).toEqual(['Rita: my order is late', 'Rita: thanks!']);

    // Routing follows the identity again.
    const next = await send(emailInbox, 'email', 'rita@example.com', 'Rita: one more thing');
    expect(next.contactId).toBe(mail.contactId);
    expect(next.conversation.id).toBe(mail.conversation.id);

    await expect(contacts.unmerge(ws.workspaceId, agent, merge.id)).rejects.toThrow('already undone');
  });

  it('merges a contact with only resolved history and refuses self- and double merges', async () => {
    const a = await send(smsInbox, 'phone', '+351912000001', 'Ana: hi');
    const b = await send(emailInbox, 'email', 'ana@example.org', 'Ana: hello');
    await conversations.resolve(ws.workspaceId, agent, b.conversation.id);
    const merge = await contacts.merge(ws.workspaceId, agent, a.contactId, b.contactId);
    expect(merge.moved.folded).toBeNull();
    expect(merge.moved.conversationIds).toEqual([b.conversation.id]);
    const profile = await contacts.profile(ws.workspaceId, a.contactId);
    expect(profile.conversations.map((c) => c.id).sort()).toEqual(
      [a.conversation.id, b.conversation.id].sort(),
    );
    await expect(contacts.merge(ws.workspaceId, agent, a.contactId, a.contactId)).rejects.toThrow(
      'into itself',
    );
    await expect(contacts.merge(ws.workspaceId, agent, a.contactId, b.contactId)).rejects.toThrow(
      'already merged',
    );
  });

  it('does not see contacts of another workspace', async () => {
    const other = await createWorkspace(moduleRef, 'Other');
    const otherInbox = (await other.addInbox({ channel: 'sms' })).id;
    const foreign = await ingest.ingest({
      workspaceId: other.workspaceId,
      inboxId: otherInbox,
      externalId: 'f1',
      identities: [{ kind: 'phone', value: '+351912000009' }],
      body: 'x',
    });
    const mine = await send(smsInbox, 'phone', '+351912000010', 'Me: x');
    await expect(contacts.merge(ws.workspaceId, agent, mine.contactId, foreign.contactId)).rejects.toThrow(
      'Contact not found',
    );
    await expect(contacts.profile(ws.workspaceId, foreign.contactId)).rejects.toThrow('Contact not found');
  });
});
