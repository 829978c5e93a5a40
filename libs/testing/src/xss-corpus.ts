/**
 * Script-injection payloads for the XSS browser test (issue 12, item 7). Each one, if it ever ran
 * in a page, would set `window.__xss` (the canary) or open a dialog; rendered inert, it is just text.
 */
export const XSS_CANARY = '__xss';

export const XSS_CORPUS: readonly string[] = [
  `<script>window.__xss='script'</script>`,
  `<script src=x></script>`,
  `<img src=x onerror="window.__xss='img'">`,
  `<svg onload="window.__xss='svg'"><circle r=1 /></svg>`,
  `<iframe src="javascript:window.parent.__xss='iframe'"></iframe>`,
  `<a href="javascript:window.__xss='link'">click me</a>`,
  `[click me](javascript:window.__xss='markdown')`,
  `<div style="background:url(javascript:window.__xss='style');width:expression(window.__xss='expr')">styled</div>`,
  `&lt;img src=x onerror=window.__xss='entity'&gt; &#60;script&#62;alert(1)&#60;/script&#62;`,
  `"><img src=x onerror=window.__xss='attr'>`,
  `'><svg/onload=window.__xss='attr2'>`,
  `<details open ontoggle="window.__xss='details'">`,
  `<body onload=alert('body')>`,
  `javascript:alert(document.domain)`,
];

/** A short payload for one-line fields (names, file names, subjects). */
export const XSS_NAME = `"><img src=x onerror="window.__xss='name'">`;

/** An email HTML body with every payload, for the sanitized "show formatted" view. */
export const XSS_EMAIL_HTML = `<html><body><p>Hello</p>${XSS_CORPUS.join('<br>')}<form action="javascript:window.__xss='form'"><button>Go</button></form></body></html>`;

/**
 * What a rendered timeline must not contain if the payloads stayed text: elements with event handlers,
 * scripts, frames, SVG and javascript: links.
 */
export const XSS_INJECTED_SELECTOR = [
  '[onerror]',
  '[onload]',
  '[ontoggle]',
  'script',
  'iframe',
  'svg[onload]',
  'details[ontoggle]',
  'a[href^="javascript:" i]',
  'form[action^="javascript:" i]',
  '[style*="expression" i]',
].join(', ');
