import { createWorkspace } from '@parley/testing';
import { bootStack, type Stack } from '../support/stack.js';
import { addWebchatInbox, connectWidget, echoId, refusal, type WebchatInbox } from './widget-client.js';

describe('Web chat per-IP rate limits', () => {
  let stack: Stack;
  let inbox: WebchatInbox;
  let visitorToken: string;
  const sockets: Array<{ close(): void }> = [];

  beforeAll(async () => {
    // Low limits for this api process only (read when it boots).
    process.env.WIDGET_SESSION_RATE_LIMIT_PER_MINUTE = '3';
    process.env.WIDGET_MESSAGE_RATE_LIMIT_PER_MINUTE = '4';
    stack = await bootStack({ worker: false });
    inbox = await addWebchatInbox(stack, await createWorkspace(stack.api));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    delete process.env.WIDGET_SESSION_RATE_LIMIT_PER_MINUTE;
    delete process.env.WIDGET_MESSAGE_RATE_LIMIT_PER_MINUTE;
    await stack.close();
  });

  it('limits new visitors per IP, while returning visitors still get in', async () => {
    const first = await connectWidget(stack.url, { websiteToken: inbox.websiteToken });
    sockets.push(first.client);
    visitorToken = first.session.visitorToken;
    for (let i = 0; i < 2; i += 1)
      sockets.push((await connectWidget(stack.url, { websiteToken: inbox.websiteToken })).client);
    expect(await refusal(stack.url, { websiteToken: inbox.websiteToken })).toBe(
      'too many new chats from this address; retry in a minute',
    );
    const back = await connectWidget(stack.url, {
      websiteToken: inbox.websiteToken,
      visitorToken: first.session.visitorToken,
    });
    sockets.push(back.client);
    expect(back.session.visitorId).toBe(first.session.visitorId);
  });

  it('limits messages per IP with an error event and a failed ack', async () => {
    // A returning visitor: new sessions from this address are used up by now.
    const { client: visitor } = await connectWidget(stack.url, {
      websiteToken: inbox.websiteToken,
      visitorToken,
    });
    sockets.push(visitor);
    const answers = [];
    for (let i = 0; i < 5; i += 1)
      answers.push(await visitor.emit('message.send', { body: `msg ${i}`, echoId: echoId() }));
    expect(answers.slice(0, 4).every((answer) => answer.ok)).toBe(true);
    expect(answers[4]).toMatchObject({
      ok: false,
      error: { message: 'too many messages; retry in a minute' },
    });
    await visitor.next('error', (p) => p.message === 'too many messages; retry in a minute');
  });
});
