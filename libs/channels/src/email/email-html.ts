import sanitizeHtml from 'sanitize-html';

const ALLOWED_TAGS = [
  ...sanitizeHtml.defaults.allowedTags.filter((tag) => tag !== 'style'),
  'img',
  'font',
  'center',
];

/**
 * Email HTML made safe to show inside the agent app: no script, style, forms, frames or event
 * handlers; remote images dropped (tracking pixels, IP leaks); `cid:` images pointed at their
 * stored attachment; links open in a new tab without a referrer.
 */
export function sanitizeEmailHtml(html: string, inlineImages: Readonly<Record<string, string>> = {}): string {
  return sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ['href', 'name', 'title', 'target', 'rel'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      td: ['colspan', 'rowspan', 'align', 'valign', 'width'],
      th: ['colspan', 'rowspan', 'align', 'valign', 'width'],
      table: ['width', 'border', 'cellpadding', 'cellspacing'],
      font: ['color'],
      '*': ['dir', 'lang'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['data'] },
    allowProtocolRelative: false,
    transformTags: {
      a: (tagName, attribs) => ({
        tagName,
        attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer nofollow' },
      }),
      img: (tagName, attribs) => {
        const src = attribs.src ?? '';
        const cid = /^cid:(.+)$/i.exec(src)?.[1];
        const local = cid ? inlineImages[cid.replace(/^<|>$/g, '')] : undefined;
        if (local) return { tagName, attribs: { ...attribs, src: local } };
        // data: images pass (they are inside the message); anything remote is dropped
        return { tagName, attribs: /^data:image\//i.test(src) ? attribs : { alt: attribs.alt ?? '' } };
      },
    },
    // img without a src is harmless; keep its alt text visible.
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src && !frame.attribs.alt,
  });
}
