import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isServerPath, webAppFallback } from './web-app.js';

function call(directory: string, path: string, accept = 'text/html', method = 'GET') {
  const answer = { status: 0, headers: {} as Record<string, string>, body: '', next: false };
  const response = {
    status(code: number) {
      answer.status = code;
      return response;
    },
    setHeader(name: string, value: string) {
      answer.headers[name.toLowerCase()] = value;
    },
    type() {
      return response;
    },
    send(body: string) {
      answer.body = body;
    },
  };
  webAppFallback(directory)({ method, path, headers: { accept } }, response, () => {
    answer.next = true;
  });
  return answer;
}

describe('web app fallback', () => {
  const built = mkdtempSync(join(tmpdir(), 'parley-web-'));
  writeFileSync(join(built, 'index.html'), '<div id="root"></div>');

  it('never shadows the paths the api answers', () => {
    for (const path of [
      '/api',
      '/api/v1/x',
      '/webhooks/twilio/1',
      '/socket.io/',
      '/widget.js',
      '/demo',
      '/metrics',
    ]) {
      expect(isServerPath(path)).toBe(true);
      expect(call(built, path).next).toBe(true);
    }
    expect(call(built, '/health/live').next).toBe(true);
    expect(isServerPath('/inbox')).toBe(false);
    expect(isServerPath('/apis')).toBe(false);
  });

  it('answers index.html, uncached and with its CSP, for app pages only', () => {
    const page = call(built, '/inbox/123');
    expect(page).toMatchObject({ status: 200, body: '<div id="root"></div>', next: false });
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(call(built, '/assets/missing.js').next).toBe(true);
    expect(call(built, '/inbox', 'application/json').next).toBe(true);
    expect(call(built, '/inbox', 'text/html', 'POST').next).toBe(true);
  });

  it('leaves the survey page its own path: survey.html when built, else not found', () => {
    expect(call(built, '/survey/abc.def?score=5').next).toBe(true);
    writeFileSync(join(built, 'survey.html'), '<div id="survey"></div>');
    expect(call(built, '/survey/abc.def')).toMatchObject({ status: 200, body: '<div id="survey"></div>' });
  });

  it('says how to build the app when it is missing', () => {
    const missing = call(join(built, 'nope'), '/');
    expect(missing.status).toBe(503);
    expect(missing.body).toContain('npm run build:web');
  });
});
