/* SPDX-License-Identifier: GPL-2.0-only */
/* escape: make strings from strangers safe for a terminal or for JSON. */
#ifndef FLOWTOP_ESCAPE_H
#define FLOWTOP_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

/* Copy in[0..len) to out (size outsz, always NUL-terminated) for a
 * terminal or the text table. What passes as it is: printable ASCII and
 * valid UTF-8 characters. What becomes \xHH, one escape per input byte
 * (U+202E, RIGHT-TO-LEFT OVERRIDE, shows as \xe2\x80\xae):
 *   - invalid UTF-8 (each maximal invalid subpart);
 *   - control characters: C0, DEL, C1 (U+0080-U+009F), ESC among them;
 *   - invisible format characters, which reorder or hide text: Unicode's
 *     Cf category (bidi controls U+061C, U+200E/F, U+202A-U+202E,
 *     U+2066-U+2069; zero-width U+200B-U+200D, U+2060-U+2064, U+FEFF; soft
 *     hyphen U+00AD; tags U+E0000-U+E007F; ...) and the separators U+2028,
 *     U+2029 (esc_is_format);
 *   - when the terminal's codeset is not UTF-8 (esc_term_set_utf8(0)),
 *     every character with a byte in 0x80-0x9f, which such a terminal
 *     takes for a C1 control.
 * Returns the length written; truncates on whole escapes/characters,
 * never mid-sequence. The output holds no byte < 0x20, no 0x7f, and no
 * C1 or format code point; with a codeset not UTF-8, no byte 0x80-0x9f. */
size_t esc_term(char *out, size_t outsz, const char *in, size_t len);

/* Whether code point cp is one of the format characters esc_term escapes. */
int esc_is_format(uint32_t cp);

/* The terminal's codeset, for esc_term: UTF-8 (the default) or not. The
 * ui, the collector and the updater parent (which relay their children's
 * stderr, privsep/relay.h) set it once, before any sandbox, with
 * esc_term_from_locale; the resolver never does, and escapes for UTF-8
 * (its escapes are plain ASCII, so the ui's pass over them only adds its
 * own). */
void esc_term_set_utf8(int utf8);
int esc_term_utf8(void);

/* Set the codeset from the user's locale (LC_ALL, LC_CTYPE, LANG), asked
 * without changing this process's locale. Not UTF-8, or no such locale
 * (setlocale would fall back to the ASCII "C"), and esc_term escapes
 * every byte 0x80-0x9f, which the terminal reads as C1 controls. Reads
 * the locale files: before a sandbox. */
void esc_term_from_locale(void);

/* Whether a codeset name (nl_langinfo(CODESET)) is UTF-8. */
int esc_codeset_is_utf8(const char *codeset);

/* Write in[0..len) as a JSON string body (no quotes) to out (size outsz,
 * NUL-terminated): ", \ and control characters escaped as JSON requires,
 * invalid UTF-8 replaced by U+FFFD. Returns the length written. */
size_t esc_json(char *out, size_t outsz, const char *in, size_t len);

#endif
