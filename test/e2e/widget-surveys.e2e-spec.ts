import { DataSource } from 'typeorm';
import { eventually } from '@parley/testing';
import { client, login } from '../support/stack.js';
import { bootWidgetStack, connectWidget, echoId, type WidgetStack } from './widget-client.js';

describe('surveys in web chat: the question as inline buttons, the pressed one as the answer', () => {
  let w: WidgetStack;
  let db: DataSource;

  beforeAll(async () => {
    w = await bootWidgetStack({});
    db = w.stack.api.get(DataSource);
    const admin = client(w.stack.url, { token: await login(w.stack.url, w.ws.admin.email) });
    const policy = await admin('PUT', '/api/v1/surveys/policy', { delayMinutes: 0, askComment: false });
    expect(policy.status).toBe(200);
  });

  afterAll(async () => {
    w.agentSocket.close();
    await w.stack.close();
  });

  it('shows the CSAT question with buttons after the resolve and records the pressed score without reopening', async () => {
    const { client: visitor } = await connectWidget(w.stack.url, { websiteToken: w.inbox.websiteToken });
    await visitor.emit('message.send', { body: 'Do you sell gift cards?', echoId: echoId() });
    const created = await w.agentSocket.next(
      'message.created',
      (p) => p.message.body === 'Do you sell gift cards?',
    );
    const conversationId = created.message.conversationId as string;
    const agent = client(w.stack.url, { token: w.agentToken });
    expect(
      (await agent('POST', `/api/v1/conversations/${conversationId}/messages`, { body: 'Yes, from $10.' }))
        .status,
    ).toBe(201);
    expect((await agent('POST', `/api/v1/conversations/${conversationId}/resolve`)).status).toBe(200);

    const asked = await visitor.next('message', (p) => p.message.kind === 'survey', 15_000);
    expect(asked.message.survey).toMatchObject({
      question: expect.stringMatching(/How satisfied are you/),
      choices: [1, 2, 3, 4, 5].map((value) => ({ value, label: String(value) })),
    });
    const surveyId = asked.message.survey.surveyId as string;
    // The widget's button sends the value as the visitor's message, with the survey id.
    const pressed = await visitor.emit('message.send', { body: '4', echoId: echoId(), surveyId });
    expect(pressed).toMatchObject({ ok: true });
    const [row] = await eventually(async () => {
      const rows = await db.query(`SELECT status, score, channel FROM surveys WHERE id = $1`, [surveyId]);
      return rows[0]?.status === 'answered' ? rows : undefined;
    });
    expect(row).toEqual({ status: 'answered', score: 4, channel: 'webchat' });
    const detail = (await agent('GET', `/api/v1/conversations/${conversationId}`)).body.conversation;
    expect(detail).toMatchObject({ status: 'resolved', reopenCount: 0 });
    // The customer is thanked once, in the widget.
    const thanks = await visitor.next(
      'message',
      (p) => p.message.body === 'Thank you for your feedback!',
      15_000,
    );
    expect(thanks.message.kind).toBe('text');
    visitor.close();
  });
});
