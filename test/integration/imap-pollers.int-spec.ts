import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ImapPollers, InboxesService } from '@parley/inbox';
import { createWorkspace, DovecotServer, eventually, type WorkspaceFixture } from '@parley/testing';
import { bootDomain } from '../support/integration.js';

describe('IMAP pollers (real Dovecot)', () => {
  let dovecot: DovecotServer;
  let first: TestingModule;
  let second: TestingModule;
  let ws: WorkspaceFixture;

  beforeAll(async () => {
    dovecot = await DovecotServer.start();
    first = await bootDomain();
    second = await bootDomain({ reset: false });
    ws = await createWorkspace(first);
  }, 30_000);

  afterAll(async () => {
    await second?.close();
    await first?.close();
    await dovecot?.stop();
  });

  const imap = (password: string) => ({
    config: {
      address: 'help@acme.test',
      imap: { host: '127.0.0.1', port: dovecot.port, tls: false, user: 'help', folder: 'INBOX' },
    },
    secrets: { imapPassword: password },
  });

  it('polls each inbox from exactly one process, and hands it over when that one stops', async () => {
    const inbox = await ws.addInbox({ channel: 'email', ...imap('pass') });
    const a = first.get(ImapPollers);
    const b = second.get(ImapPollers);
    await a.reconcile();
    await b.reconcile();
    expect(a.polling).toContain(inbox.id);
    expect(b.polling).not.toContain(inbox.id);
    await dovecot.append(
      'help',
      'From: x@example.com\r\nSubject: hi\r\nMessage-ID: <p1@example.com>\r\n\r\nhello\r\n',
    );
    await eventually(async () => {
      const rows = await first
        .get(DataSource)
        .query(`SELECT 1 FROM messages WHERE external_id = '<p1@example.com>'`);
      return rows.length === 1 || undefined;
    });
    await a.onModuleDestroy();
    await b.reconcile();
    expect(b.polling).toContain(inbox.id);
    await b.onModuleDestroy();
  }, 30_000);

  it('records a refused login as degraded health with a retry time, and recovers with new secrets', async () => {
    const inboxes = first.get(InboxesService);
    const inbox = await ws.addInbox({ channel: 'email', ...imap('wrong') });
    const pollers = second.get(ImapPollers);
    pollers.start(); // it was stopped at the end of the previous test
    await pollers.reconcile();
    const failing = await eventually(async () => {
      const view = await inboxes.get(ws.workspaceId, inbox.id);
      return view.health.status === 'degraded' ? view : undefined;
    });
    expect(failing.health.error).toMatch(/IMAP login refused/);
    expect(failing.mailbox).toMatchObject({ failures: 1, lastError: expect.stringMatching(/login refused/) });
    expect(new Date(failing.mailbox?.retryAfter ?? 0).getTime()).toBeGreaterThan(Date.now());
    await inboxes.update(ws.workspaceId, inbox.id, { secrets: { imapPassword: 'pass' } });
    await pollers.reconcile();
    const healthy = await eventually(async () => {
      const view = await inboxes.get(ws.workspaceId, inbox.id);
      return view.health.status === 'ok' && view.mailbox?.lastSuccessAt ? view : undefined;
    });
    expect(healthy.mailbox).toMatchObject({ failures: 0, lastError: null, retryAfter: null });
    await pollers.onModuleDestroy();
  }, 30_000);
});
