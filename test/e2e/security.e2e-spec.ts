import { JwtService } from '@nestjs/jwt';
import { io } from 'socket.io-client';
import { AppConfig } from '@parley/config';
import { createWorkspace, TEST_PASSWORD, type WorkspaceFixture } from '@parley/testing';
import { bootStack, client, connectAgent, login, type Stack } from '../support/stack.js';
import { openBrowser, signIn } from '../support/web.js';

// Low limits and a trusted proxy for this file only: X-Forwarded-For plays the client address.
const OVERRIDES: Record<string, string> = {
  TRUST_PROXY: 'loopback',
  CORS_ORIGINS: 'https://app.acme.example',
  LOGIN_LOCKOUT_ATTEMPTS: '3',
  LOGIN_LOCKOUT_SECONDS: '120',
  WEBHOOK_RATE_LIMIT_PER_MINUTE: '3',
  WIDGET_HTTP_RATE_LIMIT_PER_MINUTE: '3',
  PUBLIC_SURVEY_RATE_LIMIT_PER_MINUTE: '3',
  INGEST_RATE_LIMIT_PER_MINUTE: '3',
};

let nextAddress = 10;
const freshAddress = () => `203.0.113.${(nextAddress += 1)}`;

/** Connects to a namespace with an Origin header; resolves 'connected' or the refusal (message and reason). */
function handshake(url: string, namespace: string, auth: Record<string, unknown>, origin?: string) {
  const socket = io(`${url}${namespace}`, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: origin ? { origin } : {},
  });
  return new Promise<{ connected: boolean; message?: string; reason?: string }>((resolve) => {
    socket.once('connect', () => {
      socket.disconnect();
      resolve({ connected: true });
    });
    socket.once('connect_error', (error: Error & { data?: { reason?: string } }) => {
      socket.disconnect();
      resolve({ connected: false, message: error.message, reason: error.data?.reason });
    });
  });
}

