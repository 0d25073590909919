/**
 * Badge primitives shared by `slipway badges` and the status site: the shields.io URL forms
 * (static and endpoint), the endpoint JSON, and a flat SVG badge rendered offline so a README or
 * a status page works without a third-party request. Pure: no I/O, no clock.
 */

export interface Badge {
  /** The left text; empty for a message-only badge. */
  label: string;
  /** The right text. */
  message: string;
  /** A shields color name (BADGE_COLORS) or a hex color without `#`. */
  color: string;
  /** The left color, same forms as `color`; shields' grey when absent. */
  labelColor?: string;
}

/** shields.io's named colors and their hex values (badge-maker's color scheme). */
export const BADGE_COLORS: Readonly<Record<string, string>> = {
  brightgreen: "4c1",
  green: "97ca00",
  yellowgreen: "a4a61d",
  yellow: "dfb317",
  orange: "fe7d37",
  red: "e05d44",
  blue: "007ec6",
  grey: "555",
  gray: "555",
  lightgrey: "9f9f9f",
  lightgray: "9f9f9f",
  critical: "e05d44",
  important: "fe7d37",
  success: "4c1",
  informational: "007ec6",
  inactive: "9f9f9f",
};

const SHIELDS = "https://img.shields.io";

/** `text` with lone surrogates replaced by U+FFFD: encodeURIComponent throws on them. */
function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

/**
 * One path segment of a static badge URL, escaped per shields' rules: a literal `-` is `--`, a
 * literal `_` is `__`, a space is `_`; the rest is percent-encoded. A space next to an underscore
 * is `%20`: shields reads `___` as "_ ", so " _" could not be told apart.
 */
function shieldsSegment(text: string): string {
  const chars = Array.from(wellFormed(text));
  return chars
    .map((char, i) => {
      if (char === "-") return "--";
      if (char === "_") return "__";
      if (char === " ") return chars[i - 1] === "_" || chars[i + 1] === "_" ? "%20" : "_";
      return encodeURIComponent(char);
    })
    .join("");
}

/**
 * `https://img.shields.io/badge/<label>-<message>-<color>` (no label part when the label is
 * empty), with `?labelColor=` when one is set.
 */
export function shieldsStaticUrl(badge: Badge): string {
  const parts = [badge.message, badge.color].map(shieldsSegment);
  if (badge.label !== "") parts.unshift(shieldsSegment(badge.label));
  const query =
    badge.labelColor === undefined ? "" : `?labelColor=${encodeURIComponent(wellFormed(badge.labelColor))}`;
  return `${SHIELDS}/badge/${parts.join("-")}${query}`;
}

/**
 * The badge as shields' endpoint JSON (https://shields.io/badges/endpoint-badge): schemaVersion 1,
 * label, message, color and labelColor when set. Shields rejects an empty message, so an empty
 * one is written as "unknown".
 */
export function shieldsEndpointJson(badge: Badge): string {
  const body: Record<string, string | number> = {
    schemaVersion: 1,
    label: badge.label,
    message: badge.message === "" ? "unknown" : badge.message,
    color: badge.color,
  };
  if (badge.labelColor !== undefined) body.labelColor = badge.labelColor;
  return `${JSON.stringify(body)}\n`;
}

/** `https://img.shields.io/endpoint?url=<encoded>`, with `&label=` to override the JSON's label. */
export function shieldsEndpointUrl(jsonUrl: string, options: { label?: string } = {}): string {
  const label = options.label === undefined ? "" : `&label=${encodeURIComponent(wellFormed(options.label))}`;
  return `${SHIELDS}/endpoint?url=${encodeURIComponent(wellFormed(jsonUrl))}${label}`;
}

// Verdana's advance widths in font units (2048 per em) for ASCII 32..126, the font shields measures
// badge text in; at 11px a width is units * 11 / 2048.
// biome-ignore format: one row per 16 characters
const VERDANA_UNITS = [
  720, 806, 940, 1676, 1302, 2204, 1488, 550, 930, 930, 1302, 1676, 745, 930, 745, 930,
  1302, 1302, 1302, 1302, 1302, 1302, 1302, 1302, 1302, 1302, 930, 930, 1676, 1676, 1676, 1117,
  2048, 1400, 1404, 1430, 1578, 1295, 1177, 1588, 1539, 862, 931, 1419, 1140, 1726, 1532, 1612,
  1235, 1612, 1424, 1400, 1262, 1499, 1400, 2025, 1403, 1260, 1403, 930, 930, 930, 1676, 1302,
  1302, 1230, 1276, 1067, 1276, 1220, 720, 1276, 1296, 562, 705, 1212, 562, 1992, 1296, 1243,
  1276, 1276, 874, 1067, 807, 1296, 1212, 1676, 1212, 1212, 1076, 1300, 930, 1300, 1676,
];

