import fc from 'fast-check';
import type { OpenAPIObject } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { createWorkspace } from '@parley/testing';
import {
  anyJson,
  deepJson,
  edgeNumber,
  edgeString,
  FUZZ_RUNS,
  FUZZ_SEED,
  FuzzFigures,
  answerProblem,
  hasReason,
  junkSegment,
  malformedJson,
  sendRaw,
  storeFingerprint,
  changedTables,
  type RawResponse,
} from '../support/fuzz.js';
import { createResources, fillPath, operationsOf, SAMPLE_BODIES, type Operation } from '../support/routes.js';
import { bootStack, client, login, type Stack } from '../support/stack.js';

/** One generated request: `invalid` ones must be refused with a 4xx; the others may succeed. */
interface Case {
  what: string;
  invalid: boolean;
  path: string;
  body?: string;
  contentType?: string;
}

type Json = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Mass-assignment and prototype keys no DTO declares. */
const FOREIGN_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'workspaceId',
  'workspace_id',
  'id',
  'createdAt',
  'updatedAt',
  'isAdmin',
  'ownerId',
  'role',
];

function queryValue(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80'; // a lone surrogate cannot be percent-encoded as UTF-8: send its CESU-8 bytes
  }
}

/** JSON text of `sample` with `key: value` first (JSON.stringify would drop or hide `__proto__`). */
function withKey(sample: Json, key: string, valueText: string): string {
  const rest = JSON.stringify(sample).slice(1);
  return `{${JSON.stringify(key)}:${valueText}${rest === '}' ? '' : ','}${rest}`;
}

function leaves(value: unknown, path: string[] = []): Array<{ path: string[]; value: unknown }> {
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([key, child]) => leaves(child, [...path, key]));
  return path.length ? [{ path, value }] : [];
}

function setAt(sample: Json, path: string[], value: unknown): Json {
  const copy = structuredClone(sample);
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]] = value;
  return copy;
}

