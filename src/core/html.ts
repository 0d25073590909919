/** HTML text, escaped: the one escape of every page slipway writes (the simple index, the status site). */

/**
 * Text and double- or single-quoted attribute values escaped for HTML; control characters (not
 * tab, newline or carriage return) become U+FFFD, so hostile text cannot smuggle them into a page.
 */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;")
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "\uFFFD");
}
