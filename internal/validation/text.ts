// Text from outside: what a name may contain, and how a device's free text is made safe to
// store. PostgreSQL text cannot hold U+0000 at all (the whole statement fails), and control
// characters and bidirectional overrides in a name make it print as something it is not
// ("Trojan Source", CVE-2021-42574), in iotctl's tables, logs and Grafana alike.

/**
 * Characters no name may contain: controls (Cc, NUL included), format characters (Cf: the
 * bidirectional overrides and isolates U+202A–202E and U+2066–2069, zero-width characters) and
 * the line and paragraph separators U+2028/U+2029.
 */
export const UNSAFE_TEXT_CLASS = '\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}';
const UNSAFE_TEXT = new RegExp(`[${UNSAFE_TEXT_CLASS}]`, 'u');
const UNSAFE_TEXT_ALL = new RegExp(`[${UNSAFE_TEXT_CLASS}]`, 'gu');

/**
 * A name as the API takes it (JSON Schema `pattern`, compiled by ajv with the `u` flag): at
 * least one character, none unsafe, not starting with white space.
 */
export const SAFE_NAME_PATTERN = `^(?!\\s)[^${UNSAFE_TEXT_CLASS}]+$`;

export function hasUnsafeText(text: string): boolean {
  return UNSAFE_TEXT.test(text);
}

/** A device's free text with every unsafe character shown as U+FFFD, the replacement mark. */
export function cleanDeviceText(text: string): string {
  return text.replace(UNSAFE_TEXT_ALL, '\uFFFD');
}
