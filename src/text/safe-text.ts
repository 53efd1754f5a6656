import sanitizeHtml from 'sanitize-html';

// The bottom of the layers (imports nothing from src/): the one rule that makes user-entered text
// safe to render, used where text is written (validation.ts, the OIDC first sign-in, the demo
// seed) and by the migration that rewrote the rows stored before the rule (db/migrations/).

/**
 * The safe form of user-entered text, computed once, on write: every tag is removed (scripts,
 * styles and the like with their content) and the rest is entity-escaped (`<` → `&lt;`,
 * `>` → `&gt;`, `&` → `&amp;`; quotes are kept as they are). Entities the client sent are decoded
 * first and re-escaped, so the function is idempotent: `toSafeText(toSafeText(x)) === toSafeText(x)`.
 * Escaping lengthens text at most five-fold (`&` → `&amp;`); every column holding it is `text`.
 */
export function toSafeText(value: string): string {
  return sanitizeHtml(value, {
    allowedTags: [],
    allowedAttributes: {},
    disallowedTagsMode: 'discard',
    nonTextTags: ['script', 'style', 'textarea', 'noscript', 'iframe', 'object', 'template'],
  });
}

// Whitelisting by exclusion of the invisible: C0/C1 control characters and the Unicode bidi
// overrides let a name or address render differently from what is stored (log forging,
// "admin\u202E" spoofing). Single-line text refuses all of them; multi-line text keeps \t \n \r.
/* eslint-disable no-control-regex -- matching control characters is the point */
export const SINGLE_LINE_FORBIDDEN = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
export const MULTI_LINE_FORBIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
/* eslint-enable no-control-regex */

/**
 * A single-line name from a source that cannot be refused (an identity provider's `name` claim):
 * control characters dropped, bounded to `max` characters as sent, then made safe; `fallback`
 * when nothing is left.
 */
export function toSafeName(value: string, max: number, fallback: string): string {
  const cleaned = [...value].filter((c) => !SINGLE_LINE_FORBIDDEN.test(c)).join('');
  const safe = toSafeText(cleaned.trim().slice(0, max));
  return safe.trim() === '' || SINGLE_LINE_FORBIDDEN.test(safe) ? fallback : safe;
}
