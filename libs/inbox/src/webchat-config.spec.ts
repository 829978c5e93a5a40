import { readWebchatConfig, webchatConfigProblem } from './webchat-config.js';

describe('web chat inbox config', () => {
  it('accepts a full config and fills defaults', () => {
    const config = {
      websiteToken: 'abcdefghijklmnop',
      greeting: ' Hi! ',
      preChat: { enabled: true, fields: [{ name: 'email', label: 'Email', type: 'email', required: true }] },
      continuityEmailInboxId: '3f0c7a4e-6f7c-4f0e-9a55-1f1d2b3c4d5e',
    };
    expect(webchatConfigProblem(config)).toBeNull();
    expect(readWebchatConfig(config)).toEqual({
      websiteToken: 'abcdefghijklmnop',
      requireVerification: false,
      greeting: 'Hi!',
      awayMessage: null,
      replyTime: null,
      preChat: { enabled: true, fields: [{ name: 'email', label: 'Email', type: 'email', required: true }] },
      continuityEmailInboxId: '3f0c7a4e-6f7c-4f0e-9a55-1f1d2b3c4d5e',
      continuityAfterMinutes: 15,
      allowedOrigins: [],
    });
  });

  it('normalizes allowed origins and refuses anything but bare http(s) origins', () => {
    const config = { allowedOrigins: ['https://Shop.Example:443', 'http://localhost:8080/'] };
    expect(webchatConfigProblem(config)).toBeNull();
    expect(readWebchatConfig(config).allowedOrigins).toEqual([
      'https://shop.example',
      'http://localhost:8080',
    ]);
    for (const bad of [['https://shop.example/path'], ['javascript:alert(1)'], ['*'], 'https://a.example'])
      expect(webchatConfigProblem({ allowedOrigins: bad })).toMatch(/^config\.allowedOrigins/);
  });

  it.each([
    [{ websiteToken: 'short' }, 'config.websiteToken must be 16-64 letters, digits, _ or -'],
    [{ requireVerification: 'yes' }, 'config.requireVerification must be true or false'],
    [{ greeting: 'x'.repeat(501) }, 'config.greeting must be text of at most 500 characters'],
    [
      { preChat: { fields: [{ name: '1x', label: 'X' }] } },
      'config.preChat.fields[].name must be an identifier (letters, digits, _)',
    ],
    [
      {
        preChat: {
          fields: [
            { name: 'a', label: 'A' },
            { name: 'a', label: 'B' },
          ],
        },
      },
      'config.preChat.fields has "a" twice',
    ],
    [
      { preChat: { fields: [{ name: 'a', label: 'A', type: 'date' }] } },
      'config.preChat.fields[].type must be text, email or phone',
    ],
    [{ continuityAfterMinutes: 0 }, 'config.continuityAfterMinutes must be 1-1440'],
  ])('refuses %j', (config, problem) => {
    expect(webchatConfigProblem(config)).toBe(problem);
  });
});
