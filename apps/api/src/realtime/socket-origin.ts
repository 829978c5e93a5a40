import type { AppConfig } from '@parley/config';

/**
 * Whether an `/agent` handshake's Origin may connect (against cross-site WebSocket hijacking):
 * the page came from this server (Origin host = Host), from PUBLIC_URL, or from CORS_ORIGINS.
 * No Origin means no browser (scripts, integrations): allowed, the token still decides.
 */
export function agentOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
  config: AppConfig,
): boolean {
  if (!origin) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (host && parsed.host === host.toLowerCase()) return true;
  const allowed = [new URL(config.env.PUBLIC_URL).origin, ...config.corsOrigins.map(originOf)];
  return allowed.includes(parsed.origin);
}

function originOf(value: string): string {
  try {
    return new URL(value).origin;
  } catch {
    return value;
  }
}
