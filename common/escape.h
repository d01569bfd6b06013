/* SPDX-License-Identifier: GPL-2.0-only */
/* escape: make strings from strangers safe for a terminal or for JSON. */
#ifndef FLOWTOP_ESCAPE_H
#define FLOWTOP_ESCAPE_H

#include <stddef.h>

/* Copy in[0..len) to out (size outsz, always NUL-terminated), replacing
 * every byte that is not printable ASCII or part of valid UTF-8 that is not
 * a control character (C0, DEL, C1, ESC) by \xHH. Returns the length written;
 * truncates on whole escapes/characters, never mid-sequence. */
size_t esc_term(char *out, size_t outsz, const char *in, size_t len);

/* Write in[0..len) as a JSON string body (no quotes) to out (size outsz,
 * NUL-terminated): ", \ and control characters escaped as JSON requires,
 * invalid UTF-8 replaced by U+FFFD. Returns the length written. */
size_t esc_json(char *out, size_t outsz, const char *in, size_t len);

#endif
