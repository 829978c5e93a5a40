import 'reflect-metadata';
import { RequestMethod } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { createWorkspace, type WorkspaceFixture } from '@parley/testing';
import { ApiModule } from '../../apps/api/src/api.module.js';
import { REQUIRED_ROLE } from '../../apps/api/src/auth/auth.decorators.js';
import { createResources, fillPath, NIL_V4, operationsOf, SAMPLE_BODIES } from '../support/routes.js';
import { bootStack, client, connectAgent, login, type Stack } from '../support/stack.js';

type Http = ReturnType<typeof client>;

describe('access control', () => {
  let stack: Stack;
  let a: WorkspaceFixture;
  let b: WorkspaceFixture;
  let adminA: Http;
  let adminB: Http;
  let ids: Record<string, string>;

  beforeAll(async () => {
    stack = await bootStack({ worker: false });
    a = await createWorkspace(stack.api, 'Alpha');
    b = await createWorkspace(stack.api, 'Beta');
    adminA = client(stack.url, { token: await login(stack.url, a.admin.email) });
    adminB = client(stack.url, { token: await login(stack.url, b.admin.email) });

    ids = await createResources(a, adminA);
  });

  afterAll(() => stack.close());

  it("answers 404 on every route that takes an id when given another workspace's id", async () => {
    const document = (await adminA('GET', '/api/docs-json')).body as OpenAPIObject;
    const checked: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      if (params.length === 0) continue;
      for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
        if (!item[method]) continue;
        const key = `${method.toUpperCase()} ${path}`;
        if (method !== 'get' && method !== 'delete') expect(Object.keys(SAMPLE_BODIES)).toContain(key);
        const url = fillPath(path, ids);
        const response = await adminB(method.toUpperCase(), url, SAMPLE_BODIES[key]);
        if (response.status !== 404)
          throw new Error(`${key} answered ${response.status}: ${JSON.stringify(response.body)}`);
        checked.push(key);
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(30);
    // Workspace A's data is untouched by all of that.
    const own = await adminA('GET', `/api/v1/conversations/${ids.conversations}`);
    expect(own.status).toBe(200);
    expect(own.body.conversation.priority).toBe('none');
  });

  it('never takes a workspace id from a request body', async () => {
    for (const [path, body] of [
      ['/api/v1/labels', { name: 'x', workspaceId: a.workspaceId }],
      ['/api/v1/inboxes', { name: 'x', channel: 'api', workspaceId: a.workspaceId }],
      ['/api/v1/canned-responses', { shortCode: 'x', content: 'x', workspace_id: a.workspaceId }],
    ] as const) {
      const response = await adminB('POST', path, body);
      expect(response.status).toBe(400);
    }
    const labels = await adminA('GET', '/api/v1/labels');
    expect(labels.body.items.map((l: { name: string }) => l.name)).toEqual(['secret-label']);
  });

  it('lists only the caller workspace', async () => {
    const lists = [
      '/api/v1/conversations',
      '/api/v1/contacts',
      '/api/v1/inboxes',
      '/api/v1/labels',
      '/api/v1/teams',
      '/api/v1/canned-responses',
    ];
    for (const path of lists) {
      const response = await adminB('GET', path);
      expect(response.status).toBe(200);
      expect(response.body.items).toEqual([]);
    }
  });

  it('enforces the least role of every route, as declared on the route table', async () => {
    const agent = client(stack.url, { token: await login(stack.url, (await b.addMember('agent')).email) });
    const supervisor = client(stack.url, {
      token: await login(stack.url, (await b.addMember('supervisor')).email),
    });
    const apiKey = client(stack.url, { apiKey: await b.addApiKey() });
    const controllers = Reflect.getMetadata('controllers', ApiModule) as Array<
      new (...args: never[]) => object
    >;
    const guarded: string[] = [];
    for (const controller of controllers) {
      const base = Reflect.getMetadata('path', controller) as string;
      const classRole = Reflect.getMetadata(REQUIRED_ROLE, controller) as string | undefined;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const methodPath = Reflect.getMetadata('path', handler) as string | undefined;
        if (methodPath === undefined) continue;
        const role = (Reflect.getMetadata(REQUIRED_ROLE, handler) as string | undefined) ?? classRole;
        if (!role || role === 'agent') continue;
        const method = RequestMethod[Reflect.getMetadata('method', handler) as number];
        const url = `/${[base, methodPath].filter((p) => p && p !== '/').join('/')}`.replace(
          /:\w+/g,
          '7d0c2a4e-1f3b-4c5d-8e9f-0a1b2c3d4e5f',
        );
        const callers = role === 'admin' ? [agent, supervisor, apiKey] : [agent, apiKey];
        for (const caller of callers) {
          const response = await caller(
            method,
            url,
            method === 'GET' || method === 'DELETE' ? undefined : {},
          );
          if (response.status !== 403)
            throw new Error(`${method} ${url} (needs ${role}) answered ${response.status}`);
        }
        guarded.push(`${method} ${url}`);
      }
    }
    expect(guarded.length).toBeGreaterThanOrEqual(15);
    // and the right role gets through
    expect((await supervisor('POST', '/api/v1/labels', { name: 'vip' })).status).toBe(201);
    expect((await supervisor('POST', '/api/v1/inboxes', { name: 'x', channel: 'api' })).status).toBe(403);
  });

  it('refuses mass assignment on every body-taking route with a 400 naming the property', async () => {
    const document = (await adminA('GET', '/api/docs-json')).body as OpenAPIObject;
    const checked: string[] = [];
    for (const operation of operationsOf(document).filter((op) => op.hasBody)) {
      const sample = SAMPLE_BODIES[operation.key] as Record<string, unknown> | undefined;
      if (!sample) throw new Error(`no sample body for ${operation.key}: add one to test/support/routes.ts`);
      const declared = Object.keys(operation.bodySchema?.properties ?? {});
      const forged: Record<string, unknown> = {
        workspaceId: b.workspaceId,
        workspace_id: b.workspaceId,
        id: NIL_V4,
        createdAt: '2020-01-01T00:00:00.000Z',
        updatedAt: '2020-01-01T00:00:00.000Z',
        role: 'admin',
        isAdmin: true,
        ownerId: b.admin.id,
        __proto__: { role: 'admin' },
        constructor: { prototype: { role: 'admin' } },
      };
      for (const [property, value] of Object.entries(forged)) {
        // LoginDto picks a workspace, member DTOs set a role: declared fields are not mass assignment.
        if (declared.includes(property)) continue;
        const body = JSON.parse(
          `{${JSON.stringify(property)}:${JSON.stringify(value)},${JSON.stringify(sample).slice(1)}`,
        );
        const response = await adminA(operation.method, fillPath(operation.path, ids), body);
        if (response.status !== 400 || !JSON.stringify(response.body).includes(property))
          throw new Error(
            `${operation.key} with ${property}: ${response.status} ${JSON.stringify(response.body)}`,
          );
        checked.push(`${operation.key} ${property}`);
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(300);
    expect((await adminA('GET', '/api/v1/auth/me')).body.role).toBe('admin');
    // Nothing forged landed in the other workspace (the sample label is named 'label').
    const labelsOfB = (await adminB('GET', '/api/v1/labels')).body.items as Array<{ name: string }>;
    expect(labelsOfB.map((label) => label.name)).not.toContain('label');
  });

  it("never answers a list or report filtered by another workspace's id with that workspace's data", async () => {
    const document = (await adminA('GET', '/api/docs-json')).body as OpenAPIObject;
    const resourceOfFilter: Record<string, string> = {
      inboxId: 'inboxes',
      teamId: 'teams',
      agentId: 'members',
      labelId: 'labels',
      contactId: 'contacts',
      actorId: 'members',
      targetId: 'contacts',
      conversationId: 'conversations',
    };
    const secrets = Object.values(ids).filter((id) => /^[0-9a-f-]{36}$/.test(id));
    const checked: string[] = [];
    for (const operation of operationsOf(document).filter((op) => op.method === 'GET')) {
      for (const param of operation.queryParams.filter((name) => /Id$/.test(name))) {
        const resource = resourceOfFilter[param];
        if (!resource) throw new Error(`no fixture for ?${param}= on ${operation.key}: add one to the sweep`);
        const path = `${operation.path}?${param}=${ids[resource]}`;
        const response = await adminB('GET', path);
        const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
        const leaked = secrets.filter((id) => id !== ids[resource] && text.includes(id));
        if (![200, 400, 404].includes(response.status) || leaked.length || text.includes('secret-label'))
          throw new Error(
            `${path} answered ${response.status}, leaking ${leaked.join(', ')}: ${text.slice(0, 300)}`,
          );
        // Lists of records filtered by a foreign id are empty; summaries may still show the caller's zeros.
        if (Array.isArray(response.body?.items))
          expect((response.body.items as object[]).filter((item) => 'id' in item)).toEqual([]);
        checked.push(path);
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(25);
  });

  it("refuses socket events on another workspace's conversation with an error and no data", async () => {
    const viewerA = await connectAgent(stack.url, await login(stack.url, a.admin.email));
    const intruder = await connectAgent(stack.url, await login(stack.url, b.admin.email));
    try {
      expect((await viewerA.emit('conversation.join', { conversationId: ids.conversations })).ok).toBe(true);
      await viewerA.next('conversation.viewers');
      const seenByA = viewerA.events.length;
      const join = await intruder.emit('conversation.join', { conversationId: ids.conversations });
      expect(join.ok).toBe(false);
      expect((await intruder.next('error')).event).toBe('conversation.join');
      const typing = await intruder.emit('typing', { conversationId: ids.conversations, state: 'on' });
      expect(typing.ok).toBe(false);
      const leave = await intruder.emit('conversation.leave', { conversationId: ids.conversations });
      expect(leave.ok).toBe(false);
      const junk = await intruder.emit('conversation.join', { conversationId: "x'; --" });
      expect(junk.ok).toBe(false);
      expect(JSON.stringify(junk.error)).toContain('conversationId');
      // A round trip of A's own, so anything B triggered would have arrived before it.
      expect((await viewerA.emit('typing', { conversationId: ids.conversations, state: 'off' })).ok).toBe(
        true,
      );
      expect(viewerA.events.slice(seenByA)).toEqual([]);
      expect(intruder.events.map((e) => e.event).filter((name) => name !== 'error')).toEqual([]);
    } finally {
      viewerA.close();
      intruder.close();
    }
  });

  it('keeps the last admin', async () => {
    const response = await adminB('PATCH', `/api/v1/members/${b.admin.id}`, { role: 'agent' });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('last_admin');
  });
});
