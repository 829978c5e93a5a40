import type { OpenAPIObject } from '@nestjs/swagger';
import type { WorkspaceFixture } from '@parley/testing';
import type { client } from './stack.js';

type Http = ReturnType<typeof client>;

export const NIL_V4 = '00000000-0000-4000-8000-000000000000';

/**
 * A valid body for every route that takes one, keyed `METHOD /path` as in the OpenAPI document, so the
 * id (access control) or the one mutated field (fuzzing) decides the answer. A route missing here fails
 * the sweeps: a new route cannot be skipped silently.
 */
export const SAMPLE_BODIES: Record<string, unknown> = {
  'POST /api/v1/conversations/{id}/messages': { body: 'hi' },
  'POST /api/v1/conversations/{id}/notes': { body: 'note' },
  'POST /api/v1/conversations/{id}/assign': { assigneeId: null },
  'POST /api/v1/conversations/{id}/snooze': { until: new Date(Date.now() + 86_400_000).toISOString() },
  'POST /api/v1/conversations/{id}/resolve': undefined,
  'POST /api/v1/conversations/{id}/reopen': undefined,
  'PUT /api/v1/conversations/{id}/labels': { labels: [] },
  'PATCH /api/v1/conversations/{id}': { priority: 'high' },
  'PATCH /api/v1/contacts/{id}': { name: 'x' },
  'POST /api/v1/contacts/{id}/merge': { sourceContactId: NIL_V4 },
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
  'POST /api/v1/contacts/{id}/erase': { confirm: "the id of workspace A's contact" },
  'PUT /api/v1/surveys/policy/inboxes/{inboxId}': { delayMinutes: 1 },
  'POST /api/v1/public/surveys/{token}': { answers: [{ surveyId: NIL_V4, score: 3 }] },
  'PUT /api/v1/automation-rules/{id}': {
    name: 'x',
    event: 'message.created',
    actions: [{ type: 'set_priority', priority: 'high' }],
  },
  // routes without an id
  'POST /api/v1/api-keys': { name: 'key' },
  'POST /api/v1/auth/login': { email: 'nobody@example.com', password: 'wrong password' },
  // A wrong current password: the fuzzer must never change the signed-in admin's password (it revokes the token).
  'POST /api/v1/auth/password': { currentPassword: 'not the password', newPassword: 'a brand new password' },
  'POST /api/v1/automation-rules': {
    name: 'rule',
    event: 'message.created',
    conditions: { all: [{ field: 'message.body', operator: 'contains', value: 'refund' }], any: [] },
    actions: [{ type: 'set_priority', priority: 'high' }],
  },
  'POST /api/v1/calendars': {
    name: 'hours',
    timezone: 'Europe/Lisbon',
    week: { mon: [{ start: '09:00', end: '17:00' }] },
    holidays: [{ date: '2026-12-25', name: 'Christmas' }],
  },
  'PUT /api/v1/calendars/assignments': { scope: 'team', scopeId: NIL_V4, calendarId: null },
  'POST /api/v1/canned-responses': { shortCode: 'thanks', content: 'Thank you!' },
  'POST /api/v1/inboxes': { name: 'inbox', channel: 'api' },
  'POST /api/v1/labels': { name: 'label', color: '#ff0000', description: 'a label' },
  'POST /api/v1/members': { email: 'new@example.com', name: 'New', role: 'agent', capacity: 3 },
  'PUT /api/v1/members/me/availability': { availability: 'online' },
  'PUT /api/v1/surveys/policy': { delayMinutes: 1, kinds: ['csat'], defaultLocale: 'en' },
  'POST /api/v1/sla-policies': { name: 'policy', firstResponseSeconds: 3600, priorities: ['high'] },
  'POST /api/v1/surveys/campaigns': { name: 'NPS', segment: { resolvedWithinDays: 30 } },
  'POST /api/v1/teams': { name: 'team', description: 'a team' },
  'PATCH /api/v1/workspace': {
    name: 'workspace',
    timezone: 'Europe/Lisbon',
    settings: { reopenWindowDays: 7 },
  },
};

