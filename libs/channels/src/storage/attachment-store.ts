import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@parley/config';

export interface StoredFile {
  storageKey: string;
  size: number;
  contentType: string;
}

export class MediaError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const KEY = /^[0-9a-f-]{36}\/[0-9a-f-]{36}$/;

/** Attachment files on local disk (ATTACHMENTS_DIR), one folder per workspace, size-limited. */
@Injectable()
export class AttachmentStore {
  private readonly root: string;
  private readonly maxBytes: number;

  constructor(config: AppConfig) {
    this.root = resolve(config.env.ATTACHMENTS_DIR);
    this.maxBytes = config.env.MEDIA_MAX_BYTES;
  }

  /** Downloads a provider's media URL (HTTP Basic auth when given) into the store. */
  async download(
    workspaceId: string,
    url: string,
    auth?: { username: string; password: string },
  ): Promise<StoredFile> {
    const headers: Record<string, string> = {};
    if (auth)
      headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    let response: Response;
    try {
      response = await fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new MediaError(`media unreachable: ${(error as Error).message}`, true);
    }
    if (!response.ok || !response.body) {
      throw new MediaError(
        `media answered ${response.status}`,
        response.status >= 500 || response.status === 429,
      );
    }
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > this.maxBytes)
      throw new MediaError(`media is ${declared} bytes, over the ${this.maxBytes} limit`, false);
    const storageKey = `${workspaceId}/${randomUUID()}`;
    const path = this.pathOf(storageKey);
    await mkdir(join(this.root, workspaceId), { recursive: true });
    let size = 0;
    const limit = this.maxBytes;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done(size > limit ? new MediaError(`media is over the ${limit} byte limit`, false) : null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(response.body as never), counter, createWriteStream(path));
    } catch (error) {
      await rm(path, { force: true });
      throw error instanceof MediaError
        ? error
        : new MediaError(`media download failed: ${(error as Error).message}`, true);
    }
    return {
      storageKey,
      size,
      contentType: response.headers.get('content-type') ?? 'application/octet-stream',
    };
  }

  /** Stores bytes already in hand (an email's raw source or one of its parts); no size check here. */
  async put(workspaceId: string, content: Buffer, contentType: string): Promise<StoredFile> {
    const storageKey = `${workspaceId}/${randomUUID()}`;
    await mkdir(join(this.root, workspaceId), { recursive: true });
    await writeFile(this.pathOf(storageKey), content);
    return { storageKey, size: content.length, contentType };
  }

  async remove(storageKey: string): Promise<void> {
    await rm(this.pathOf(storageKey), { force: true });
  }

  async open(storageKey: string): Promise<{ stream: ReadStream; size: number }> {
    const path = this.pathOf(storageKey);
    const info = await stat(path);
    return { stream: createReadStream(path), size: info.size };
  }

  private pathOf(storageKey: string): string {
    if (!KEY.test(storageKey)) throw new Error('invalid storage key');
    return join(this.root, storageKey);
  }
}