describe('security: headers, CORS, rate limits, lockout, tokens, socket origins', () => {
  let stack: Stack;
  let ws: WorkspaceFixture;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    for (const [key, value] of Object.entries(OVERRIDES)) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
    stack = await bootStack({ worker: false });
    ws = await createWorkspace(stack.api);
  });

  afterAll(async () => {
    await stack?.close();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('sends the helmet headers on API responses', async () => {
    const response = await fetch(`${stack.url}/api/v1/auth/me`);
    expect(response.status).toBe(401);
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('answers a CORS preflight from an allowed origin, and gives a foreign one no CORS headers', async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.url}/api/v1/conversations`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    const allowed = await preflight('https://app.acme.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.acme.example');
    expect(allowed.headers.get('access-control-allow-methods')).toContain('GET');
    const foreign = await preflight('https://evil.example');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(foreign.headers.get('access-control-allow-methods')).toBeNull();
  });

  it.each([
    [
      'a Twilio webhook',
      'POST',
      '/webhooks/twilio/00000000-0000-4000-8000-000000000001',
      'twilio webhook requests',
    ],
    [
      'a Meta webhook',
      'POST',
      '/webhooks/meta/00000000-0000-4000-8000-000000000001',
      'meta webhook requests',
    ],
    [
      'an email webhook',
      'POST',
      '/webhooks/email/00000000-0000-4000-8000-000000000001',
      'email webhook requests',
    ],
    ['the widget bundle', 'GET', '/widget.js', 'widget requests'],
    ['the public survey API', 'GET', '/api/v1/public/surveys/not-a-token', 'survey requests'],
    ['the survey page', 'GET', '/survey/not-a-token', 'survey requests'],
    [
      'API-channel ingest',
      'POST',
      '/api/v1/inboxes/00000000-0000-4000-8000-000000000001/inbound',
      'messages',
    ],
  ])('limits %s per address: 429 with Retry-After and a reason', async (_door, method, path, what) => {
    const address = freshAddress();
    const hit = () =>
      fetch(`${stack.url}${path}`, {
        method,
        headers: { 'x-forwarded-for': address, 'content-type': 'application/json' },
        body: method === 'POST' ? '{}' : undefined,
      });
    for (let i = 0; i < 3; i += 1) expect((await hit()).status).not.toBe(429);
    const limited = await hit();
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await limited.json()) as { message: string; retryAfter: number };
    expect(body.message).toBe(`Too many ${what} from this address; retry in ${retryAfter} s`);
    expect(body.retryAfter).toBe(retryAfter);
    // Another address is not affected.
    const other = await fetch(`${stack.url}${path}`, {
      method,
      headers: { 'x-forwarded-for': freshAddress(), 'content-type': 'application/json' },
      body: method === 'POST' ? '{}' : undefined,
    });
    expect(other.status).not.toBe(429);
  });

  it('locks an account after repeated failed sign-ins from any address; other accounts are unaffected', async () => {
    const victim = await ws.addMember('agent');
    const bystander = await ws.addMember('agent');
    const attempt = (email: string, password: string) =>
      fetch(`${stack.url}/api/v1/auth/login`, {
        method: 'POST',
        // Every attempt from a new address: the per-IP limit never applies.
        headers: { 'content-type': 'application/json', 'x-forwarded-for': freshAddress() },
        body: JSON.stringify({ email, password }),
      });
    // A success in between resets the count.
    expect((await attempt(victim.email, 'wrong-1')).status).toBe(401);
    expect((await attempt(victim.email, 'wrong-2')).status).toBe(401);
    expect((await attempt(victim.email, TEST_PASSWORD)).status).toBe(200);
    expect((await attempt(victim.email, 'wrong-3')).status).toBe(401);
    expect((await attempt(victim.email, 'wrong-4')).status).toBe(401);
    const locking = await attempt(victim.email.toUpperCase(), 'wrong-5');
    expect(locking.status).toBe(429);
    expect(locking.headers.get('retry-after')).toBe('120');
    // Locked: even the right password is refused, with the time left.
    const refused = await attempt(victim.email, TEST_PASSWORD);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(100);
    expect(await refused.json()).toMatchObject({
      statusCode: 429,
      code: 'account_locked',
      message: expect.stringMatching(/^Too many failed sign-ins for this account; try again in \d+ s$/),
    });
    expect((await attempt(bystander.email, TEST_PASSWORD)).status).toBe(200);
  });

  it('refuses an expired token with 401 and the reason', async () => {
    const config = stack.api.get(AppConfig);
    const expired = new JwtService({ secret: config.env.JWT_SECRET }).sign({
      sub: ws.admin.id,
      wid: ws.workspaceId,
      jti: 'expired-token',
      iat: Math.floor(Date.now() / 1000) - 7200,
      exp: Math.floor(Date.now() / 1000) - 3600,
    });
    const response = await client(stack.url, { token: expired })('GET', '/api/v1/auth/me');
    expect(response.status).toBe(401);
    expect(response.body.message).toBe('The token has expired; sign in again');
    const forged = new JwtService({ secret: 'x'.repeat(40) }).sign({ sub: ws.admin.id, wid: ws.workspaceId });
    const refused = await client(stack.url, { token: forged })('GET', '/api/v1/auth/me');
    expect(refused.status).toBe(401);
    expect(refused.body.message).toMatch(/^The token is not valid/);
  });

  it('logout revokes that token for HTTP and sockets; other sessions go on', async () => {
    const member = await ws.addMember('agent');
    const token = await login(stack.url, member.email);
    const otherSession = await login(stack.url, member.email);
    expect((await client(stack.url, { token })('GET', '/api/v1/auth/me')).status).toBe(200);
    const socket = await connectAgent(stack.url, token);
    const otherSocket = await connectAgent(stack.url, otherSession);
    const disconnected = new Promise<string>((resolve) => socket.socket.once('disconnect', resolve));

    expect((await client(stack.url, { token })('POST', '/api/v1/auth/logout')).status).toBe(204);
    expect(await disconnected).toBe('io server disconnect');
    const after = await client(stack.url, { token })('GET', '/api/v1/auth/me');
    expect(after.status).toBe(401);
    expect(after.body.message).toBe('The token was revoked (signed out or password changed); sign in again');
    expect(await handshake(stack.url, '/agent', { token })).toEqual({
      connected: false,
      message: 'unauthorized',
      reason: 'The token was revoked (signed out or password changed); sign in again',
    });
    expect((await client(stack.url, { token: otherSession })('GET', '/api/v1/auth/me')).status).toBe(200);
    expect(otherSocket.socket.connected).toBe(true);
    otherSocket.socket.disconnect();
  });

  it('a password change revokes every token of the user and returns a fresh one', async () => {
    const member = await ws.addMember('agent');
    const first = await login(stack.url, member.email);
    const second = await login(stack.url, member.email);
    const socket = await connectAgent(stack.url, second);
    const disconnected = new Promise<string>((resolve) => socket.socket.once('disconnect', resolve));

    const wrong = await client(stack.url, { token: first })('POST', '/api/v1/auth/password', {
      currentPassword: 'not-it',
      newPassword: 'a-new-password-1',
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.message).toBe('The current password is wrong');
    const short = await client(stack.url, { token: first })('POST', '/api/v1/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'short',
    });
    expect(short.status).toBe(400);

    const changed = await client(stack.url, { token: first })('POST', '/api/v1/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'a-new-password-1',
    });
    expect(changed.status).toBe(200);
    expect(await disconnected).toBe('io server disconnect');
    for (const old of [first, second]) {
      const refused = await client(stack.url, { token: old })('GET', '/api/v1/auth/me');
      expect(refused.status).toBe(401);
      expect(refused.body.message).toMatch(/revoked/);
    }
    expect((await handshake(stack.url, '/agent', { token: second })).connected).toBe(false);
    const fresh = changed.body.accessToken as string;
    expect((await client(stack.url, { token: fresh })('GET', '/api/v1/auth/me')).status).toBe(200);
    await expect(login(stack.url, member.email)).rejects.toThrow(/401/);
    expect(await login(stack.url, member.email, 'a-new-password-1')).toEqual(expect.any(String));
  });

  it('refuses an /agent handshake from a foreign Origin; same host, CORS_ORIGINS and no Origin are allowed', async () => {
    const token = await login(stack.url, ws.admin.email);
    expect(await handshake(stack.url, '/agent', { token }, 'https://evil.example')).toEqual({
      connected: false,
      message: 'origin not allowed',
      reason: 'Origin https://evil.example is neither PUBLIC_URL nor in CORS_ORIGINS',
    });
    expect((await handshake(stack.url, '/agent', { token }, stack.url)).connected).toBe(true);
    expect((await handshake(stack.url, '/agent', { token }, 'https://app.acme.example')).connected).toBe(
      true,
    );
    expect((await handshake(stack.url, '/agent', { token })).connected).toBe(true);
  });

  it('lets a web chat inbox restrict the websites that may embed it (default: any)', async () => {
    const admin = client(stack.url, { token: await login(stack.url, ws.admin.email) });
    const open = await admin('POST', '/api/v1/inboxes', { name: 'Open chat', channel: 'webchat' });
    expect(open.status).toBe(201);
    const openToken = open.body.inbox?.config?.websiteToken ?? open.body.config?.websiteToken;
    expect(
      (await handshake(stack.url, '/widget', { websiteToken: openToken }, 'https://any.example')).connected,
    ).toBe(true);

    const bad = await admin('POST', '/api/v1/inboxes', {
      name: 'Bad',
      channel: 'webchat',
      config: { allowedOrigins: ['https://shop.example/checkout'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^config\.allowedOrigins\[\] must be origins/);

    const shop = await admin('POST', '/api/v1/inboxes', {
      name: 'Shop chat',
      channel: 'webchat',
      config: { allowedOrigins: ['https://Shop.example'] },
    });
    expect(shop.status).toBe(201);
    const websiteToken = shop.body.inbox?.config?.websiteToken ?? shop.body.config?.websiteToken;
    expect(await handshake(stack.url, '/widget', { websiteToken }, 'https://evil.example')).toEqual({
      connected: false,
      message: 'this chat may not be embedded on https://evil.example',
      reason: undefined,
    });
    expect((await handshake(stack.url, '/widget', { websiteToken }, 'https://shop.example')).connected).toBe(
      true,
    );
    expect((await handshake(stack.url, '/widget', { websiteToken })).connected).toBe(true);
  });

  it('the web app’s Sign out revokes its token on the server', async () => {
    const member = await ws.addMember('agent');
    const browser = await openBrowser();
    try {
      const page = await signIn(browser, stack.url, member.email);
      const token = await page.evaluate(() => {
        const storage = (globalThis as unknown as { localStorage: { getItem(key: string): string | null } })
          .localStorage;
        return (
          (JSON.parse(storage.getItem('parley.session') ?? '{}') as { accessToken?: string }).accessToken ??
          ''
        );
      });
      expect((await client(stack.url, { token })('GET', '/api/v1/auth/me')).status).toBe(200);
      const revoked = page.waitForResponse((response) => response.url().endsWith('/api/v1/auth/logout'));
      await page.getByRole('button', { name: 'Sign out' }).click();
      expect((await revoked).status()).toBe(204);
      await page.getByLabel('Password').waitFor();
      const after = await client(stack.url, { token })('GET', '/api/v1/auth/me');
      expect(after.status).toBe(401);
      expect(after.body.message).toMatch(/revoked/);
    } finally {
      await browser.close();
    }
  });
});