export interface Operation {
  key: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  pathParams: string[];
  queryParams: string[];
  hasBody: boolean;
  /** The request body's JSON schema, `$ref`s resolved one level. */
  bodySchema?: { required?: string[]; properties?: Record<string, unknown> };
}

/** Every operation of the OpenAPI document, all five methods. */
export function operationsOf(document: OpenAPIObject): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const parameters = (operation.parameters ?? []) as Array<{ in: string; name: string }>;
      const content = (
        operation.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined
      )?.content;
      let schema = content?.['application/json']?.schema as { $ref?: string } | undefined;
      if (schema?.$ref)
        schema = document.components?.schemas?.[schema.$ref.split('/').pop() ?? ''] as typeof schema;
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase() as Operation['method'],
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        hasBody: Boolean(content),
        bodySchema: schema as Operation['bodySchema'],
      });
    }
  }
  return operations;
}

/** Which fixture a path parameter names. */
export function resourceOf(path: string, param: string): string {
  if (param === 'mergeId') return 'merges';
  if (param === 'index') return 'index';
  if (param === 'inboxId') return 'inboxes';
  // A survey link's token is its own authority: another workspace's (or a forged) token is unknown.
  if (param === 'token') return 'token';
  return path.split('/')[3] ?? '';
}

/** Fills every `{param}` of a path from the fixtures; a param without one throws (no silent skips). */
export function fillPath(path: string, ids: Record<string, string>): string {
  return [...path.matchAll(/\{(\w+)\}/g)].reduce((acc, [, param]) => {
    const id = ids[resourceOf(path, param)];
    if (!id) throw new Error(`no fixture for {${param}} in ${path}: add one to the sweep's resources`);
    return acc.replace(`{${param}}`, id);
  }, path);
}

/** One of everything a route can take an id of, created in the workspace through the API. */
export async function createResources(
  fixture: WorkspaceFixture,
  admin: Http,
): Promise<Record<string, string>> {
  const inbox = (await admin('POST', '/api/v1/inboxes', { name: 'A api', channel: 'api' })).body.inbox
    .id as string;
  const first = (
    await admin('POST', `/api/v1/inboxes/${inbox}/inbound`, { contact: { identifier: 'c1' }, body: 'hi' })
  ).body;
  const second = (
    await admin('POST', `/api/v1/inboxes/${inbox}/inbound`, { contact: { identifier: 'c2' }, body: 'hi' })
  ).body;
  const merge = await admin('POST', `/api/v1/contacts/${first.contactId}/merge`, {
    sourceContactId: second.contactId,
  });
  if (merge.status !== 201) throw new Error(`merge fixture failed: ${merge.status}`);
  const created = async (path: string, body: unknown) => {
    const response = await admin('POST', path, body);
    if (response.status !== 201) throw new Error(`fixture ${path} failed: ${response.status}`);
    return response.body.id as string;
  };
  return {
    conversations: first.conversationId,
    messages: first.message.id,
    index: '0',
    contacts: first.contactId,
    merges: merge.body.id,
    inboxes: inbox,
    labels: await created('/api/v1/labels', { name: 'secret-label' }),
    'canned-responses': await created('/api/v1/canned-responses', { shortCode: 'hi', content: 'hello' }),
    teams: await created('/api/v1/teams', { name: 'A team' }),
    members: (await fixture.addMember('agent')).id,
    'api-keys': await created('/api/v1/api-keys', { name: 'A key' }),
    calendars: await created('/api/v1/calendars', {
      name: 'A hours',
      timezone: 'Europe/Lisbon',
      week: { mon: [{ start: '09:00', end: '17:00' }] },
    }),
    'sla-policies': await created('/api/v1/sla-policies', { name: 'A policy', firstResponseSeconds: 3600 }),
    surveys: await created('/api/v1/surveys/campaigns', {
      name: 'A NPS',
      segment: { resolvedWithinDays: 30 },
    }),
    token: 'forged.token',
    'automation-rules': await created('/api/v1/automation-rules', {
      name: 'A rule',
      event: 'message.created',
      actions: [{ type: 'set_priority', priority: 'high' }],
    }),
  };
}
