import { DataSource } from 'typeorm';
import { createWorkspace, eventually, GraphFake, type WorkspaceFixture } from '@parley/testing';
import { bootStack, client, connectAgent, login, type AgentClient, type Stack } from '../support/stack.js';

const PAGE = '1000000000001';
const IG_ACCOUNT = '1780000000002';
const APP_ID = '424242424242';
const APP_SECRET = 'meta-app-secret';
const TOKEN = 'page-access-token';

describe('Messenger and Instagram (against a local Graph API fake)', () => {
  const graph = new GraphFake().addPage(PAGE, TOKEN).addPage(IG_ACCOUNT, TOKEN);
  let stack: Stack;
  let db: DataSource;
  let ws: WorkspaceFixture;
  let admin: ReturnType<typeof client>;
  let agent: ReturnType<typeof client>;
  let socket: AgentClient;
  let messenger: { id: string; verifyToken: string };
  let instagram: string;
  let n = 0;
  const mid = () => `m_${(n += 1).toString().padStart(8, '0')}`;

  const hook = (inboxId = messenger.id) => ({ appUrl: stack.url, inboxId, appSecret: APP_SECRET });
  const event = (
    psid: string,
    message: Record<string, unknown>,
    object: 'page' | 'instagram' = 'page',
    pageId = PAGE,
  ) => ({
    object,
    entry: [
      {
        id: pageId,
        time: Date.now(),
        messaging: [{ sender: { id: psid }, recipient: { id: pageId }, timestamp: Date.now(), ...message }],
      },
    ],
  });
  const conversationOfMid = async (id: string): Promise<string> => {
    const [row] = await db.query('SELECT conversation_id FROM messages WHERE external_id = $1', [id]);
    return row.conversation_id as string;
  };

  beforeAll(async () => {
    process.env.META_GRAPH_BASE_URL = await graph.start();
    stack = await bootStack();
    db = stack.api.get(DataSource);
    ws = await createWorkspace(stack.api);
    admin = client(stack.url, { token: await login(stack.url, ws.admin.email) });
    const created = await admin('POST', '/api/v1/inboxes', {
      name: 'Facebook page',
      channel: 'messenger',
      config: { pageId: PAGE, appId: APP_ID },
      secrets: { pageAccessToken: TOKEN, appSecret: APP_SECRET },
    });
    expect(created.status).toBe(201);
    messenger = { id: created.body.inbox.id, verifyToken: created.body.generatedSecrets.verifyToken };
    instagram = (
      await admin('POST', '/api/v1/inboxes', {
        name: 'Instagram',
        channel: 'instagram',
        config: { pageId: IG_ACCOUNT, appId: APP_ID },
        secrets: { pageAccessToken: TOKEN, appSecret: APP_SECRET, verifyToken: 'ig-verify' },
      })
    ).body.inbox.id;
    const member = await ws.addMember('agent');
    const token = await login(stack.url, member.email);
    agent = client(stack.url, { token });
    socket = await connectAgent(stack.url, token);
  });

  afterAll(async () => {
    socket.close();
    await stack.close();
    await graph.stop();
    delete process.env.META_GRAPH_BASE_URL;
  });

  it('answers the subscription handshake only with the right verify token', async () => {
    const verify = (token: string, mode = 'subscribe') =>
      fetch(
        `${stack.url}/webhooks/meta/${messenger.id}?hub.mode=${mode}&hub.verify_token=${token}&hub.challenge=1158201444`,
      );
    const ok = await verify(messenger.verifyToken);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect((await verify('wrong')).status).toBe(403);
    expect((await verify(messenger.verifyToken, 'unsubscribe')).status).toBe(403);
  });

  it('accepts a signed batch with \\u escapes and \\/ byte for byte, and rejects it re-serialized', async () => {
    graph.profiles.set('2000000000001', {
      first_name: 'Inês',
      last_name: 'Costa',
      profile_pic: 'https://cdn.example/ines.jpg',
    });
    const id = mid();
    const raw = `{"object":"page","entry":[{"id":"${PAGE}","time":1,"messaging":[{"sender":{"id":"2000000000001"},"recipient":{"id":"${PAGE}"},"timestamp":1,"message":{"mid":"${id}","text":"Ol\\u00e1! caf\\u00e9 \\/ ch\\u00e1?"}}]}]}`;
    const reserialized = JSON.stringify(JSON.parse(raw));
    const forged = await graph.sendWebhook(hook(), reserialized, {
      signature: (await import('@parley/channels')).signMetaPayload(APP_SECRET, raw),
    });
    expect(forged.status).toBe(403);
    expect((await graph.sendWebhook(hook(), raw, { signature: null })).status).toBe(400);
    const accepted = await graph.sendWebhook(hook(), raw);
    expect(accepted).toEqual({ status: 200, body: 'EVENT_RECEIVED' });
    const live = await socket.next('message.created', (p) => p.message.externalId === id);
    expect(live.message).toMatchObject({ channel: 'messenger', body: 'Olá! café / chá?' });
    // The profile job names the contact from the Graph API.
    await eventually(async () => {
      const [contact] = await db.query('SELECT name, avatar_url FROM contacts WHERE id = $1', [
        live.message.contactId,
      ]);
      return contact.name === 'Inês Costa' && contact.avatar_url === 'https://cdn.example/ines.jpg';
    });
  });

  it('processes every entry and event of a batch, once, even when Meta repeats the batch or a mid', async () => {
    const [a, b, c] = [mid(), mid(), mid()];
    const batch = {
      object: 'page',
      entry: [
        {
          id: PAGE,
          time: 2,
          messaging: [
            {
              sender: { id: '2000000000002' },
              recipient: { id: PAGE },
              timestamp: 2,
              message: { mid: a, text: 'one' },
            },
          ],
        },
        {
          id: PAGE,
          time: 3,
          messaging: [
            {
              sender: { id: '2000000000002' },
              recipient: { id: PAGE },
              timestamp: 3,
              message: { mid: b, text: 'two', quick_reply: { payload: 'SIZE_M' } },
            },
            {
              sender: { id: '2000000000003' },
              recipient: { id: PAGE },
              timestamp: 3,
              message: { mid: c, text: 'three' },
            },
          ],
        },
      ],
    };
    expect((await graph.sendWebhook(hook(), batch)).status).toBe(200);
    expect((await graph.sendWebhook(hook(), batch)).status).toBe(200);
    expect(
      (await graph.sendWebhook(hook(), event('2000000000002', { message: { mid: b, text: 'two again' } })))
        .status,
    ).toBe(200);
    const rows: Array<{ external_id: string; body: string; metadata: Record<string, unknown> }> =
      await db.query(
        'SELECT external_id, body, metadata FROM messages WHERE external_id = ANY($1) ORDER BY external_id',
        [[a, b, c]],
      );
    expect(rows.map((r) => r.body)).toEqual(['one', 'two', 'three']);
    expect(rows[1].metadata.quickReply).toBe('SIZE_M');
    expect(await conversationOfMid(a)).toBe(await conversationOfMid(b));
    expect(await conversationOfMid(c)).not.toBe(await conversationOfMid(a));
  });

  it('replies with RESPONSE, ignores our own echo, stores a foreign echo, and applies watermarks forward only', async () => {
    const psid = '2000000000004';
    const inbound = mid();
    await graph.sendWebhook(
      hook(),
      event(psid, { message: { mid: inbound, text: 'Do you ship to Porto?' } }),
    );
    const conversationId = await conversationOfMid(inbound);
    const reply = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, {
      body: 'Yes, in 2 days!',
    });
    expect(reply.status).toBe(201);
    const sent = await socket.next(
      'message.updated',
      (p) => p.message.id === reply.body.id && p.message.status === 'sent',
    );
    const call = graph.sends.find((s) => s.messageId === sent.message.externalId)!;
    expect(call.body).toEqual({
      recipient: { id: psid },
      messaging_type: 'RESPONSE',
      message: { text: 'Yes, in 2 days!' },
    });

    const echo = (messageId: string, appId: string, text: string) => ({
      object: 'page',
      entry: [
        {
          id: PAGE,
          time: 9,
          messaging: [
            {
              sender: { id: PAGE },
              recipient: { id: psid },
              timestamp: 9,
              message: { mid: messageId, is_echo: true, app_id: Number(appId), text },
            },
          ],
        },
      ],
    });
    await graph.sendWebhook(hook(), echo(sent.message.externalId, APP_ID, 'Yes, in 2 days!'));
    const foreign = mid();
    await graph.sendWebhook(hook(), echo(foreign, '111111111111', 'Sent from Business Suite'));
    const messages = await agent('GET', `/api/v1/conversations/${conversationId}/messages`);
    expect(
      messages.body.items.map((m: { body: string; direction: string; senderType: string }) => [
        m.direction,
        m.senderType,
        m.body,
      ]),
    ).toEqual([
      ['in', 'contact', 'Do you ship to Porto?'],
      ['out', 'agent', 'Yes, in 2 days!'],
      ['out', 'agent', 'Sent from Business Suite'],
    ]);

    const watermark = (field: 'delivery' | 'read', at: number) =>
      graph.sendWebhook(hook(), {
        object: 'page',
        entry: [
          {
            id: PAGE,
            time: at,
            messaging: [
              { sender: { id: psid }, recipient: { id: PAGE }, timestamp: at, [field]: { watermark: at } },
            ],
          },
        ],
      });
    await watermark('read', Date.now() + 1000);
    await socket.next(
      'message.updated',
      (p) => p.message.id === reply.body.id && p.message.status === 'read',
    );
    await watermark('delivery', Date.now() + 2000);
    const [row] = await db.query('SELECT status FROM messages WHERE id = $1', [reply.body.id]);
    expect(row.status).toBe('read');
  });

  it('applies the 24-hour and 7-day rules, with HUMAN_AGENT only for humans and only with the permission', async () => {
    const psid = '2000000000005';
    const inbound = mid();
    await graph.sendWebhook(hook(), event(psid, { message: { mid: inbound, text: 'hello' } }));
    const conversationId = await conversationOfMid(inbound);
    await db.query(`UPDATE messages SET created_at = now() - interval '2 days' WHERE external_id = $1`, [
      inbound,
    ]);
    const refused = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, {
      body: 'Sorry for the wait',
    });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(
      /^Outside Meta's 24-hour window \(closed .*\); this inbox has no HUMAN_AGENT permission for later replies$/,
    );

    expect(
      (await admin('PATCH', `/api/v1/inboxes/${messenger.id}`, { config: { humanAgentEnabled: true } }))
        .status,
    ).toBe(200);
    const tagged = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, {
      body: 'Sorry for the wait',
    });
    expect(tagged.status).toBe(201);
    const sent = await socket.next(
      'message.updated',
      (p) => p.message.id === tagged.body.id && p.message.status === 'sent',
    );
    expect(graph.sends.find((s) => s.messageId === sent.message.externalId)!.body).toMatchObject({
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
    });
    const bot = client(stack.url, { apiKey: await ws.addApiKey() });
    const botReply = await bot('POST', `/api/v1/conversations/${conversationId}/messages`, {
      body: 'Automated',
    });
    expect(botReply.status).toBe(422);
    expect(botReply.body.message).toBe(
      'Outside the 24-hour window only a human agent may reply (HUMAN_AGENT tag)',
    );

    await db.query(`UPDATE messages SET created_at = now() - interval '8 days' WHERE external_id = $1`, [
      inbound,
    ]);
    const late = await agent('POST', `/api/v1/conversations/${conversationId}/messages`, { body: 'Hello?' });
    expect(late.status).toBe(422);
    expect(late.body.message).toBe(
      "More than 7 days since the customer's last message: Meta allows no reply until they write again",
    );
  });

  it('surfaces an invalid token on the inbox until new credentials are saved', async () => {
    const inbound = mid();
    await graph.sendWebhook(hook(), event('2000000000006', { message: { mid: inbound, text: 'hi' } }));
    graph.failNext({ status: 400, code: 190, message: 'Error validating access token: Session has expired' });
    const reply = await agent('POST', `/api/v1/conversations/${await conversationOfMid(inbound)}/messages`, {
      body: 'Hi!',
    });
    const failed = await socket.next(
      'message.updated',
      (p) => p.message.id === reply.body.id && p.message.status === 'failed',
    );
    expect(failed.message.error.code).toBe('reauthorization_required');
    const inbox = await admin('GET', `/api/v1/inboxes/${messenger.id}`);
    expect(inbox.body.health).toMatchObject({
      status: 'reauthorization_required',
      error: expect.stringContaining('Session has expired'),
    });
    const blocked = await agent(
      'POST',
      `/api/v1/conversations/${await conversationOfMid(inbound)}/messages`,
      { body: 'Again?' },
    );
    expect(blocked.status).toBe(422);
    expect(blocked.body.message).toMatch(/^The Facebook page inbox needs new credentials: /);
    await admin('PATCH', `/api/v1/inboxes/${messenger.id}`, { secrets: { pageAccessToken: TOKEN } });
    expect((await admin('GET', `/api/v1/inboxes/${messenger.id}`)).body.health).toEqual({ status: 'ok' });
  });

  it('mirrors the agent typing to Messenger and records reactions and postbacks', async () => {
    const psid = '2000000000007';
    const inbound = mid();
    await graph.sendWebhook(hook(), event(psid, { message: { mid: inbound, text: 'hey' } }));
    const conversationId = await conversationOfMid(inbound);
    await socket.emit('conversation.join', { conversationId });
    await socket.emit('typing', { conversationId, state: 'on' });
    await eventually(() =>
      graph.sends.some((s) => s.body.recipient?.id === psid && s.body.sender_action === 'typing_on'),
    );

    const reaction = event(psid, {
      reaction: { mid: inbound, reaction: 'love', emoji: '❤', action: 'react' },
    });
    await graph.sendWebhook(hook(), reaction);
    // Meta re-delivers the very same batch: recorded once.
    await graph.sendWebhook(hook(), reaction);
    await graph.sendWebhook(
      hook(),
      event(psid, { postback: { mid: mid(), title: 'Track my order', payload: 'TRACK' } }),
    );
    const events: Array<{ type: string; data: Record<string, unknown> }> = await db.query(
      `SELECT type, data FROM conversation_events WHERE conversation_id = $1 AND type = 'reaction'`,
      [conversationId],
    );
    expect(events).toEqual([{ type: 'reaction', data: { reaction: 'love', emoji: '❤', action: 'react' } }]);
    const messages = await agent('GET', `/api/v1/conversations/${conversationId}/messages`);
    expect(messages.body.items.map((m: { body: string }) => m.body)).toEqual(['hey', 'Track my order']);
  });

  it('keys Instagram contacts by IGSID on their own inbox', async () => {
    const id = mid();
    const answer = await graph.sendWebhook(
      hook(instagram),
      event('3000000000001', { message: { mid: id, text: 'from IG' } }, 'instagram', IG_ACCOUNT),
    );
    expect(answer.status).toBe(200);
    const [row] = await db.query(
      `SELECT m.channel, i.kind, i.scope_inbox_id FROM messages m JOIN contact_identities i ON i.id = m.identity_id WHERE m.external_id = $1`,
      [id],
    );
    expect(row).toEqual({ channel: 'instagram', kind: 'igsid', scope_inbox_id: instagram });
    // An event addressed to another page is not ours.
    const stray = mid();
    await graph.sendWebhook(
      hook(instagram),
      event('3000000000001', { message: { mid: stray, text: 'x' } }, 'instagram', '999999999'),
    );
    expect(await db.query('SELECT 1 FROM messages WHERE external_id = $1', [stray])).toEqual([]);
  });

  it('validates Messenger inbox settings', async () => {
    const bad = await admin('POST', '/api/v1/inboxes', {
      name: 'FB',
      channel: 'messenger',
      config: { pageId: 'my-page' },
      secrets: { pageAccessToken: 'x', appSecret: 'y' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('config.pageId must be the numeric page or account id');
    const noSecret = await admin('POST', '/api/v1/inboxes', {
      name: 'FB',
      channel: 'messenger',
      config: { pageId: PAGE, appId: APP_ID },
      secrets: { pageAccessToken: 'x' },
    });
    expect(noSecret.body.message).toBe('secrets.appSecret is required');
    const noApp = await admin('POST', '/api/v1/inboxes', {
      name: 'FB',
      channel: 'messenger',
      config: { pageId: PAGE },
      secrets: { pageAccessToken: 'x', appSecret: 'y' },
    });
    expect(noApp.body.message).toBe('config.appId must be the numeric Meta app id');
  });
});