const FONT_PX = 11;

/** The width in px of one code point in Verdana 11px: exact for printable ASCII, estimated otherwise. */
function charWidth(codePoint: number): number {
  const units = VERDANA_UNITS[codePoint - 32];
  if (units !== undefined) return (units * FONT_PX) / 2048;
  if (codePoint < 32 || (codePoint >= 0x7f && codePoint < 0xa0)) return 0;
  // Combining marks and zero-width characters add nothing; wide (CJK, emoji) glyphs take an em.
  if ((codePoint >= 0x300 && codePoint < 0x370) || (codePoint >= 0x200b && codePoint <= 0x200f)) return 0;
  if (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    codePoint >= 0x1f300
  )
    return FONT_PX;
  return (1302 * FONT_PX) / 2048;
}

/** The text's width in px at Verdana 11px (how shields sizes a badge's halves). */
export function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char.codePointAt(0) ?? 0);
  return width;
}

/**
 * `&`, `<`, `>`, quotes escaped for XML text and attribute values; characters XML 1.0 forbids
 * (controls other than tab and newlines, lone surrogates) become U+FFFD.
 */
export function escapeXml(text: string): string {
  return wellFormed(text)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "\ufffd")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

const HEX = /^(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/** A badge color as `#rrggbb`/`#rgb`: a named color, a hex value; anything else is lightgrey. */
export function badgeColorHex(color: string): string {
  const named = BADGE_COLORS[color.toLowerCase()];
  if (named !== undefined) return `#${named}`;
  return HEX.test(color) ? `#${color.toLowerCase()}` : `#${BADGE_COLORS.lightgrey}`;
}

/** Whether text on this background should be dark (shields switches at brightness 0.69). */
function isLight(hex: string): boolean {
  const digits = hex.slice(1);
  const full = digits.length === 3 ? [...digits].map((d) => d + d).join("") : digits;
  const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16));
  return ((r ?? 0) * 299 + (g ?? 0) * 587 + (b ?? 0) * 114) / 255000 >= 0.69;
}

const PAD = 5;

/** One half's text: a shadow line and the text, drawn at 10× and scaled, as shields does. */
function svgText(text: string, left: number, width: number, background: string): string {
  const textLength = Math.max(0, width - 2 * PAD) * 10;
  const x = (left + width / 2) * 10;
  const [fill, shadow] = isLight(background) ? ["#333", "#ccc"] : ["#fff", "#010101"];
  const body = escapeXml(text);
  return (
    `<text aria-hidden="true" x="${x}" y="150" fill="${shadow}" fill-opacity=".3" transform="scale(.1)" textLength="${textLength}">${body}</text>` +
    `<text x="${x}" y="140" transform="scale(.1)" fill="${fill}" textLength="${textLength}">${body}</text>`
  );
}

/**
 * A flat badge like shields' (20 px high, Verdana 11px, rounded corners), rendered offline.
 * Accessible: role="img", aria-label and a <title> carrying "label: message".
 */
export function renderBadgeSvg(badge: Badge): string {
  const message = badge.message === "" ? "unknown" : badge.message;
  const labelWidth = badge.label === "" ? 0 : Math.round(textWidth(badge.label)) + 2 * PAD;
  const messageWidth = Math.round(textWidth(message)) + 2 * PAD;
  const width = labelWidth + messageWidth;
  const labelColor = badgeColorHex(badge.labelColor ?? "grey");
  const color = badgeColorHex(badge.color);
  const title = escapeXml(badge.label === "" ? message : `${badge.label}: ${message}`);
  const texts =
    (badge.label === "" ? "" : svgText(badge.label, 0, labelWidth, labelColor)) +
    svgText(message, labelWidth, messageWidth, color);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${title}">` +
    `<title>${title}</title>` +
    `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>` +
    `<clipPath id="r"><rect width="${width}" height="20" rx="3" fill="#fff"/></clipPath>` +
    `<g clip-path="url(#r)">${labelWidth === 0 ? "" : `<rect width="${labelWidth}" height="20" fill="${labelColor}"/>`}` +
    `<rect x="${labelWidth}" width="${messageWidth}" height="20" fill="${color}"/>` +
    `<rect width="${width}" height="20" fill="url(#s)"/></g>` +
    `<g text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">${texts}</g>` +
    `</svg>\n`
  );
}
