import EmailReplyParser from 'email-reply-parser';
import { REPLY_SEPARATOR } from './email-threading.js';

// "On <date>, <name> wrote:" (and common translations), possibly wrapped over two lines by the client.
const ATTRIBUTION = /(^|\n)[^\n]*(wrote|schrieb|a écrit|escribió|scrisse|schreef|skrev|napisał)\s*:\s*$/i;

/**
 * The new text of a reply: cut at Parley's separator (also when quoted), then strip quoted history
 * and signatures with email-reply-parser. Heuristic, so the full text is always kept beside it;
 * when stripping would leave nothing, the whole text is shown instead.
 */
export function visibleText(text: string): { text: string; stripped: boolean } {
  const full = text.replace(/\r\n/g, '\n');
  let cut = full;
  const separator = full.indexOf(REPLY_SEPARATOR);
  if (separator >= 0) {
    // Drop the quote marker and the client's attribution line in front of the separator.
    cut = full.slice(0, full.lastIndexOf('\n', separator) + 1).replace(/(\n>?[ \t]*)+$/, '\n');
    cut = cut.replace(ATTRIBUTION, '$1').replace(/(\n[ \t]*)+$/, '');
  }
  let visible = cut;
  try {
    visible = new EmailReplyParser().read(cut).getVisibleText();
  } catch {
    // a pathological input: keep what the separator cut gave
  }
  visible = visible.replace(/\s+$/, '').replace(/^\s*\n/, '');
  if (!visible.trim()) return { text: full.trim(), stripped: false };
  return { text: visible, stripped: visible !== full.trim() };
}
