import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** Paths the api itself answers: the SPA fallback never shadows them. */
export const SERVER_PREFIXES = ['/api', '/webhooks', '/socket.io', '/widget', '/demo', '/metrics', '/health'];

// Same-origin scripts and styles; the socket connects to the same host (ws/wss); attachments render from blobs.
export const WEB_APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https:",
  "connect-src 'self' ws: wss:",
  "font-src 'self' data:",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/** Built pages other than the agent app, by path prefix. */
const PAGES = [{ prefix: '/survey/', file: 'survey.html' }];

interface Request {
  method: string;
  path: string;
  headers: { accept?: string };
}
interface Response {
  status(code: number): Response;
  setHeader(name: string, value: string): void;
  type(type: string): Response;
  send(body: string): void;
}

export function isServerPath(path: string): boolean {
  return SERVER_PREFIXES.some(
    (prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}.`),
  );
}

/**
 * The history fallback: a GET for a page (not a file, not a server path) answers index.html, which is never cached
 * so a deploy is picked up at the next load. Without a build it answers 503 with how to make one.
 */
export function webAppFallback(directory: string) {
  const indexPath = join(directory, 'index.html');
  return (request: Request, response: Response, next: () => void): void => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    if (isServerPath(request.path)) return next();
    if (!(request.headers.accept ?? '*/*').match(/text\/html|\*\/\*/)) return next();
    // Other pages of the build own their paths (the email survey link: /survey/<groupId>.<hmac> → survey.html,
    // once built as a Vite input); without their page they are not found, never the agent app.
    const page = PAGES.find((candidate) => request.path.startsWith(candidate.prefix));
    if (page) {
      const pagePath = join(directory, page.file);
      if (!existsSync(pagePath)) return next();
      response.setHeader('Cache-Control', 'no-cache');
      response.status(200).type('html').send(readFileSync(pagePath, 'utf8'));
      return;
    }
    // A missing file (a path with an extension) is a 404, not the app.
    if (/\.[a-z0-9]+$/i.test(request.path)) return next();
    // Read on each page load (once per visit, small): a rebuild takes effect without a restart.
    const index = existsSync(indexPath) ? readFileSync(indexPath, 'utf8') : null;
    response.setHeader('Cache-Control', 'no-cache');
    if (!index) {
      response
        .status(503)
        .type('text/plain')
        .send(
          `The Parley web app is not built (no ${indexPath}). Run \`npm run build:web\` (or \`npm run build\`).`,
        );
      return;
    }
    response.setHeader('Content-Security-Policy', WEB_APP_CSP);
    response.status(200).type('html').send(index);
  };
}

/** Serves the built SPA from `directory` at `/`: hashed assets cached for a year, index.html revalidated. */
export function serveWebApp(app: NestExpressApplication, directory: string): void {
  const root = resolve(directory);
  app.useStaticAssets(join(root, 'assets'), {
    prefix: '/assets/',
    immutable: true,
    maxAge: '365d',
    index: false,
    fallthrough: true,
  });
  app.use(webAppFallback(root));
}
