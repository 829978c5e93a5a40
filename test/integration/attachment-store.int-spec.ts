import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttachmentStore, MediaError } from '@parley/channels';
import { AppConfig } from '@parley/config';

describe('attachment store', () => {
  let server: Server;
  let base: string;
  let root: string;
  let store: AttachmentStore;
  const workspaceId = '0b5a3f7e-2c1d-4e8f-9a6b-1c2d3e4f5a6b';

  beforeAll(async () => {
    server = createServer((request, response) => {
      const auth = request.headers.authorization;
      if (request.url === '/private') {
        if (auth !== `Basic ${Buffer.from('AC1:secret').toString('base64')}`)
          return void response.writeHead(401).end();
        return void response.writeHead(302, { location: '/public' }).end();
      }
      if (request.url === '/public')
        return void response.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(100, 7));
      if (request.url === '/huge')
        return void response.writeHead(200, { 'content-type': 'video/mp4' }).end(Buffer.alloc(5000, 1));
      if (request.url === '/liar') {
        response.writeHead(200, { 'content-type': 'video/mp4' }); // no content-length: the limit is enforced while streaming
        response.write(Buffer.alloc(3000));
        return void response.end(Buffer.alloc(3000));
      }
      response.writeHead(503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    root = await mkdtemp(join(tmpdir(), 'parley-attachments-'));
    store = new AttachmentStore(new AppConfig({ ATTACHMENTS_DIR: root, MEDIA_MAX_BYTES: '4096' }));
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('downloads with Basic auth, follows the redirect, and stores the bytes', async () => {
    const stored = await store.download(workspaceId, `${base}/private`, {
      username: 'AC1',
      password: 'secret',
    });
    expect(stored).toMatchObject({ size: 100, contentType: 'image/png' });
    expect(await readFile(join(root, stored.storageKey))).toEqual(Buffer.alloc(100, 7));
    const opened = await store.open(stored.storageKey);
    expect(opened.size).toBe(100);
    opened.stream.destroy();
  });

  it('refuses media over the limit, declared or streamed, and leaves no file behind', async () => {
    const before = await readdir(join(root, workspaceId));
    for (const path of ['/huge', '/liar']) {
      const error = await store.download(workspaceId, `${base}${path}`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MediaError);
      expect((error as MediaError).retryable).toBe(false);
    }
    expect(await readdir(join(root, workspaceId))).toEqual(before);
  });

  it('marks server errors retryable and auth failures not', async () => {
    await expect(store.download(workspaceId, `${base}/down`)).rejects.toMatchObject({ retryable: true });
    await expect(store.download(workspaceId, `${base}/private`)).rejects.toMatchObject({ retryable: false });
  });

  it('never opens a path outside the store', async () => {
    await expect(store.open('../../etc/passwd')).rejects.toThrow('invalid storage key');
  });
});
