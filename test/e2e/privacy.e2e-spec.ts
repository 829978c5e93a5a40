import { DataSource } from 'typeorm';
import { AttachmentStore } from '@parley/channels';
import { RetentionService } from '@parley/privacy';
import { MetricsService } from '@parley/reporting';
import {
  createWorkspace,
  eventually,
  TWILIO_TEST_ACCOUNT_SID as ACCOUNT,
  TWILIO_TEST_AUTH_TOKEN as TOKEN,
  TWILIO_TEST_CONFIG,
  TwilioFake,
  type WorkspaceFixture,
} from '@parley/testing';
import { bootStack, client, connectAgent, login, type AgentClient, type Stack } from '../support/stack.js';

type Http = ReturnType<typeof client>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- loosely typed JSON for assertions
type Json = any;

/** Reads a ustar archive the way `tar` does: name (with prefix), size, content. */
function untar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const text = (from: number, to: number, at: number) =>
    archive
      .subarray(at + from, at + to)
      .toString('utf8')
      .replace(/\0[\s\S]*$/, '');
  for (let at = 0; at + 512 <= archive.length;) {
    if (archive.subarray(at, at + 512).every((byte) => byte === 0)) break;
    const name = text(0, 100, at);
    const prefix = text(345, 500, at);
    const size = parseInt(text(124, 136, at).trim(), 8);
    files.set(prefix ? `${prefix}/${name}` : name, archive.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

const json = (files: Map<string, Buffer>, name: string): Json =>
  JSON.parse(files.get(name)!.toString('utf8'));

describe('privacy: export, erase, retention, consent and the audit log', () => {
  const twilio = new TwilioFake().addAccount(ACCOUNT, TOKEN);
  let stack: Stack;
  let db: DataSource;
  let ws: WorkspaceFixture;
  let admin: Http;
  let supervisor: Http;
  let agent: Http;
  let adminSocket: AgentClient;
  let sms: string;
  let api: string;
  let integration: Http;
  let n = 0;

  /** Whether the store still has a file; a stream it opens is closed at once (its lazy open must not error later). */
  const fileStored = async (key: string): Promise<boolean> => {
    try {
      const { stream } = await stack.api.get(AttachmentStore).open(key);
      stream.on('error', () => undefined).destroy();
      return true;
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    process.env.TWILIO_API_BASE_URL = await twilio.start();
    stack = await bootStack();
    db = stack.api.get(DataSource);
    ws = await createWorkspace(stack.api);
    admin = client(stack.url, { token: await login(stack.url, ws.admin.email) });
    supervisor = client(stack.url, {
      token: await login(stack.url, (await ws.addMember('supervisor')).email),
    });
    agent = client(stack.url, { token: await login(stack.url, (await ws.addMember('agent')).email) });
    adminSocket = await connectAgent(stack.url, await login(stack.url, ws.admin.email));
    sms = (await ws.addInbox({ channel: 'sms' })).id;
    api = (await ws.addInbox({ channel: 'api' })).id;
    integration = client(stack.url, { apiKey: await ws.addApiKey() });
  }, 180_000);

  afterAll(async () => {
    adminSocket?.close();
    await stack?.close();
    await twilio.stop();
    delete process.env.TWILIO_API_BASE_URL;
  });

  /** A customer texts the SMS inbox through a signed Twilio webhook (journaled in inbound_events). */
  const text = async (from: string, body: string) => {
    const sid = `SM${(n += 1).toString(16).padStart(32, '0')}`;
    const answer = await twilio.sendInbound(
      { appUrl: stack.url, publicUrl: process.env.PUBLIC_URL ?? '', inboxId: sms },
      { MessageSid: sid, From: from, To: TWILIO_TEST_CONFIG.from, Body: body },
    );
    expect(answer.status).toBe(200);
    const [row]: Array<{ conversation_id: string; contact_id: string; id: string }> = await db.query(
      'SELECT id, conversation_id, contact_id FROM messages WHERE external_id = $1',
      [sid],
    );
    return { sid, messageId: row.id, conversationId: row.conversation_id, contactId: row.contact_id };
  };
  const viaApi = async (identifier: string, body: string) => {
    const response = await integration('POST', `/api/v1/inboxes/${api}/inbound`, {
      externalId: `api-${(n += 1)}`,
      contact: { identifier, name: `Api ${identifier}` },
      body,
    });
    expect(response.status).toBe(201);
    return response.body as { conversationId: string; contactId: string; message: { id: string } };
  };
  const download = async (path: string) => {
    const token = await login(stack.url, ws.admin.email);
    const response = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return {
      status: response.status,
      headers: response.headers,
      body: Buffer.from(await response.arrayBuffer()),
    };
  };
  /** Puts a real file in the attachment store and hangs it on a message, as media fetching does. */
  const attach = async (messageId: string, name: string, content: Buffer) => {
    const stored = await stack.api.get(AttachmentStore).put(ws.workspaceId, content, 'application/pdf');
    await db.query(`UPDATE messages SET attachments = $2::jsonb WHERE id = $1`, [
      messageId,
      JSON.stringify([
        {
          name,
          contentType: 'application/pdf',
          size: content.length,
          url: 'x',
          storageKey: stored.storageKey,
        },
      ]),
    ]);
    return stored.storageKey;
  };

  it('exports a contact as a streamed tar: profile, merged contact, messages, notes, events, files; audited', async () => {
    const first = await text('+14155550101', 'My order 1234 never arrived');
    const note = await agent('POST', `/api/v1/conversations/${first.conversationId}/notes`, {
      body: 'Customer sounds upset; VIP',
    });
    expect(note.status).toBe(201);
    const pdf = Buffer.from('%PDF-1.4 receipt bytes \u0000\u0001\u0002', 'latin1');
    await attach(first.messageId, '../receipt 1234.pdf', pdf);
    // A second contact (API channel) merged into the first: the export includes what was merged.
    const other = await viaApi('crm-77', 'Also: please change my address');
    expect(
      (await admin('POST', `/api/v1/contacts/${first.contactId}/merge`, { sourceContactId: other.contactId }))
        .status,
    ).toBe(201);

    const response = await download(`/api/v1/contacts/${first.contactId}/export`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-tar');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="contact-${first.contactId}.tar"`,
    );
    expect(response.body.length % 512).toBe(0);
    const files = untar(response.body);
    const contact = json(files, 'contact.json');
    expect(contact).toMatchObject({
      format: 'parley.contact-export/1',
      internalNotesIncluded: true,
      contact: { id: first.contactId },
      mergedContacts: [expect.objectContaining({ id: other.contactId, mergedIntoId: first.contactId })],
    });
    expect(contact.identities.map((i: Json) => i.value).sort()).toEqual(['+14155550101', 'crm-77']);
    expect(contact.conversations).toHaveLength(2);
    const messages = json(files, 'messages/0001.json');
    expect(messages.map((m: Json) => m.body)).toEqual([
      'My order 1234 never arrived',
      'Customer sounds upset; VIP',
      'Also: please change my address',
    ]);
    expect(messages[1]).toMatchObject({ kind: 'note', internal: true });
    const path = messages[0].attachments[0].file;
    expect(path).toBe(`attachments/${first.messageId}/0-__receipt 1234.pdf`);
    expect(JSON.stringify(messages)).not.toContain('storageKey');
    expect(files.get(path)!.equals(pdf)).toBe(true);
    expect(json(files, 'events/0001.json').map((e: Json) => e.type)).toContain('contact_merged');
    const manifest = json(files, 'manifest.json');
    expect(manifest.counts).toMatchObject({ contacts: 2, messages: 3, notes: 1, files: 1, missingFiles: 0 });

    const withoutNotes = untar(
      (await download(`/api/v1/contacts/${first.contactId}/export?notes=false`)).body,
    );
    expect(json(withoutNotes, 'messages/0001.json').map((m: Json) => m.kind)).toEqual(['text', 'text']);

    await eventually(async () => {
      const audit = await admin(
        'GET',
        `/api/v1/audit-log?action=contact.exported&targetId=${first.contactId}`,
      );
      expect(audit.body.items).toHaveLength(2);
      expect(audit.body.items[1].data).toMatchObject({ messages: 3, notes: 1, files: 1, completed: true });
      expect(audit.body.items[0].data).toMatchObject({ internalNotesIncluded: false, notes: 0 });
      return true;
    }, 60_000);

    // Admin only; a foreign or unknown id is 404; a bad flag is 400.
    expect((await supervisor('GET', `/api/v1/contacts/${first.contactId}/export`)).status).toBe(403);
    expect((await agent('GET', `/api/v1/contacts/${first.contactId}/export`)).status).toBe(403);
    const foreign = await createWorkspace(stack.api, 'Other');
    const foreignAdmin = client(stack.url, { token: await login(stack.url, foreign.admin.email) });
    expect((await foreignAdmin('GET', `/api/v1/contacts/${first.contactId}/export`)).status).toBe(404);
    expect((await admin('GET', `/api/v1/contacts/${first.contactId}/export?notes=maybe`)).status).toBe(400);
    expect((await admin('GET', `/api/v1/contacts/${other.contactId}/export`)).status).toBe(404);
  });

  it('pages a 10,000-message history into bounded JSON files', async () => {
    const { contactId, conversationId } = await viaApi('bulk-1', 'first');
    await db.query(
      `INSERT INTO messages (workspace_id, conversation_id, contact_id, inbox_id, channel, direction, sender_type,
                             kind, body, status, created_at)
       SELECT workspace_id, conversation_id, contact_id, inbox_id, channel, 'in', 'contact', 'text',
              'bulk message ' || g, 'received', now() - (10000 - g) * interval '1 second'
         FROM messages, generate_series(1, 10000) g WHERE id = $1`,
      [(await db.query('SELECT id FROM messages WHERE conversation_id = $1', [conversationId]))[0].id],
    );
    const files = untar((await download(`/api/v1/contacts/${contactId}/export`)).body);
    const pages = [...files.keys()].filter((name) => name.startsWith('messages/'));
    expect(pages).toHaveLength(21);
    const sizes = pages.map((name) => json(files, name).length);
    expect(Math.max(...sizes)).toBe(500);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10_001);
    const all = pages.flatMap((name) => json(files, name).map((m: Json) => m.id));
    expect(new Set(all).size).toBe(10_001);
    expect(json(files, 'manifest.json').counts.messages).toBe(10_001);
  });

  it('erases a contact in one transaction; reports, metrics and scores stay; files go after commit', async () => {
    const from = '+14155550199';
    const first = await text(from, 'Call me at +14155550199, my email is jo@example.com');
    const key = await attach(first.messageId, 'passport.pdf', Buffer.from('secret scan'));
    const reply = await admin('POST', `/api/v1/conversations/${first.conversationId}/messages`, {
      body: 'Thanks Jo, looking into it',
    });
    expect(reply.status).toBe(201);
    await admin('PATCH', `/api/v1/contacts/${first.contactId}`, {
      name: 'Jo Doe',
      attributes: { plan: 'gold' },
    });
    // Open conversations must be resolved first, so erasure does not change any metric.
    const open = await admin('POST', `/api/v1/contacts/${first.contactId}/erase`, {
      confirm: first.contactId,
    });
    expect(open.status).toBe(409);
    expect(open.body.message).toBe('The contact has an unresolved conversation; resolve it before erasing');
    expect((await admin('POST', `/api/v1/conversations/${first.conversationId}/resolve`)).status).toBe(200);
    await db.query(
      `INSERT INTO surveys (id, workspace_id, kind, contact_id, conversation_id, group_id, position, status, locale,
                            scheduled_for, sent_at, answered_at, channel, score, comment)
       VALUES (gen_random_uuid(), $1, 'csat', $2, $3, gen_random_uuid(), 0, 'answered', 'en', now(), now(), now(),
               'sms', 2, 'Jo here: the courier lost my parcel')`,
      [ws.workspaceId, first.contactId, first.conversationId],
    );
    await eventually(async () => {
      const [row] = await db.query(
        `SELECT count(*)::int AS n FROM conversation_metrics WHERE conversation_id = $1 AND resolved_at IS NOT NULL`,
        [first.conversationId],
      );
      expect(row.n).toBe(1);
      return true;
    }, 60_000);
    const period = `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 86_400_000).toISOString()}`;
    const reportBefore = (await admin('GET', `/api/v1/reports/summary?${period}`)).body;
    const surveysBefore = (await admin('GET', `/api/v1/surveys/summary?${period}`)).body;
    const metricsBefore = await db.query(
      `SELECT * FROM conversation_metrics WHERE conversation_id = $1 ORDER BY cycle`,
      [first.conversationId],
    );

    expect(
      (await supervisor('POST', `/api/v1/contacts/${first.contactId}/erase`, { confirm: first.contactId }))
        .status,
    ).toBe(403);
    const unconfirmed = await admin('POST', `/api/v1/contacts/${first.contactId}/erase`, { confirm: 'yes' });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.message).toBe('confirm must repeat the id of the contact to erase');
    expect((await admin('POST', `/api/v1/contacts/${first.contactId}/erase`, {})).status).toBe(400);

    const erased = await admin('POST', `/api/v1/contacts/${first.contactId}/erase`, {
      confirm: first.contactId,
    });
    expect(erased.status).toBe(200);
    // Two surveys: the answered one inserted above, and the CSAT the resolve scheduled.
    expect(erased.body.counts).toMatchObject({ messages: 2, identities: 1, surveys: 2, files: 1 });
    expect(erased.body.counts.inboundEvents).toBeGreaterThanOrEqual(1);
    await adminSocket.next('contact.updated', (p) => p.contactId === first.contactId && p.erasedAt);
    await adminSocket.next('conversation.updated', (p) => p.conversation.id === first.conversationId);

    const profile = await admin('GET', `/api/v1/contacts/${first.contactId}`);
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({
      name: null,
      email: null,
      phone: null,
      attributes: {},
      identities: [],
    });
    expect(profile.body.erasedAt).toEqual(expect.any(String));
    expect((await admin('PATCH', `/api/v1/contacts/${first.contactId}`, { name: 'again' })).status).toBe(410);
    expect((await admin('GET', `/api/v1/contacts/${first.contactId}/export`)).status).toBe(410);
    const twice = await admin('POST', `/api/v1/contacts/${first.contactId}/erase`, {
      confirm: first.contactId,
    });
    expect(twice.status).toBe(410);
    const listed = await admin('GET', `/api/v1/contacts?q=Jo`);
    expect(listed.body.items).toEqual([]);

    const messages = await db.query(
      `SELECT body, html, attachments, metadata, redacted_at FROM messages WHERE contact_id = $1`,
      [first.contactId],
    );
    expect(messages.map((m: Json) => m.body).sort()).toEqual(['[erased]', '[erased]']);
    expect(messages.every((m: Json) => m.attachments.length === 0 && m.redacted_at)).toBe(true);
    const raw = await db.query(`SELECT payload::text AS p FROM inbound_events WHERE external_id = $1`, [
      first.sid,
    ]);
    expect(raw[0].p).not.toContain('4155550199');
    const surveys = await db.query(
      `SELECT status, status_reason, score, comment FROM surveys WHERE contact_id = $1 ORDER BY status`,
      [first.contactId],
    );
    expect(surveys).toEqual([
      { status: 'answered', status_reason: null, score: 2, comment: null },
      { status: 'cancelled', status_reason: 'contact erased', score: null, comment: null },
    ]);
    // The file is deleted by the worker's job after the commit.
    await eventually(async () => {
      expect(await fileStored(key)).toBe(false);
      const [left] = await db.query(`SELECT count(*)::int AS n FROM pending_file_deletions`);
      expect(left.n).toBe(0);
      return true;
    }, 60_000);

    expect((await admin('GET', `/api/v1/reports/summary?${period}`)).body).toEqual(reportBefore);
    expect((await admin('GET', `/api/v1/surveys/summary?${period}`)).body).toEqual(surveysBefore);
    // Recomputing from the event log after the erasure gives the same rows.
    await stack.api.get(MetricsService).rebuild(ws.workspaceId, () => undefined);
    const metricsAfter = await db.query(
      `SELECT * FROM conversation_metrics WHERE conversation_id = $1 ORDER BY cycle`,
      [first.conversationId],
    );
    expect(metricsAfter.map(({ computed_at: _c, ...row }: Json) => row)).toEqual(
      metricsBefore.map(({ computed_at: _c, ...row }: Json) => row),
    );

    // The same number writing again is a new customer.
    const again = await text(from, 'Hello again');
    expect(again.contactId).not.toBe(first.contactId);

    const audit = await admin('GET', `/api/v1/audit-log?action=contact.erased&targetId=${first.contactId}`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ actorType: 'user', targetType: 'contact' });
    expect(JSON.stringify(audit.body.items[0])).not.toContain('Jo');
  });

  it('applies an inbox retention window in bounded batches, keeping metrics; audited per run', async () => {
    expect((await admin('PATCH', `/api/v1/inboxes/${sms}`, { retentionDays: 0 })).status).toBe(400);
    expect((await admin('PATCH', `/api/v1/inboxes/${sms}`, { retentionDays: 'soon' })).status).toBe(400);
    expect((await supervisor('PATCH', `/api/v1/inboxes/${sms}`, { retentionDays: 30 })).status).toBe(403);
    const set = await admin('PATCH', `/api/v1/inboxes/${sms}`, { retentionDays: 30 });
    expect(set.status).toBe(200);
    expect(set.body.retentionDays).toBe(30);

    const old = [await text('+14155550301', 'old one'), await text('+14155550302', 'old two')];
    const old3 = await text('+14155550301', 'old three');
    const fresh = await text('+14155550303', 'still recent');
    const key = await attach(old[0].messageId, 'old.pdf', Buffer.from('old file'));
    const ids = [...old, old3].map((m) => m.messageId);
    await db.query(`UPDATE messages SET created_at = now() - interval '40 days' WHERE id = ANY($1::uuid[])`, [
      ids,
    ]);
    await db.query(
      `UPDATE inbound_events SET received_at = now() - interval '40 days' WHERE external_id = ANY($1::text[])`,
      [[...old, old3].map((m) => m.sid)],
    );
    const conversations = [...new Set([...old, old3, fresh].map((m) => m.conversationId))];
    const metricsOf = () =>
      db.query(
        `SELECT conversation_id, cycle, first_response_at, resolved_at FROM conversation_metrics
          WHERE conversation_id = ANY($1::uuid[]) ORDER BY conversation_id, cycle`,
        [conversations],
      );
    await eventually(async () => (await metricsOf()).length === conversations.length, 60_000);
    const metricsBefore = await metricsOf();

    // A batch of 2 makes the three expired messages take two transactions.
    const reports = await stack.api.get(RetentionService).run(new Date(), 2);
    const report = reports.find((r) => r.inboxId === sms)!;
    expect(report).toMatchObject({ retentionDays: 30, messages: 3, files: 1 });
    expect(report.inboundEvents).toBeGreaterThanOrEqual(3);
    const bodies = await db.query(`SELECT id, body FROM messages WHERE id = ANY($1::uuid[])`, [
      [...ids, fresh.messageId],
    ]);
    expect(Object.fromEntries(bodies.map((m: Json) => [m.id, m.body]))).toEqual({
      [ids[0]]: '[erased]',
      [ids[1]]: '[erased]',
      [ids[2]]: '[erased]',
      [fresh.messageId]: 'still recent',
    });
    expect(await metricsOf()).toEqual(metricsBefore);
    await eventually(async () => ((await fileStored(key)) ? undefined : true), 60_000);
    // A second run finds nothing left to do.
    const rerun = (await stack.api.get(RetentionService).run(new Date(), 2)).find((r) => r.inboxId === sms)!;
    expect(rerun).toMatchObject({ messages: 0, inboundEvents: 0, files: 0 });
    const audit = await admin('GET', `/api/v1/audit-log?action=retention.run&targetId=${sms}`);
    expect(audit.body.items.map((row: Json) => row.data.messages)).toEqual([0, 3]);
    expect(audit.body.items[0].actorType).toBe('system');
    expect(
      (await admin('PATCH', `/api/v1/inboxes/${sms}`, { retentionDays: null })).body.retentionDays,
    ).toBeNull();
  });

  it('respects consent: no survey for a contact who said no, NPS campaigns skip them, opt-outs refuse replies', async () => {
    expect((await admin('PUT', '/api/v1/surveys/policy', { delayMinutes: 60, kinds: ['csat'] })).status).toBe(
      200,
    );
    const customer = await viaApi('consent-1', 'hi');
    const consent = await agent('PATCH', `/api/v1/contacts/${customer.contactId}`, {
      consent: { surveys: false },
    });
    expect(consent.status).toBe(200);
    expect(consent.body.consent).toEqual({ surveys: false });
    await admin('POST', `/api/v1/conversations/${customer.conversationId}/messages`, { body: 'Fixed' });
    expect((await agent('POST', `/api/v1/conversations/${customer.conversationId}/resolve`)).status).toBe(
      200,
    );
    await eventually(async () => {
      const rows = await db.query(`SELECT status, status_reason FROM surveys WHERE conversation_id = $1`, [
        customer.conversationId,
      ]);
      expect(rows).toEqual([
        { status: 'skipped', status_reason: 'consent: the contact does not want surveys' },
      ]);
      return true;
    }, 60_000);
    const campaign = await admin('POST', '/api/v1/surveys/campaigns', {
      name: 'Consent NPS',
      segment: { resolvedWithinDays: 30 },
    });
    expect(campaign.status).toBe(201);
    await eventually(async () => {
      const rows = await db.query(
        `SELECT count(*)::int AS n FROM surveys WHERE campaign_id = $1 AND contact_id = $2`,
        [campaign.body.id, customer.contactId],
      );
      expect(rows[0].n).toBe(0);
      const [planned] = await db.query(`SELECT status, skipped FROM survey_campaigns WHERE id = $1`, [
        campaign.body.id,
      ]);
      expect(planned.status).toBe('running');
      expect(planned.skipped).toBeGreaterThanOrEqual(1);
      return true;
    }, 60_000);
    // The consent change is in the audit log by field name only.
    const audit = await admin(
      'GET',
      `/api/v1/audit-log?action=contacts.update&targetId=${customer.contactId}`,
    );
    expect(audit.body.items[0].data.fields).toEqual(['consent.surveys']);

    // An identity opted out of its channel: the agent sees why a reply is refused.
    await db.query(`UPDATE contact_identities SET opted_out_channels = '{api}' WHERE contact_id = $1`, [
      customer.contactId,
    ]);
    const reopened = await viaApi('consent-1', 'one more thing');
    const refused = await agent('POST', `/api/v1/conversations/${reopened.conversationId}/messages`, {
      body: 'ok',
    });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toBe('The customer opted out of api messages');
  });

  it('writes an audit row for every successful admin mutation, with field names and no secret values', async () => {
    const secret = 'do-not-log-this-auth-token';
    const calls: Array<[string, string, unknown?]> = [];
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await admin(method, path, body);
      expect([200, 201, 204]).toContain(response.status);
      calls.push([method, path, body]);
      return response.body;
    };
    const since = new Date().toISOString();
    await call('PATCH', '/api/v1/workspace', { name: 'Renamed' });
    const member = await call('POST', '/api/v1/members', {
      email: `audited-${Date.now()}@example.com`,
      name: 'Audited',
      role: 'agent',
      password: 'correct-horse-battery',
    });
    await call('PATCH', `/api/v1/members/${member.userId}`, { role: 'supervisor' });
    const team = await call('POST', '/api/v1/teams', { name: `Audit team ${Date.now()}` });
    await call('PATCH', `/api/v1/teams/${team.id}`, { name: `Audit team renamed ${Date.now()}` });
    await call('PUT', `/api/v1/teams/${team.id}/members`, { userIds: [member.userId] });
    await call('DELETE', `/api/v1/teams/${team.id}`);
    await call('DELETE', `/api/v1/members/${member.userId}`);
    const key = await call('POST', '/api/v1/api-keys', { name: 'audited key' });
    await call('DELETE', `/api/v1/api-keys/${key.id}`);
    const inbox = await call('POST', '/api/v1/inboxes', {
      name: 'Audited SMS',
      channel: 'sms',
      config: TWILIO_TEST_CONFIG,
      secrets: { authToken: secret },
    });
    await call('PATCH', `/api/v1/inboxes/${inbox.inbox.id}`, {
      secrets: { authToken: `${secret}-2` },
      retentionDays: 90,
    });
    const apiInbox = await call('POST', '/api/v1/inboxes', { name: 'Audited API', channel: 'api' });
    const rotated = await call('POST', `/api/v1/inboxes/${apiInbox.inbox.id}/rotate-webhook-secret`);
    await call('DELETE', `/api/v1/inboxes/${inbox.inbox.id}`);
    const label = await call('POST', '/api/v1/labels', { name: `audited-${Date.now()}` });
    await call('PATCH', `/api/v1/labels/${label.id}`, { color: '#16a34a' });
    await call('DELETE', `/api/v1/labels/${label.id}`);
    const calendar = await call('POST', '/api/v1/calendars', {
      name: 'Audited hours',
      timezone: 'UTC',
      week: { mon: [{ start: '09:00', end: '17:00' }] },
    });
    await call('PATCH', `/api/v1/calendars/${calendar.id}`, { name: 'Audited hours 2' });
    await call('PUT', '/api/v1/calendars/assignments', {
      scope: 'inbox',
      scopeId: api,
      calendarId: calendar.id,
    });
    await call('PUT', '/api/v1/calendars/assignments', { scope: 'inbox', scopeId: api, calendarId: null });
    await call('DELETE', `/api/v1/calendars/${calendar.id}`);
    const sla = await call('POST', '/api/v1/sla-policies', {
      name: 'Audited SLA',
      firstResponseSeconds: 600,
    });
    await call('PUT', `/api/v1/sla-policies/${sla.id}`, { name: 'Audited SLA', firstResponseSeconds: 900 });
    await call('DELETE', `/api/v1/sla-policies/${sla.id}`);
    const rule = await call('POST', '/api/v1/automation-rules', {
      name: 'Audited rule',
      event: 'message.created',
      actions: [{ type: 'set_priority', priority: 'high' }],
    });
    await call('DELETE', `/api/v1/automation-rules/${rule.id}`);
    await call('PUT', '/api/v1/surveys/policy', { delayMinutes: 30 });
    await call('PUT', `/api/v1/surveys/policy/inboxes/${api}`, { delayMinutes: 5 });
    await call('DELETE', `/api/v1/surveys/policy/inboxes/${api}`);
    await call('POST', '/api/v1/surveys/campaigns', {
      name: 'Audited NPS',
      segment: { resolvedWithinDays: 7 },
    });

    const rows: Json[] = [];
    for (let cursor: string | null = ''; cursor !== null;) {
      const page = await admin(
        'GET',
        `/api/v1/audit-log?from=${since}&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      rows.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    const routed = rows.filter((row) => row.data.route);
    expect(routed).toHaveLength(calls.length);
    // Oldest first, each row names the method and the route it came from.
    expect(
      routed
        .reverse()
        .map((row) => `${row.data.method} ${row.data.route}`)
        .map((line) => line.replace(/:[a-zA-Z]+/g, ':x')),
    ).toEqual(calls.map(([method, path]) => `${method} ${path.replace(/[0-9a-f-]{36}/g, ':x')}`));
    const inboxUpdate = routed.find((row) => row.action === 'inboxes.update')!;
    expect(inboxUpdate).toMatchObject({ targetType: 'inbox', targetId: inbox.inbox.id, actorType: 'user' });
    expect(inboxUpdate.data.fields).toEqual(['retentionDays', 'secrets.authToken']);
    expect(routed.find((row) => row.action === 'inboxes.create')!.targetId).toBe(inbox.inbox.id);
    expect(routed.find((row) => row.action === 'members.update')!.targetId).toBe(member.userId);
    const everything = JSON.stringify(rows);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(key.key);
    expect(everything).not.toContain(rotated.webhookSecret);
    expect(everything).not.toContain('correct-horse-battery');

    // Failed and read-only requests leave nothing; agents cannot read the log; filters are validated.
    const count = (
      await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = $1`, [ws.workspaceId])
    )[0].n;
    expect((await admin('POST', '/api/v1/teams', {})).status).toBe(400);
    expect((await agent('POST', '/api/v1/labels', { name: 'nope' })).status).toBe(403);
    await admin('GET', '/api/v1/inboxes');
    expect(
      (
        await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = $1`, [ws.workspaceId])
      )[0].n,
    ).toBe(count);
    expect((await agent('GET', '/api/v1/audit-log')).status).toBe(403);
    expect((await supervisor('GET', '/api/v1/audit-log')).status).toBe(403);
    expect((await admin('GET', '/api/v1/audit-log?actorId=me')).status).toBe(400);
    expect((await admin('GET', '/api/v1/audit-log?action=DROP TABLE')).status).toBe(400);
    expect((await admin('GET', '/api/v1/audit-log?cursor=garbage')).status).toBe(400);
    const byActor = await admin('GET', `/api/v1/audit-log?actorId=${ws.admin.id}&targetType=team`);
    expect(byActor.body.items.map((row: Json) => row.action).sort()).toEqual(
      ['teams.create', 'teams.members', 'teams.remove', 'teams.update'].sort(),
    );
    // Tenant scoped: another workspace's admin sees only its own rows.
    const foreign = await createWorkspace(stack.api, 'Elsewhere');
    const foreignAdmin = client(stack.url, { token: await login(stack.url, foreign.admin.email) });
    expect((await foreignAdmin('GET', '/api/v1/audit-log')).body.items).toEqual([]);
  });
});
