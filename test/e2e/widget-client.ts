import { io } from 'socket.io-client';
import { InboxesService } from '@parley/inbox';
import { createWorkspace, type WorkspaceFixture } from '@parley/testing';
import { AgentClient, bootStack, connectAgent, login, type Stack } from '../support/stack.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- loosely typed JSON for assertions
type Json = any;

export interface WebchatInbox {
  id: string;
  websiteToken: string;
  hmacSecret: string;
}

/** A web chat inbox, as an admin creates it: the website token and the generated HMAC secret. */
export async function addWebchatInbox(
  stack: Stack,
  ws: WorkspaceFixture,
  config: Record<string, unknown> = {},
): Promise<WebchatInbox> {
  const inbox = await ws.addInbox({ channel: 'webchat', config });
  const view = await stack.api.get(InboxesService).get(ws.workspaceId, inbox.id);
  return {
    id: inbox.id,
    websiteToken: String(view.config.websiteToken),
    hmacSecret: inbox.secrets.hmacSecret,
  };
}

/** A visitor's widget socket on `/widget`; resolves once connected with the `session` event it got. */
export async function connectWidget(
  url: string,
  auth: Record<string, unknown>,
): Promise<{ client: AgentClient; session: Json }> {
  const socket = io(`${url}/widget`, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const client = new AgentClient(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return { client, session: await client.next('session') };
}

/** The reason a refused widget handshake gives (its `connect_error` message). */
export async function refusal(url: string, auth: Record<string, unknown>): Promise<string> {
  const socket = io(`${url}/widget`, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  try {
    return await new Promise<string>((resolve, reject) => {
      socket.once('connect', () => reject(new Error('connected, expected a refusal')));
      socket.once('connect_error', (error) => resolve(error.message));
    });
  } finally {
    socket.disconnect();
  }
}

let echo = 0;
/** A fresh echo id for a visitor message. */
export function echoId(): string {
  echo += 1;
  return `echo-${Date.now().toString(36)}-${echo}`;
}

export interface WidgetStack {
  stack: Stack;
  ws: WorkspaceFixture;
  inbox: WebchatInbox;
  agentToken: string;
  agentSocket: AgentClient;
}

/** api + worker, a workspace with a web chat inbox (this config), and an agent connected on `/agent`. */
export async function bootWidgetStack(config: Record<string, unknown>): Promise<WidgetStack> {
  const stack = await bootStack();
  const ws = await createWorkspace(stack.api);
  const inbox = await addWebchatInbox(stack, ws, config);
  const agent = await ws.addMember('agent');
  const agentToken = await login(stack.url, agent.email);
  return { stack, ws, inbox, agentToken, agentSocket: await connectAgent(stack.url, agentToken) };
}
