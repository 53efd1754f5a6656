import sanitizeHtml from 'sanitize-html';

/**
 * User content is stored exactly as given and made safe on the way out: every tag is removed
 * (scripts and styles with their content) and the rest is entity-escaped, so no stored markup
 * ever reaches a client as markup.
 */
export function toSafeText(value: string): string {
  return sanitizeHtml(value, {
    allowedTags: [],
    allowedAttributes: {},
    disallowedTagsMode: 'discard',
    nonTextTags: ['script', 'style', 'textarea', 'noscript', 'iframe', 'object', 'template'],
  });
}
