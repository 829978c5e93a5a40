import busboy from 'busboy';

/** The fields of a raw-MIME webhook request, as bytes where they carry mail. */
export interface MimeForm {
  fields: Record<string, string>;
  bodyMime: Buffer | null;
  /** A field or file was cut at the size limit. */
  truncated: boolean;
}

export class MimeFormError extends Error {}

/**
 * Reads `multipart/form-data` (busboy) or `application/x-www-form-urlencoded` bodies. `body-mime`
 * (Mailgun) or `email` (SendGrid's raw mode) may come as a text field or as a file part.
 */
export async function readMimeForm(
  contentType: string,
  body: Buffer,
  maxFieldBytes: number,
): Promise<MimeForm> {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') {
    const params = new URLSearchParams(body.toString('utf8'));
    const fields = Object.fromEntries([...params.entries()].filter(([name]) => !isMimeField(name)));
    const mime = params.get('body-mime') ?? params.get('email');
    return {
      fields,
      bodyMime: mime === null ? null : Buffer.from(mime, 'utf8'),
      truncated: mime !== null && Buffer.byteLength(mime) > maxFieldBytes,
    };
  }
  if (type !== 'multipart/form-data') {
    throw new MimeFormError(
      'Send multipart/form-data or application/x-www-form-urlencoded with a body-mime field',
    );
  }
  return new Promise<MimeForm>((resolve, reject) => {
    const form: MimeForm = { fields: {}, bodyMime: null, truncated: false };
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        defCharset: 'utf8',
        limits: {
          fieldSize: maxFieldBytes + 1,
          fileSize: maxFieldBytes + 1,
          fields: 100,
          files: 20,
          parts: 120,
        },
      });
    } catch (error) {
      reject(new MimeFormError(`Unreadable multipart body: ${(error as Error).message}`));
      return;
    }
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) form.truncated = true;
      if (isMimeField(name)) form.bodyMime ??= Buffer.from(value, 'utf8');
      else form.fields[name] = value;
    });
    parser.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => (form.truncated = true));
      stream.on('end', () => {
        if (isMimeField(name)) form.bodyMime ??= Buffer.concat(chunks);
      });
    });
    parser.on('error', (error: Error) =>
      reject(new MimeFormError(`Unreadable multipart body: ${error.message}`)),
    );
    parser.on('close', () => resolve(form));
    parser.end(body);
  });
}

const isMimeField = (name: string) => name === 'body-mime' || name === 'email';
