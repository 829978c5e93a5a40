import { fieldNames } from './audit.interceptor.js';

describe('audit field names', () => {
  it('lists the names of the fields sent, one level deep, never a value', () => {
    const body = {
      name: 'Support',
      secrets: { authToken: 'tok-123', apiKey: 'key-456' },
      config: {},
      labels: ['a', 'b'],
      retentionDays: null,
    };
    const names = fieldNames(body);
    expect(names).toEqual([
      'config',
      'labels',
      'name',
      'retentionDays',
      'secrets.apiKey',
      'secrets.authToken',
    ]);
    expect(JSON.stringify(names)).not.toMatch(/tok-123|key-456|Support/);
  });

  it('has nothing to say about bodies that are not objects', () => {
    expect(fieldNames(undefined)).toEqual([]);
    expect(fieldNames(['x'])).toEqual([]);
    expect(fieldNames('text')).toEqual([]);
  });
});
