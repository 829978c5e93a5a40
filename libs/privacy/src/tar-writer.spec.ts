import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { safeFileName, TAR_END, tarEntry, TarNameError, tarHeader } from './tar-writer.js';

describe('ustar writer', () => {
  it('writes an archive the system tar lists and extracts byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-tar-'));
    try {
      const long = `${'d'.repeat(90)}/${'e'.repeat(60)}/file-with-a-long-name.json`;
      const binary = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
      const parts = [
        ...tarEntry('contact.json', Buffer.from('{"ok":true}'), new Date('2026-01-02T03:04:05Z')),
        ...tarEntry(long, Buffer.from('x'.repeat(513)), new Date()),
        ...tarEntry('attachments/a/0-photo.bin', binary, new Date()),
        TAR_END,
      ];
      const archive = Buffer.concat(parts);
      expect(archive.length % 512).toBe(0);
      writeFileSync(join(dir, 'export.tar'), archive);
      const listing = execFileSync('tar', ['-tf', join(dir, 'export.tar')], { encoding: 'utf8' });
      expect(listing.trim().split('\n')).toEqual(['contact.json', long, 'attachments/a/0-photo.bin']);
      execFileSync('tar', ['-xf', join(dir, 'export.tar'), '-C', dir]);
      expect(readFileSync(join(dir, 'contact.json'), 'utf8')).toBe('{"ok":true}');
      expect(readFileSync(join(dir, long), 'utf8')).toHaveLength(513);
      expect(readFileSync(join(dir, 'attachments/a/0-photo.bin')).equals(binary)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a name that fits neither the name nor the prefix field', () => {
    expect(() => tarHeader('x'.repeat(300), 1, new Date())).toThrow(TarNameError);
  });

  it('makes attachment names safe path segments', () => {
    expect(safeFileName('../../etc/passwd', 'file')).toBe('__.._etc_passwd');
    expect(safeFileName('a\u0000b\nc.txt', 'file')).toBe('a_b_c.txt');
    expect(safeFileName('', 'file')).toBe('file');
    expect(Buffer.byteLength(safeFileName('é'.repeat(100), 'file'))).toBeLessThanOrEqual(60);
  });
});
