import { AppConfig } from '@parley/config';
import { agentOriginAllowed } from './socket-origin.js';

describe('agent socket Origin check', () => {
  const config = new AppConfig({
    PUBLIC_URL: 'https://support.acme.example',
    CORS_ORIGINS: 'https://admin.acme.example, http://localhost:5173',
  });

  it('allows no Origin (not a browser), the same host, PUBLIC_URL and CORS_ORIGINS', () => {
    expect(agentOriginAllowed(undefined, 'api.internal:3000', config)).toBe(true);
    expect(agentOriginAllowed('http://127.0.0.1:4100', '127.0.0.1:4100', config)).toBe(true);
    expect(agentOriginAllowed('https://support.acme.example', 'api.internal:3000', config)).toBe(true);
    expect(agentOriginAllowed('https://admin.acme.example', 'api.internal:3000', config)).toBe(true);
    expect(agentOriginAllowed('http://localhost:5173', 'api.internal:3000', config)).toBe(true);
  });

  it('refuses any other site, look-alikes and garbage', () => {
    for (const origin of [
      'https://evil.example',
      'https://support.acme.example.evil.example',
      'http://support.acme.example',
      'null',
      'not a url',
    ])
      expect(agentOriginAllowed(origin, 'api.internal:3000', config)).toBe(false);
  });
});
