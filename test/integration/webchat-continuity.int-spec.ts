import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { InboxesService, Message, WebchatContinuityService, WebchatService } from '@parley/inbox';
import { createWorkspace, SmtpSink, type WorkspaceFixture } from '@parley/testing';
import { bootDomain } from '../support/integration.js';

describe('web chat continuity against real PostgreSQL and SMTP: each unseen reply is emailed once', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let ws: WorkspaceFixture;
  let sink: SmtpSink;

  beforeAll(async () => {
    moduleRef = await bootDomain();
    db = moduleRef.get(DataSource);
    sink = await SmtpSink.start();
    ws = await createWorkspace(moduleRef);
  });

  afterAll(async () => {
    await moduleRef.close();
    await sink.close();
  });

  /** A visitor who left an email, and `replies` agent replies to them that are `sent` (or `read`). */
  async function visitorWithReplies(websiteToken: string, email: string | null, statuses: string[]) {
    const webchat = moduleRef.get(WebchatService);
    const { session } = await webchat.open({ websiteToken });
    const sent = await webchat.send(session, {
      body: 'hello',
      echoId: `echo-${Math.random().toString(36).slice(2, 12)}`,
      ...(email ? { details: { email } } : {}),
    });
    const inbound = await db.manager.findOneByOrFail(Message, { id: sent.id });
    const created = new Date(Date.now() - 60 * 60_000);
    for (const [index, status] of statuses.entries()) {
      await db.manager.save(
        db.manager.create(Message, {
          workspaceId: ws.workspaceId,
          conversationId: inbound.conversationId,
          contactId: inbound.contactId,
          inboxId: inbound.inboxId,
          identityId: inbound.identityId,
          channel: 'webchat',
          direction: 'out',
          senderType: 'agent',
          authorId: ws.admin.id,
          kind: 'text',
          body: `reply ${index + 1} (${status})`,
          status: status as Message['status'],
          metadata: {},
          createdAt: new Date(created.getTime() + index * 1000),
        }),
      );
    }
    return inbound.conversationId;
  }

  it('two concurrent sweeps send one email per conversation with only the unseen replies', async () => {
    const emailInbox = await ws.addInbox({
      channel: 'email',
      config: {
        address: 'help@shop.test',
        inboundDomain: 'reply.shop.test',
        smtp: { host: '127.0.0.1', port: sink.port, tlsMode: 'none' },
      },
    });
    const chat = await ws.addInbox({
      channel: 'webchat',
      config: { continuityEmailInboxId: emailInbox.id, continuityAfterMinutes: 5 },
    });
    const { config } = await moduleRef.get(InboxesService).get(ws.workspaceId, chat.id);
    const websiteToken = String(config.websiteToken);
    await visitorWithReplies(websiteToken, 'ada@example.com', ['sent', 'read', 'delivered']);
    const silent = await visitorWithReplies(websiteToken, null, ['sent']);

    const continuity = moduleRef.get(WebchatContinuityService);
    const results = await Promise.all([continuity.sendDue(), continuity.sendDue(), continuity.sendDue()]);
    expect(results.reduce((sum, n) => sum + n, 0)).toBe(1);
    const mail = await sink.nth(1);
    expect(mail.envelope.to).toEqual(['ada@example.com']);
    const text = mail.parsed.text ?? '';
    expect(text).toContain('reply 1 (sent)');
    expect(text).toContain('reply 3 (delivered)');
    expect(text).not.toContain('reply 2 (read)');
    // The visitor who left no address: claimed and marked, never retried.
    const skipped = await db.manager.findOneByOrFail(Message, { conversationId: silent, direction: 'out' });
    expect(skipped.metadata.continuity).toMatchObject({ skipped: 'no email address' });
    expect(await continuity.sendDue()).toBe(0);
  });
});