function jsonType(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

/** Mutations of a valid body: one field at a time, so the answer says which field was wrong. */
function bodyCases(operation: Operation, path: string, sample: Json): Array<fc.Arbitrary<Case>> {
  const json = 'application/json';
  const properties = Object.keys(operation.bodySchema?.properties ?? {});
  const required = (operation.bodySchema?.required ?? []).filter((key) => key in sample);
  const keys = Object.keys(sample);
  const all = leaves(sample);
  const strings = all.filter((leaf) => typeof leaf.value === 'string');
  const numbers = all.filter((leaf) => typeof leaf.value === 'number');
  const cases: Array<fc.Arbitrary<Case>> = [];
  if (strings.length)
    cases.push(
      fc.tuple(fc.constantFrom(...strings), edgeString).map(([leaf, value]) => ({
        what: `unicode/edge string in ${leaf.path.join('.')}`,
        invalid: false,
        path,
        body: JSON.stringify(setAt(sample, leaf.path, value)),
        contentType: json,
      })),
    );
  if (numbers.length)
    cases.push(
      fc
        .tuple(
          fc.constantFrom(...numbers),
          fc.oneof(
            edgeNumber.map((n) => JSON.stringify(n)),
            fc.constantFrom('1e400', '-1e400', `1${'0'.repeat(400)}`, '0.0000000000000000000000001', '-0'),
          ),
        )
        .map(([leaf, text]) => ({
          what: `edge number in ${leaf.path.join('.')}`,
          invalid: false,
          path,
          body: JSON.stringify(setAt(sample, leaf.path, '\u0001')).replace('"\\u0001"', text),
          contentType: json,
        })),
    );
  if (keys.length) {
    cases.push(
      fc
        .tuple(fc.constantFrom(...keys), anyJson)
        .filter(([key, value]) => value !== null && jsonType(value) !== jsonType(sample[key]))
        .map(([key, value]) => ({
          what: `wrong type for ${key}`,
          invalid: true,
          path,
          body: JSON.stringify({ ...sample, [key]: value }),
          contentType: json,
        })),
    );
    cases.push(
      fc
        .tuple(
          fc.constantFrom(...keys),
          fc.constantFrom(64, 1000, 20_000),
          fc.constantFrom<Array<'array' | 'object'>>('array', 'object'),
        )
        .map(([key, depth, kind]) => {
          const { [key]: original, ...rest } = sample;
          return {
            what: `${kind} nested ${depth} deep in ${key}`,
            // free-form objects (attributes, conditions…) may take nesting; a scalar field never does
            invalid: original === null || typeof original !== 'object',
            path,
            body: withKey(rest, key, deepJson(depth, kind)),
            contentType: json,
          };
        }),
    );
  }
  if (required.length)
    cases.push(
      fc.constantFrom(...required).map((key) => {
        const { [key]: _dropped, ...rest } = sample;
        return { what: `missing ${key}`, invalid: true, path, body: JSON.stringify(rest), contentType: json };
      }),
    );
  cases.push(
    fc
      .tuple(fc.oneof(fc.constantFrom(...FOREIGN_KEYS), fc.string({ minLength: 1, maxLength: 12 })), anyJson)
      .filter(([key]) => !properties.includes(key))
      .map(([key, value]) => ({
        what: `extra field ${JSON.stringify(key)}`,
        invalid: true,
        path,
        body: withKey(sample, key, JSON.stringify(value)),
        contentType: json,
      })),
    fc.constantFrom('[]', '[{}]', '"x"', '1', 'null', 'true', `[${JSON.stringify(sample)}]`).map((text) => ({
      what: `top-level ${text.slice(0, 10)}`,
      invalid: true,
      path,
      body: text,
      contentType: json,
    })),
    fc
      .constantFrom(
        'text/plain',
        'application/xml',
        'application/json; charset=latin1',
        'multipart/form-data',
      )
      .map((contentType) => ({
        what: `content-type ${contentType}`,
        invalid: contentType.includes('latin1') || required.length > 0,
        path,
        body: JSON.stringify(sample),
        contentType,
      })),
  );
  return cases;
}

function casesFor(operation: Operation, ids: Record<string, string>): fc.Arbitrary<Case> {
  const validPath = fillPath(operation.path, ids);
  const sample = SAMPLE_BODIES[operation.key] as Json | undefined;
  const sampleText = sample === undefined ? undefined : JSON.stringify(sample);
  const json = sampleText === undefined ? undefined : 'application/json';
  const cases: Array<fc.Arbitrary<Case>> = [];
  if (operation.pathParams.length)
    cases.push(
      fc.tuple(fc.constantFrom(...operation.pathParams), junkSegment).map(([param, junk]) => ({
        what: `junk {${param}} ${decodeURIComponentSafe(junk).slice(0, 20)}`,
        invalid: true,
        path: fillPath(operation.path.replace(`{${param}}`, junk), ids),
        body: sampleText,
        contentType: json,
      })),
    );
  if (operation.queryParams.length) {
    cases.push(
      fc
        .uniqueArray(fc.tuple(fc.constantFrom(...operation.queryParams), edgeString), {
          minLength: 1,
          maxLength: 3,
          selector: ([name]) => name,
        })
        .map((pairs) => ({
          what: `query ${pairs.map(([name]) => name).join(',')}`,
          invalid: false,
          path: `${validPath}?${pairs.map(([name, value]) => `${name}=${queryValue(value)}`).join('&')}`,
        })),
      fc
        .tuple(fc.constantFrom(...operation.queryParams), fc.constantFrom('1', 'x', '%ED%A0%80'))
        .map(([name, value]) => ({
          what: `repeated query ${name}`,
          invalid: false,
          path: `${validPath}?${name}=${value}&${name}=${value}`,
        })),
    );
    const idParams = operation.queryParams.filter((name) => /Id$/.test(name));
    if (idParams.length)
      cases.push(
        // A well-formed but unknown id is a valid filter (an empty answer); anything else is a 400.
        fc
          .tuple(
            fc.constantFrom(...idParams),
            junkSegment.filter((junk) => !UUID.test(junk)),
          )
          .map(([name, junk]) => ({
            what: `junk ?${name}=`,
            invalid: true,
            path: `${validPath}?${name}=${junk}`,
          })),
      );
  }
  cases.push(
    fc
      .tuple(
        fc.oneof(fc.constantFrom('__proto__[x]', 'constructor', 'a[b][c]', 'workspaceId'), fc.string()),
        edgeString,
      )
      .map(([name, value]) => ({
        what: `unknown query ${name.slice(0, 12)}`,
        invalid: false,
        path: `${validPath}?${queryValue(name)}=${queryValue(value)}`,
        body: sampleText,
        contentType: json,
      })),
  );
  if (operation.method !== 'GET') {
    cases.push(
      malformedJson.map((text) => ({
        what: `malformed JSON ${text.slice(0, 12)}`,
        invalid: true,
        path: validPath,
        body: text,
        contentType: 'application/json',
      })),
    );
  }
  if (operation.hasBody && sample && typeof sample === 'object')
    cases.push(...bodyCases(operation, validPath, sample));
  return fc.oneof(...cases);
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

describe('fuzzing the REST API from its OpenAPI document', () => {
  let stack: Stack;
  let token: string;
  let adminEmail: string;
  let ids: Record<string, string>;
  let document: OpenAPIObject;
  let dataSource: DataSource;
  const figures = new FuzzFigures('rest');

  beforeAll(async () => {
    // The public survey page's per-IP limit would answer most cases with 429 (a 4xx, but untested logic).
    process.env.PUBLIC_SURVEY_RATE_LIMIT_PER_MINUTE = '100000';
    process.env.INGEST_RATE_LIMIT_PER_MINUTE = '100000';
    stack = await bootStack({ worker: false });
    dataSource = stack.api.get(DataSource);
    const workspace = await createWorkspace(stack.api, 'Fuzz');
    adminEmail = workspace.admin.email;
    token = await login(stack.url, adminEmail);
    const admin = client(stack.url, { token });
    ids = await createResources(workspace, admin);
    document = (await admin('GET', '/api/docs-json')).body as OpenAPIObject;
  }, 120_000);

  afterAll(async () => {
    figures.write();
    await stack.close();
  });

  async function send(method: string, request: Omit<Case, 'what' | 'invalid'>): Promise<RawResponse> {
    return sendRaw(stack.url, method, request.path, {
      body: request.body,
      contentType: request.contentType,
      headers: { authorization: `Bearer ${token}` },
    });
  }

  it('refuses a body over BODY_LIMIT on every body-taking route with a 413 and a reason', async () => {
    const huge = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 1) });
    const before = await storeFingerprint(dataSource);
    const operations = operationsOf(document).filter((op) => op.hasBody);
    for (const operation of operations) {
      const response = await send(operation.method, {
        path: fillPath(operation.path, ids),
        body: huge,
        contentType: 'application/json',
      });
      figures.count(`${operation.key} (over the body limit)`, response.status);
      if (response.status !== 413 || !hasReason(response))
        throw new Error(
          `${operation.key} answered ${response.status} to 1 MiB + 1: ${response.text.slice(0, 200)}`,
        );
    }
    expect(changedTables(before, await storeFingerprint(dataSource))).toEqual([]);
    expect(operations.length).toBeGreaterThanOrEqual(35);
  });

  it(`answers every generated request below 500, refuses invalid ones with a 4xx and a reason, and stores nothing for them (seed ${FUZZ_SEED})`, async () => {
    const operations = operationsOf(document);
    const untested = operations.filter((op) => op.hasBody && !(op.key in SAMPLE_BODIES)).map((op) => op.key);
    expect(untested).toEqual([]);
    const failures: string[] = [];
    let fingerprint = await storeFingerprint(dataSource);
    for (const [index, operation] of operations.entries()) {
      const property = fc.asyncProperty(casesFor(operation, ids), async (request) => {
        const response = await send(operation.method, request);
        figures.count(operation.key, response.status);
        const problem = answerProblem(response, request.invalid);
        const after = await storeFingerprint(dataSource);
        const changed = response.status >= 400 ? changedTables(fingerprint, after) : [];
        fingerprint = after;
        if (problem || changed.length)
          throw new Error(
            `${operation.key} ${request.what.slice(0, 60)}: ${problem ?? `rejected (${response.status}) but ${changed.join(', ')} changed`} ` +
              `— sent ${request.path.slice(0, 120)} ${request.body?.slice(0, 160) ?? ''} — got ${response.text.slice(0, 240)}`,
          );
      });
      const details = await fc.check(property, {
        seed: FUZZ_SEED + index,
        numRuns: FUZZ_RUNS,
        endOnFailure: true,
      });
      if (details.failed) {
        const error =
          details.errorInstance instanceof Error
            ? details.errorInstance.message
            : String(details.errorInstance);
        failures.push(`[seed ${details.seed}, path ${details.counterexamplePath}] ${error}`);
      }
      // Signing out revokes the token the fuzzer sends: the next operations get a fresh one.
      if (operation.key === 'POST /api/v1/auth/logout') token = await login(stack.url, adminEmail);
      const health = await sendRaw(stack.url, 'GET', '/health/live');
      if (health.status !== 200) failures.push(`${operation.key}: the api stopped answering /health/live`);
    }
    expect(operations.length).toBeGreaterThanOrEqual(90);
    if (failures.length) throw new Error(`${failures.length} operations failed:\n${failures.join('\n\n')}`);
  }, 600_000);
});
