/**
 * A minimal POSIX ustar writer: regular files only, names up to 255 bytes (prefix + name).
 * Node has no tar writer and the repository has no archive dependency; ustar is what every `tar`
 * and archive tool reads, and it can be produced as a stream because each entry declares its size
 * up front and is padded to 512-byte blocks.
 */
const BLOCK = 512;

export class TarNameError extends Error {}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let cut = path.indexOf('/'); cut > 0; cut = path.indexOf('/', cut + 1)) {
    const prefix = path.slice(0, cut);
    const name = path.slice(cut + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new TarNameError(`tar entry name too long: ${path}`);
}

/** The 512-byte header of one regular file entry. */
export function tarHeader(path: string, size: number, modified: Date): Buffer {
  const { name, prefix } = splitName(path);
  const header = Buffer.alloc(BLOCK, 0);
  header.write(name, 0, 100, 'utf8');
  header.write(octal(0o644, 8), 100, 8, 'ascii');
  header.write(octal(0, 8), 108, 8, 'ascii');
  header.write(octal(0, 8), 116, 8, 'ascii');
  header.write(octal(size, 12), 124, 12, 'ascii');
  header.write(octal(Math.floor(modified.getTime() / 1000), 12), 136, 12, 'ascii');
  header.write('        ', 148, 8, 'ascii');
  header.write('0', 156, 1, 'ascii');
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  header.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return header;
}

/** Zero bytes that fill an entry of `size` bytes up to the next block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK, 0);
}

/** Two zero blocks end an archive. */
export const TAR_END = Buffer.alloc(BLOCK * 2, 0);

/** Header, content and padding of a small in-memory entry. */
export function tarEntry(path: string, content: Buffer, modified: Date): Buffer[] {
  return [tarHeader(path, content.length, modified), content, tarPadding(content.length)];
}

/** A file name safe inside an archive path: no separators, no control characters, bounded length. */
export function safeFileName(name: string, fallback: string): string {
  const cleaned = [...name]
    .map((char) => (char === '/' || char === '\\' || char.charCodeAt(0) < 32 || char === '\x7f' ? '_' : char))
    .join('')
    .replace(/^\.+/, '_')
    .trim();
  const limited = Buffer.from(cleaned || fallback, 'utf8')
    .subarray(0, 60)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return limited || fallback;
}
