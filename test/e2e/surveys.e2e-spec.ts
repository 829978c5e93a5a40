import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { signMailgun } from '@parley/channels';
import { JobQueues } from '@parley/jobs';
import { SurveysService } from '@parley/surveys';
import {
  createWorkspace,
  eventually,
  GraphFake,
  SmtpSink,
  TWILIO_TEST_ACCOUNT_SID as ACCOUNT,
  TWILIO_TEST_AUTH_TOKEN as TOKEN,
  TwilioFake,
  type WorkspaceFixture,
} from '@parley/testing';
import { bootStack, client, connectAgent, login, type AgentClient, type Stack } from '../support/stack.js';

type Http = ReturnType<typeof client>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- loosely typed JSON rows for assertions
type Json = any;

const SIGNING_KEY = 'mailgun-key-for-survey-tests';
const PAGE = '1000000000009';
const PAGE_TOKEN = 'page-access-token';
const APP_SECRET = 'meta-app-secret';

describe('surveys end to end: resolve → delayed job → channel → answer → aggregates', () => {
  const twilio = new TwilioFake().addAccount(ACCOUNT, TOKEN);
  const graph = new GraphFake().addPage(PAGE, PAGE_TOKEN);
  let stack: Stack;
  let ws: WorkspaceFixture;
  let db: DataSource;
  let admin: Http;
  let agent: Http;
  let agentId: string;
  let public_: Http;
  let sms: string;
  let supervisorSocket: AgentClient;
  let sink: SmtpSink;
  let n = 0;

  beforeAll(async () => {
    process.env.TWILIO_API_BASE_URL = await twilio.start();
    process.env.META_GRAPH_BASE_URL = await graph.start();
    sink = await SmtpSink.start();
    stack = await bootStack();
    db = stack.api.get(DataSource);
    ws = await createWorkspace(stack.api);
    admin = client(stack.url, { token: await login(stack.url, ws.admin.email) });
    const member = await ws.addMember('agent');
    agentId = member.id;
    agent = client(stack.url, { token: await login(stack.url, member.email) });
    public_ = client(stack.url);
    sms = (await ws.addInbox({ channel: 'sms' })).id;
    supervisorSocket = await connectAgent(stack.url, await login(stack.url, ws.admin.email));
    const policy = await admin('PUT', '/api/v1/surveys/policy', { delayMinutes: 1, kinds: ['csat'] });
    expect(policy.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    supervisorSocket?.close();
    await stack?.close();
    await twilio.stop();
    await sink?.close();
    await graph.stop();
    delete process.env.TWILIO_API_BASE_URL;
    delete process.env.META_GRAPH_BASE_URL;
  });

  const text = async (from: string, body: string): Promise<string> => {
    const messageSid = `SM${(n += 1).toString(16).padStart(32, '0')}`;
    const answer = await twilio.sendInbound(
      { appUrl: stack.url, publicUrl: process.env.PUBLIC_URL ?? '', inboxId: sms },
      { MessageSid: messageSid, From: from, To: '+15005550006', Body: body },
    );
    expect(answer.status).toBe(200);
    return messageSid;
  };
  const conversationOf = async (externalId: string): Promise<string> =>
    (await db.query('SELECT conversation_id FROM messages WHERE external_id = $1', [externalId]))[0]
      .conversation_id;
  const surveysOf = async (conversationId: string): Promise<Json[]> =>
    db.query(`SELECT * FROM surveys WHERE conversation_id = $1 ORDER BY created_at, position`, [
      conversationId,
    ]);
  const conversation = async (id: string): Promise<Json> =>
    (await agent('GET', `/api/v1/conversations/${id}`)).body.conversation;
  const twilioTo = (phone: string) => twilio.messages.filter((m) => m.fields.To === phone);

  /** A customer texts, the agent answers and resolves: the shape every interaction survey starts from. */
  const servedAndResolved = async (phone: string): Promise<string> => {
    const conversationId = await conversationOf(await text(phone, 'Where is my order?'));
    expect(
      (await agent('POST', `/api/v1/conversations/${conversationId}/messages`, { body: 'On its way!' }))
        .status,
    ).toBe(201);
    expect((await agent('POST', `/api/v1/conversations/${conversationId}/resolve`)).status).toBe(200);
    return conversationId;
  };
  /** Time passes: the survey's delayed job (jobId = survey id) runs now. */
  const promote = async (surveyId: string) => {
    const job = await eventually(() => stack.api.get(JobQueues).queue('surveys').getJob(surveyId));
    expect(job.opts.delay).toBe(60_000);
    await job.promote();
  };

  it('schedules a CSAT survey with the resolve, sends it by SMS after the delay, and records a numeric reply', async () => {
    const phone = '+14155550201';
    const conversationId = await servedAndResolved(phone);
    const [survey] = await surveysOf(conversationId);
    expect(survey).toMatchObject({ kind: 'csat', status: 'scheduled', position: 1 });
    const resolvedAt = (await conversation(conversationId)).resolvedAt;
    expect(new Date(survey.scheduled_for).getTime() - new Date(resolvedAt).getTime()).toBe(60_000);
    // Not before the delay: only the agent's reply reaches the phone.
    await eventually(() => twilioTo(phone).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(twilioTo(phone)).toHaveLength(1);

    await promote(survey.id);
    const [, question] = await eventually(() => (twilioTo(phone).length >= 2 ? twilioTo(phone) : undefined));
    expect(question.fields.Body).toMatch(/How satisfied are you with the help you got from .+\?/);
    expect(question.fields.Body).toContain(
      'Reply with a number from 1 (very dissatisfied) to 5 (very satisfied).',
    );
    const [sent] = await surveysOf(conversationId);
    expect(sent).toMatchObject({ status: 'sent', channel: 'sms' });
    expect(sent.agent_id).toBe((await conversation(conversationId)).assigneeId);
    expect(sent.message_id).not.toBeNull();

    const reply = await text(phone, '2 - took three days');
    const alert = await supervisorSocket.next('survey.alert', (p) => p.surveyId === survey.id);
    expect(alert).toMatchObject({
      kind: 'csat',
      score: 2,
      comment: 'took three days',
      low: true,
      channel: 'sms',
    });
    const [answered] = await surveysOf(conversationId);
    expect(answered).toMatchObject({ status: 'answered', score: 2, comment: 'took three days' });
    // The answer does not reopen the conversation, and sits in its timeline as a survey message.
    expect(await conversation(conversationId)).toMatchObject({ status: 'resolved', reopenCount: 0 });
    const [stored] = await db.query('SELECT kind, conversation_id FROM messages WHERE external_id = $1', [
      reply,
    ]);
    expect(stored).toEqual({ kind: 'survey', conversation_id: conversationId });
    // A low score leaves a note for the team; a comment was given, so the customer is thanked once.
    const note = await eventually(async () => {
      const items = (await agent('GET', `/api/v1/conversations/${conversationId}/messages`)).body
        .items as Json[];
      return items.find((m) => m.kind === 'note' && /Low CSAT score: 2\/5/.test(m.body));
    });
    expect(note.body).toContain('took three days');
    const thanks = await eventually(() =>
      twilioTo(phone).find((m) => m.fields.Body === 'Thank you for your feedback!'),
    );
    expect(thanks).toBeDefined();
    const events = await db.query(
      `SELECT type FROM conversation_events WHERE conversation_id = $1 AND type LIKE 'survey%' ORDER BY seq`,
      [conversationId],
    );
    expect(events.map((e: Json) => e.type)).toEqual(['survey_sent', 'survey_answered']);

    const summary = await admin('GET', '/api/v1/surveys/summary');
    expect(summary.status).toBe(200);
    expect(summary.body.items[0].csat).toMatchObject({
      sent: 1,
      responses: 1,
      responseRate: 100,
      percent: 0,
      mean: 2,
    });
    const byChannel = await admin('GET', '/api/v1/surveys/summary?groupBy=channel');
    expect(byChannel.body.items).toEqual([expect.objectContaining({ key: 'sms' })]);
    const list = await admin('GET', `/api/v1/surveys?conversationId=${conversationId}`);
    expect(list.body.items[0]).toMatchObject({
      kind: 'csat',
      score: 2,
      comment: 'took three days',
      status: 'answered',
    });
    const forAgent = await agent('GET', `/api/v1/conversations/${conversationId}/surveys`);
    expect(forAgent.body).toMatchObject({ excluded: false, items: [expect.objectContaining({ score: 2 })] });
  });

  it('throttles: the same contact is not surveyed again within the throttle window', async () => {
    const phone = '+14155550201';
    // The earlier conversation reopens (inside the reopen window) with a normal message.
    const conversationId = await conversationOf(await text(phone, 'One more question about the invoice'));
    expect(await conversation(conversationId)).toMatchObject({ status: 'open', reopenCount: 1 });
    await agent('POST', `/api/v1/conversations/${conversationId}/messages`, { body: 'Sure, here it is.' });
    await agent('POST', `/api/v1/conversations/${conversationId}/resolve`);
    const rows = await surveysOf(conversationId);
    expect(rows[1]).toMatchObject({ status: 'skipped' });
    expect(rows[1].status_reason).toMatch(/the contact was surveyed on \d{4}-\d\d-\d\d \(throttle 7 days\)/);
  });

  it('cancels on reopen, and a promoted job then sends nothing', async () => {
    const phone = '+14155550202';
    const conversationId = await servedAndResolved(phone);
    const [survey] = await surveysOf(conversationId);
    expect((await agent('POST', `/api/v1/conversations/${conversationId}/reopen`)).status).toBe(200);
    expect((await surveysOf(conversationId))[0]).toMatchObject({
      status: 'cancelled',
      status_reason: 'the conversation was reopened',
    });
    await promote(survey.id);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(twilioTo(phone)).toHaveLength(1);
    // Re-resolving schedules a new survey for the new cycle (which needs an agent reply of its own).
    await agent('POST', `/api/v1/conversations/${conversationId}/resolve`);
    expect((await surveysOf(conversationId))[1]).toMatchObject({
      status: 'skipped',
      status_reason: '0 agent replies (the policy asks for 1)',
    });
    await agent('POST', `/api/v1/conversations/${conversationId}/reopen`);
    await agent('POST', `/api/v1/conversations/${conversationId}/messages`, { body: 'Anything else?' });
    await agent('POST', `/api/v1/conversations/${conversationId}/resolve`);
    const rows = await surveysOf(conversationId);
    expect(rows.map((row) => row.status)).toEqual(['cancelled', 'skipped', 'scheduled']);
    // An agent decides against it: the scheduled one is cancelled too.
    await agent('PUT', `/api/v1/conversations/${conversationId}/survey-exclusion`, { excluded: true });
    expect((await surveysOf(conversationId)).map((row) => row.status)).toEqual([
      'cancelled',
      'skipped',
      'cancelled',
    ]);
  });

  it('cancels when the customer answers with other text, which is threaded as a normal message', async () => {
    const phone = '+14155550203';
    const conversationId = await servedAndResolved(phone);
    const [survey] = await surveysOf(conversationId);
    await promote(survey.id);
    await eventually(async () => (await surveysOf(conversationId))[0].status === 'sent');
    await text(phone, 'Actually, where is my refund?');
    expect((await surveysOf(conversationId))[0]).toMatchObject({
      status: 'cancelled',
      status_reason: 'the customer wrote something else',
    });
    expect(await conversation(conversationId)).toMatchObject({ status: 'open', reopenCount: 1 });
  });

  it('never double-sends: concurrent and repeated runs of a send, and the sweeper repairing a lost job', async () => {
    const phone = '+14155550204';
    const conversationId = await servedAndResolved(phone);
    const [survey] = await surveysOf(conversationId);
    const surveys = stack.api.get(SurveysService);
    // The delayed job is lost (Redis flushed, say) and its time has passed.
    await (await eventually(() => stack.api.get(JobQueues).queue('surveys').getJob(survey.id))).remove();
    await db.query(`UPDATE surveys SET scheduled_for = now() - interval '5 minutes' WHERE id = $1`, [
      survey.id,
    ]);
    // A stalled worker's retry and another worker run the same send at once.
    await Promise.all([surveys.send(ws.workspaceId, survey.id), surveys.send(ws.workspaceId, survey.id)]);
    expect(await surveys.sweep()).toMatchObject({ requeued: 0 });
    await surveys.send(ws.workspaceId, survey.id);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const questions = twilioTo(phone).filter((m) => /How satisfied/.test(String(m.fields.Body)));
    expect(questions).toHaveLength(1);

    // The sweeper re-enqueues a scheduled survey whose job is gone, and it is sent once.
    const other = '+14155550205';
    const second = await servedAndResolved(other);
    const [lost] = await surveysOf(second);
    await (await eventually(() => stack.api.get(JobQueues).queue('surveys').getJob(lost.id))).remove();
    await db.query(`UPDATE surveys SET scheduled_for = now() - interval '5 minutes' WHERE id = $1`, [
      lost.id,
    ]);
    expect(await surveys.sweep()).toMatchObject({ requeued: 1 });
    await eventually(() => twilioTo(other).find((m) => /How satisfied/.test(String(m.fields.Body))));
    expect((await surveysOf(second))[0].status).toBe('sent');
  });

  it('skips auto-resolved conversations, conversations without an agent reply, and excluded ones', async () => {
    const integration = client(stack.url, { apiKey: await ws.addApiKey() });
    const bot = await conversationOf(await text('+14155550206', 'Hi'));
    await integration('POST', `/api/v1/conversations/${bot}/messages`, { body: 'Automated answer' });
    await integration('POST', `/api/v1/conversations/${bot}/resolve`);
    expect((await surveysOf(bot))[0]).toMatchObject({
      status: 'skipped',
      status_reason: 'resolved automatically',
    });

    const silent = await conversationOf(await text('+14155550207', 'Never mind'));
    await agent('POST', `/api/v1/conversations/${silent}/resolve`);
    expect((await surveysOf(silent))[0].status_reason).toBe('0 agent replies (the policy asks for 1)');

    const excluded = await conversationOf(await text('+14155550208', 'Angry customer'));
    const put = await agent('PUT', `/api/v1/conversations/${excluded}/survey-exclusion`, { excluded: true });
    expect(put).toMatchObject({ status: 200, body: { excluded: true } });
    await agent('POST', `/api/v1/conversations/${excluded}/messages`, { body: 'Sorry about that' });
    await agent('POST', `/api/v1/conversations/${excluded}/resolve`);
    expect((await surveysOf(excluded))[0].status_reason).toBe(
      'an agent chose not to survey this conversation',
    );
    expect(
      (await agent('PUT', `/api/v1/conversations/${excluded}/survey-exclusion`, { excluded: 'yes' })).status,
    ).toBe(400);
  });

  it('validates the policy, keeps it to admins and layers inbox overrides', async () => {
    const bad = await admin('PUT', '/api/v1/surveys/policy', {
      delayMinutes: -5,
      kinds: ['csat', 'csat'],
      npsThrottleDays: 10,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([
      'delayMinutes must be an integer from 0 to 10080',
      'npsThrottleDays must be an integer from 30 to 730',
      'kinds must be ["csat"], ["ces"], ["csat","ces"] or ["ces","csat"]',
    ]);
    expect((await admin('PUT', '/api/v1/surveys/policy', { delay: 3 })).status).toBe(400);
    expect((await agent('PUT', '/api/v1/surveys/policy', { delayMinutes: 3 })).status).toBe(403);
    expect((await agent('GET', '/api/v1/surveys/summary')).status).toBe(403);
    const override = await admin('PUT', `/api/v1/surveys/policy/inboxes/${sms}`, {
      kinds: ['csat', 'ces'],
      wording: { de: { thanks: 'Danke!' } },
    });
    expect(override.status).toBe(200);
    expect(override.body.effective).toMatchObject({ delayMinutes: 1, kinds: ['csat', 'ces'] });
    expect(override.body.override).toEqual({ kinds: ['csat', 'ces'], wording: { de: { thanks: 'Danke!' } } });
    const foreign = await admin('GET', '/api/v1/surveys/policy/inboxes/5d0c2a4e-1f3b-4c5d-8e9f-0a1b2c3d4e5f');
    expect(foreign.status).toBe(404);
  });

  it('asks CSAT then CES in a sequence on a chat channel, then asks for a comment and captures it', async () => {
    const phone = '+14155550209';
    const conversationId = await servedAndResolved(phone);
    const [csat, ces] = await surveysOf(conversationId);
    expect([csat.kind, ces.kind]).toEqual(['csat', 'ces']);
    await promote(csat.id);
    await eventually(() => twilioTo(phone).find((m) => /How satisfied/.test(String(m.fields.Body))));
    await text(phone, '5');
    const cesQuestion = await eventually(() =>
      twilioTo(phone).find((m) => /made it easy/.test(String(m.fields.Body))),
    );
    expect(cesQuestion.fields.Body).toContain('from 1 (strongly disagree) to 7 (strongly agree)');
    await text(phone, '6');
    await eventually(() =>
      twilioTo(phone).find((m) => /Anything else you would like to tell us/.test(String(m.fields.Body))),
    );
    await text(phone, 'Great service, thanks');
    const rows = await eventually(async () => {
      const current = await surveysOf(conversationId);
      return current[1].comment ? current : undefined;
    });
    expect(rows.map((r) => [r.kind, r.status, r.score, r.comment])).toEqual([
      ['csat', 'answered', 5, null],
      ['ces', 'answered', 6, 'Great service, thanks'],
    ]);
    expect(await conversation(conversationId)).toMatchObject({ status: 'resolved', reopenCount: 0 });
    await admin('DELETE', `/api/v1/surveys/policy/inboxes/${sms}`);
  });

  it('expires an unanswered question with the later questions of its sequence', async () => {
    await admin('PUT', `/api/v1/surveys/policy/inboxes/${sms}`, { kinds: ['csat', 'ces'] });
    const phone = '+14155550299';
    const conversationId = await servedAndResolved(phone);
    const [csat] = await surveysOf(conversationId);
    await promote(csat.id);
    await eventually(async () => ((await surveysOf(conversationId))[0].status === 'sent' ? true : undefined));
    await db.query(`UPDATE surveys SET expires_at = now() - interval '1 minute' WHERE id = $1`, [csat.id]);
    expect(await stack.api.get(SurveysService).sweep()).toMatchObject({ expired: 1 });
    const rows = await surveysOf(conversationId);
    expect(rows.map((r) => [r.kind, r.status, r.status_reason])).toEqual([
      ['csat', 'expired', 'not answered before the link expired'],
      ['ces', 'expired', 'an earlier question was not answered'],
    ]);
    await admin('DELETE', `/api/v1/surveys/policy/inboxes/${sms}`);
  });

  it('asks on Messenger with quick replies and takes the tapped one as the answer', async () => {
    const created = await admin('POST', '/api/v1/inboxes', {
      name: 'Facebook page',
      channel: 'messenger',
      config: { pageId: PAGE, appId: '424242424242' },
      secrets: { pageAccessToken: PAGE_TOKEN, appSecret: APP_SECRET },
    });
    expect(created.status).toBe(201);
    const inboxId = created.body.inbox.id as string;
    const hook = { appUrl: stack.url, inboxId, appSecret: APP_SECRET };
    const messaging = (mid: string, message: Record<string, unknown>) => ({
      object: 'page',
      entry: [
        {
          id: PAGE,
          time: Date.now(),
          messaging: [
            {
              sender: { id: 'PSID-77' },
              recipient: { id: PAGE },
              timestamp: Date.now(),
              message: { mid, ...message },
            },
          ],
        },
      ],
    });
    expect(
      (await graph.sendWebhook(hook, messaging('m_survey_1', { text: 'Is the shop open?' }))).status,
    ).toBe(200);
    const conversationId = await eventually(async () => {
      const rows = await db.query('SELECT conversation_id FROM messages WHERE external_id = $1', [
        'm_survey_1',
      ]);
      return rows[0]?.conversation_id as string | undefined;
    });
    await agent('POST', `/api/v1/conversations/${conversationId}/messages`, { body: 'Yes, until 8pm.' });
    await agent('POST', `/api/v1/conversations/${conversationId}/resolve`);
    const [survey] = await surveysOf(conversationId);
    await promote(survey.id);
    const asked = await eventually(() =>
      graph.sends.find((send) => /How satisfied/.test(send.body.message?.text ?? '')),
    );
    const quickReplies = (asked.body.message as { quick_replies?: Json[] }).quick_replies ?? [];
    expect(quickReplies.map((q) => q.title)).toEqual(['1', '2', '3', '4', '5']);
    expect(quickReplies[4]).toEqual({ content_type: 'text', title: '5', payload: `SURVEY:${survey.id}:5` });
    await graph.sendWebhook(
      hook,
      messaging('m_survey_2', { text: '5', quick_reply: { payload: quickReplies[4].payload } }),
    );
    await eventually(async () => (await surveysOf(conversationId))[0].score === 5);
    expect(await conversation(conversationId)).toMatchObject({ status: 'resolved', reopenCount: 0 });
  });

  it('attributes CSAT to the agent assigned when it was sent, even after a reassignment; reports show it', async () => {
    const other = await ws.addMember('agent');
    const phone = '+14155550210';
    const conversationId = await conversationOf(await text(phone, 'Can you check my order?'));
    await admin('POST', `/api/v1/conversations/${conversationId}/assign`, { assigneeId: agentId });
    await agent('POST', `/api/v1/conversations/${conversationId}/messages`, { body: 'Checked, all good.' });
    await agent('POST', `/api/v1/conversations/${conversationId}/resolve`);
    const [csat] = await surveysOf(conversationId);
    await promote(csat.id);
    await eventually(async () => (await surveysOf(conversationId))[0].status === 'sent');
    await text(phone, '5');
    await eventually(async () => (await surveysOf(conversationId))[0].score === 5);
    // An automation or a supervisor moves the conversation on afterwards: the score stays with the first agent.
    expect(
      (await admin('POST', `/api/v1/conversations/${conversationId}/assign`, { assigneeId: other.id }))
        .status,
    ).toBeLessThan(300);
    const mine = await admin('GET', `/api/v1/surveys/summary?agentId=${agentId}&kind=csat`);
    expect(mine.body.items[0].csat).toMatchObject({ responses: 1, percent: 100, mean: 5 });
    const theirs = await admin('GET', `/api/v1/surveys/summary?agentId=${other.id}&kind=csat`);
    expect(theirs.body.items[0].csat.responses).toBe(0);
    const board = (await admin('GET', '/api/v1/reports/agents')).body.items as Json[];
    expect(board.find((row) => row.agentId === agentId).csat).toEqual({ responses: 1, percent: 100 });
    expect(board.find((row) => row.agentId === other.id).csat).toEqual({ responses: 0, percent: null });
    const summary = (await admin('GET', `/api/v1/reports/summary?agentId=${agentId}`)).body;
    expect(summary.satisfaction.csat).toMatchObject({ responses: 1, percent: 100 });
    expect(summary.satisfaction.ces.scale).toContain('CES 2.0');
    const series = await admin('GET', '/api/v1/reports/timeseries?metric=csat&interval=week');
    expect(series.status).toBe(200);
    expect(series.body.points.at(-1)).toMatchObject({ period: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) });
    expect(series.body.points.reduce((sum: number, p: Json) => sum + p.responses, 0)).toBeGreaterThanOrEqual(
      2,
    );
    expect((await admin('GET', '/api/v1/reports/timeseries?metric=happiness')).status).toBe(400);
  });

  it('an answer racing the next question of its sequence never deadlocks (one lock order)', async () => {
    await admin('PUT', `/api/v1/surveys/policy/inboxes/${sms}`, { kinds: ['csat', 'ces'] });
    const surveys = stack.api.get(SurveysService);
    for (let i = 0; i < 4; i++) {
      const phone = `+1415555030${i}`;
      const conversationId = await servedAndResolved(phone);
      const [csat, ces] = await surveysOf(conversationId);
      await surveys.send(ws.workspaceId, csat.id);
      // The customer answers while a worker sends the second question (as the follow-up job would).
      const [, sent] = await Promise.allSettled([text(phone, '4'), surveys.send(ws.workspaceId, ces.id)]);
      expect(sent.status).toBe('fulfilled');
      const rows = await eventually(async () => {
        const current = await surveysOf(conversationId);
        return current[0].status === 'answered' && current[1].status === 'sent' ? current : undefined;
      });
      expect(rows.map((row) => row.score)).toEqual([4, null]);
    }
    await admin('DELETE', `/api/v1/surveys/policy/inboxes/${sms}`);
  });

  describe('email: a signed one-time link to the survey page with a confirm step', () => {
    let emailInbox: string;
    let conversationId: string;
    let url: string;

    beforeAll(async () => {
      const created = await admin('POST', '/api/v1/inboxes', {
        name: 'Support email',
        channel: 'email',
        config: {
          address: 'support@acme.test',
          inboundDomain: 'reply.acme.test',
          smtp: { host: '127.0.0.1', port: sink.port, tlsMode: 'none' },
        },
        secrets: { webhookSigningKey: SIGNING_KEY },
      });
      expect(created.status).toBe(201);
      emailInbox = created.body.inbox.id;
      await admin('PUT', `/api/v1/surveys/policy/inboxes/${emailInbox}`, { kinds: ['csat', 'ces'] });
    });

    it('mails the link after the delay; opening it never answers; confirming does, and may change it', async () => {
      const raw = [
        'From: Bea <bea@example.com>',
        'To: support@acme.test',
        'Subject: Invoice question',
        'Message-ID: <invoice-1@example.com>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Can I get a copy of my invoice?',
        '',
      ].join('\r\n');
      const timestamp = String(Math.floor(Date.now() / 1000));
      const token = randomBytes(20).toString('hex');
      const form = new FormData();
      form.set('body-mime', new Blob([raw]), 'message.mime');
      form.set('timestamp', timestamp);
      form.set('token', token);
      form.set('signature', signMailgun(SIGNING_KEY, timestamp, token));
      expect(
        (await fetch(`${stack.url}/webhooks/email/${emailInbox}`, { method: 'POST', body: form })).status,
      ).toBe(200);
      conversationId = await conversationOf('<invoice-1@example.com>');
      await agent('POST', `/api/v1/conversations/${conversationId}/messages`, { body: 'Attached!' });
      await agent('POST', `/api/v1/conversations/${conversationId}/resolve`);
      const [csat, ces] = await surveysOf(conversationId);
      await promote(csat.id);
      const mail = await eventually(() =>
        sink.messages.find(
          (m) => m.envelope.to.includes('bea@example.com') && /survey/.test(m.parsed.text ?? ''),
        ),
      );
      expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-generated');
      const links = [...(mail.parsed.text ?? '').matchAll(/(http\S+\/survey\/(\S+?))\?score=(\d)/g)];
      expect(links.map((l) => l[3])).toEqual(['1', '2', '3', '4', '5']);
      url = links[0][1];
      const token_ = links[0][2];
      expect((await surveysOf(conversationId)).map((r) => r.status)).toEqual(['sent', 'sent']);

      // A link scanner (or the customer) opening the page: nothing is recorded.
      const view = await public_('GET', `/api/v1/public/surveys/${token_}`);
      expect(view.status).toBe(200);
      expect(view.body).toMatchObject({ expired: false, comment: null, answeredAt: null });
      expect(view.body.questions.map((q: Json) => [q.kind, q.choices.length, q.score])).toEqual([
        ['csat', 5, null],
        ['ces', 7, null],
      ]);
      expect((await surveysOf(conversationId)).map((r) => r.status)).toEqual(['sent', 'sent']);

      const confirm = await public_('POST', `/api/v1/public/surveys/${token_}`, {
        answers: [
          { surveyId: csat.id, score: 4 },
          { surveyId: ces.id, score: 7 },
        ],
        comment: 'Quick and easy',
      });
      expect(confirm.status).toBe(200);
      expect(confirm.body.questions.map((q: Json) => q.score)).toEqual([4, 7]);
      const answered = await surveysOf(conversationId);
      expect(answered.map((r) => [r.status, r.score])).toEqual([
        ['answered', 4],
        ['answered', 7],
      ]);
      const firstAnsweredAt = answered[0].answered_at;
      const change = await public_('POST', `/api/v1/public/surveys/${token_}`, {
        answers: [{ surveyId: csat.id, score: 5 }],
      });
      expect(change.status).toBe(200);
      const changed = await surveysOf(conversationId);
      expect(changed[0]).toMatchObject({ score: 5, answered_at: firstAnsweredAt });
      expect(url).toContain('/survey/');
    });

    it('refuses bad tokens, bad scores and expired links', async () => {
      const [csat] = await surveysOf(conversationId);
      const token = stack.api.get(SurveysService).tokenFor(csat.group_id);
      expect((await public_('GET', `/api/v1/public/surveys/${token.slice(0, -2)}xx`)).status).toBe(404);
      expect((await public_('GET', '/api/v1/public/surveys/nonsense')).status).toBe(404);
      const bad = await public_('POST', `/api/v1/public/surveys/${token}`, {
        answers: [{ surveyId: csat.id, score: 9 }],
      });
      expect(bad).toMatchObject({
        status: 400,
        body: { details: ['score for csat must be an integer from 1 to 5'] },
      });
      expect((await public_('POST', `/api/v1/public/surveys/${token}`, { answers: [] })).status).toBe(400);
      await db.query(`UPDATE surveys SET expires_at = now() - interval '1 minute' WHERE group_id = $1`, [
        csat.group_id,
      ]);
      const late = await public_('POST', `/api/v1/public/surveys/${token}`, {
        answers: [{ surveyId: csat.id, score: 1 }],
      });
      expect(late).toMatchObject({ status: 410, body: { message: 'This survey has expired' } });
      expect((await public_('GET', `/api/v1/public/surveys/${token}`)).body.expired).toBe(true);
      expect((await surveysOf(conversationId))[0].score).toBe(5);
    });
  });

  it('runs an NPS campaign to a segment at a bounded rate, throttled per contact', async () => {
    // Contacts with a resolved conversation: the ones above. Rate 30/min → 2 s apart.
    const created = await admin('POST', '/api/v1/surveys/campaigns', {
      name: 'Relationship NPS',
      segment: { resolvedWithinDays: 90, channels: ['sms'] },
      ratePerMinute: 30,
    });
    expect(created.status).toBe(201);
    const campaign = await eventually(async () => {
      const current = (await admin('GET', `/api/v1/surveys/campaigns/${created.body.id}`)).body;
      return current.status !== 'planning' ? current : undefined;
    });
    expect(campaign.targeted).toBeGreaterThanOrEqual(3);
    const rows: Json[] = await db.query(
      `SELECT id, contact_id, scheduled_for, status FROM surveys WHERE campaign_id = $1 ORDER BY scheduled_for`,
      [created.body.id],
    );
    expect(rows).toHaveLength(campaign.targeted);
    for (let i = 1; i < rows.length; i++) {
      expect(new Date(rows[i].scheduled_for).getTime() - new Date(rows[i - 1].scheduled_for).getTime()).toBe(
        2000,
      );
    }
    // The first goes out at once: "How likely are you to recommend…", answered 0-10 by SMS.
    const first = await eventually(async () => {
      const [row] = await db.query(`SELECT * FROM surveys WHERE id = $1`, [rows[0].id]);
      return row.status === 'sent' ? row : undefined;
    });
    const [{ value: phone }] = await db.query(
      `SELECT value FROM contact_identities WHERE contact_id = $1 AND kind = 'phone'`,
      [first.contact_id],
    );
    await eventually(() =>
      twilioTo(phone).find((m) => /How likely are you to recommend/.test(String(m.fields.Body))),
    );
    await text(phone, '9');
    await eventually(
      async () => (await db.query(`SELECT score FROM surveys WHERE id = $1`, [first.id]))[0].score === 9,
    );
    const nps = await admin('GET', '/api/v1/surveys/summary?kind=nps');
    expect(nps.body.items[0].nps).toMatchObject({ responses: 1, promoters: 1, score: 100 });

    // A second campaign right away: everyone was asked within the NPS throttle.
    const again = await admin('POST', '/api/v1/surveys/campaigns', {
      name: 'Again',
      segment: { resolvedWithinDays: 90, channels: ['sms'] },
    });
    const second = await eventually(async () => {
      const current = (await admin('GET', `/api/v1/surveys/campaigns/${again.body.id}`)).body;
      return current.status !== 'planning' ? current : undefined;
    });
    expect(second).toMatchObject({ targeted: 0, skipped: campaign.targeted, status: 'done' });
    expect(
      (await admin('POST', '/api/v1/surveys/campaigns', { name: 'x', segment: { resolvedWithinDays: 0 } }))
        .status,
    ).toBe(400);
  });
});
