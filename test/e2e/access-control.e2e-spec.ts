import 'reflect-metadata';
import { RequestMethod } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { createWorkspace, type WorkspaceFixture } from '@parley/testing';
import { ApiModule } from '../../apps/api/src/api.module.js';
import { REQUIRED_ROLE } from '../../apps/api/src/auth/auth.decorators.js';
import { bootStack, client, login, type Stack } from '../support/stack.js';

type Http = ReturnType<typeof client>;

/** A valid body for every write route that takes an id, so the id (not validation) decides the answer. */
const SAMPLE_BODIES: Record<string, unknown> = {
  'POST /api/v1/conversations/{id}/messages': { body: 'hi' },
  'POST /api/v1/conversations/{id}/notes': { body: 'note' },
  'POST /api/v1/conversations/{id}/assign': { assigneeId: null },
  'POST /api/v1/conversations/{id}/snooze': { until: new Date(Date.now() + 86_400_000).toISOString() },
  'POST /api/v1/conversations/{id}/resolve': undefined,
  'POST /api/v1/conversations/{id}/reopen': undefined,
  'PUT /api/v1/conversations/{id}/labels': { labels: [] },
  'PATCH /api/v1/conversations/{id}': { priority: 'high' },
  'PATCH /api/v1/contacts/{id}': { name: 'x' },
  'POST /api/v1/contacts/{id}/merge': { sourceContactId: '00000000-0000-4000-8000-000000000000' },
  'POST /api/v1/contacts/{id}/erase': { confirm: "the id of workspace A's contact" },
  'POST /api/v1/contacts/merges/{mergeId}/unmerge': undefined,
  'PATCH /api/v1/inboxes/{id}': { name: 'x' },
  'POST /api/v1/inboxes/{id}/rotate-webhook-secret': undefined,
  'POST /api/v1/inboxes/{inboxId}/inbound': { contact: { identifier: 'x' }, body: 'x' },
  'PATCH /api/v1/labels/{id}': { name: 'x' },
  'PATCH /api/v1/canned-responses/{id}': { content: 'x' },
  'PATCH /api/v1/teams/{id}': { name: 'x' },
  'PUT /api/v1/teams/{id}/members': { userIds: [] },
  'PATCH /api/v1/members/{userId}': { capacity: 3 },
  'POST /api/v1/conversations/{id}/pending': undefined,
  'POST /api/v1/conversations/{id}/open': undefined,
  'PATCH /api/v1/calendars/{id}': { name: 'x' },
  'PUT /api/v1/sla-policies/{id}': { name: 'x', firstResponseSeconds: 3600 },
  'PUT /api/v1/conversations/{id}/survey-exclusion': { excluded: true },
  'PUT /api/v1/surveys/policy/inboxes/{inboxId}': { delayMinutes: 1 },
  'POST /api/v1/public/surveys/{token}': {
    answers: [{ surveyId: '00000000-0000-4000-8000-000000000000', score: 3 }],
  },
  'PUT /api/v1/automation-rules/{id}': {
    name: 'x',
    event: 'message.created',
    actions: [{ type: 'set_priority', priority: 'high' }],
  },
};

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

    const inbox = (await adminA('POST', '/api/v1/inboxes', { name: 'A api', channel: 'api' })).body.inbox
      .id as string;
    const integration = client(stack.url, { apiKey: await a.addApiKey() });
    const first = (
      await integration('POST', `/api/v1/inboxes/${inbox}/inbound`, {
        contact: { identifier: 'c1' },
        body: 'hi',
      })
    ).body;
    const second = (
      await integration('POST', `/api/v1/inboxes/${inbox}/inbound`, {
        contact: { identifier: 'c2' },
        body: 'hi',
      })
    ).body;
    const merge = await adminA('POST', `/api/v1/contacts/${first.contactId}/merge`, {
      sourceContactId: second.contactId,
    });
    expect(merge.status).toBe(201);
    ids = {
      conversations: first.conversationId,
      messages: first.message.id,
      index: '0',
      contacts: first.contactId,
      merges: merge.body.id,
      inboxes: inbox,
      labels: (await adminA('POST', '/api/v1/labels', { name: 'secret-label' })).body.id,
      'canned-responses': (
        await adminA('POST', '/api/v1/canned-responses', { shortCode: 'hi', content: 'hello' })
      ).body.id,
      teams: (await adminA('POST', '/api/v1/teams', { name: 'A team' })).body.id,
      members: (await a.addMember('agent')).id,
      'api-keys': (await adminA('POST', '/api/v1/api-keys', { name: 'A key' })).body.id,
      calendars: (
        await adminA('POST', '/api/v1/calendars', {
          name: 'A hours',
          timezone: 'Europe/Lisbon',
          week: { mon: [{ start: '09:00', end: '17:00' }] },
        })
      ).body.id,
      'sla-policies': (
        await adminA('POST', '/api/v1/sla-policies', { name: 'A policy', firstResponseSeconds: 3600 })
      ).body.id,
      surveys: (
        await adminA('POST', '/api/v1/surveys/campaigns', {
          name: 'A NPS',
          segment: { resolvedWithinDays: 30 },
        })
      ).body.id,
      token: 'forged.token',
      'automation-rules': (
        await adminA('POST', '/api/v1/automation-rules', {
          name: 'A rule',
          event: 'message.created',
          actions: [{ type: 'set_priority', priority: 'high' }],
        })
      ).body.id,
    };
  });

  afterAll(() => stack.close());

  function resourceOf(path: string, param: string): string {
    if (param === 'mergeId') return 'merges';
    if (param === 'index') return 'index';
    if (param === 'inboxId') return 'inboxes';
    // A survey link's token is its own authority: another workspace's (or a forged) token is unknown.
    if (param === 'token') return 'token';
    return path.split('/')[3] ?? '';
  }

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
        const url = params.reduce((acc, param) => {
          const id = ids[resourceOf(path, param)];
          if (!id) throw new Error(`no workspace A resource for {${param}} in ${path}`);
          return acc.replace(`{${param}}`, id);
        }, path);
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

  it('keeps the last admin', async () => {
    const response = await adminB('PATCH', `/api/v1/members/${b.admin.id}`, { role: 'agent' });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('last_admin');
  });
});
