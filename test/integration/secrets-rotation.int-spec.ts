import { execFile } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AppConfig } from '@parley/config';
import { SecretCipher } from '@parley/database';
import { createWorkspace, TWILIO_TEST_AUTH_TOKEN, type WorkspaceFixture } from '@parley/testing';
import { bootDomain } from '../support/integration.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const loader = fileURLToPath(new URL('../support/ts-loader.mjs', import.meta.url));

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');

/** `cli.js secrets:rotate` from the sources, as an operator runs it, with the given key ring. */
async function rotate(env: Record<string, string>): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--no-warnings', '--import', loader, 'apps/api/src/cli.ts', 'secrets:rotate'],
      { cwd: root, env: { ...process.env, ...env } },
    );
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout + failed.stderr };
  }
}

function cipherFor(current: string, previous = ''): SecretCipher {
  return new SecretCipher(new AppConfig({ ENCRYPTION_KEY: current, ENCRYPTION_KEYS_PREVIOUS: previous }));
}

/** A value as the single-key (v1) cipher wrote it before key ids. */
function sealV1(key: string, plain: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', Buffer.from(key, 'base64'), iv);
  const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), data.toString('base64')].join(':');
}

describe('secrets:rotate', () => {
  let app: TestingModule;
  let db: DataSource;
  let ws: WorkspaceFixture;
  const savedKey = process.env.ENCRYPTION_KEY;

  const sealedRows = async () =>
    await db.query<Array<{ id: string; secrets: string }>>(
      `SELECT id, secrets FROM inboxes WHERE secrets IS NOT NULL ORDER BY id`,
    );

  beforeAll(async () => {
    process.env.ENCRYPTION_KEY = keyA;
    app = await bootDomain();
    db = app.get(DataSource);
    ws = await createWorkspace(app);
    await ws.addInbox({ channel: 'sms' });
    await ws.addInbox({ channel: 'webchat' });
    await ws.addInbox({ channel: 'api', config: { webhookUrl: 'https://example.test/hook' } });
    // One inbox still carries a value in the old single-key format.
    const legacy = await ws.addInbox({ channel: 'whatsapp' });
    await db.query(`UPDATE inboxes SET secrets = $1 WHERE id = $2`, [
      sealV1(keyA, JSON.stringify({ authToken: 'legacy-token' })),
      legacy.id,
    ]);
  });

  afterAll(async () => {
    if (savedKey === undefined) delete process.env.ENCRYPTION_KEY;
    else process.env.ENCRYPTION_KEY = savedKey;
    await app?.close();
  });

  it('re-seals every value with the new key, reports counts, and is idempotent', async () => {
    const before = await sealedRows();
    expect(before).toHaveLength(4);

    const first = await rotate({ ENCRYPTION_KEY: keyB, ENCRYPTION_KEYS_PREVIOUS: keyA });
    expect(first).toEqual({
      code: 0,
      out: expect.stringContaining(
        'Secrets: 4 rows, 4 values re-sealed with the current key, 0 already current',
      ),
    });
    const onlyB = cipherFor(keyB);
    const after = await sealedRows();
    for (const row of after) {
      expect(row.secrets).toMatch(new RegExp(`^v2:${onlyB.currentKeyId}:`));
      // Readable with the new key alone: the old one can now be retired.
      expect(Object.keys(onlyB.decryptJson(row.secrets)).length).toBeGreaterThan(0);
    }
    expect(after.map((row) => onlyB.decryptJson(row.secrets))).toEqual(
      before.map((row) => cipherFor(keyA).decryptJson(row.secrets)),
    );
    expect(after.map((row) => onlyB.decryptJson(row.secrets))).toContainEqual({ authToken: 'legacy-token' });
    expect(after.map((row) => onlyB.decryptJson(row.secrets))).toContainEqual({
      authToken: TWILIO_TEST_AUTH_TOKEN,
    });

    const second = await rotate({ ENCRYPTION_KEY: keyB, ENCRYPTION_KEYS_PREVIOUS: keyA });
    expect(second.out).toContain(
      'Secrets: 4 rows, 0 values re-sealed with the current key, 4 already current',
    );
    expect(await sealedRows()).toEqual(after);
  });

  it('fails naming the row when a value opens with no configured key, and changes nothing', async () => {
    const foreign = await ws.addInbox({ channel: 'sms' });
    await db.query(`UPDATE inboxes SET secrets = $1 WHERE id = $2`, [
      cipherFor(randomBytes(32).toString('base64')).encryptJson({ authToken: 'x' }),
      foreign.id,
    ]);
    // Back to key A as current: the other rows would need re-sealing, but the transaction rolls back.
    const before = await sealedRows();
    const failed = await rotate({ ENCRYPTION_KEY: keyA, ENCRYPTION_KEYS_PREVIOUS: keyB });
    expect(failed.code).toBe(1);
    expect(failed.out).toContain(`inboxes row ${foreign.id} (workspace ${ws.workspaceId})`);
    expect(failed.out).toContain('cannot be decrypted with any configured key');
    expect(await sealedRows()).toEqual(before);
  });
});
