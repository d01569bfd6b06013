/* SPDX-License-Identifier: GPL-2.0-only */
/* iso3166: English short names of ISO 3166-1 alpha-2 country codes. */
#ifndef FLOWTOP_ISO3166_H
#define FLOWTOP_ISO3166_H

/* "GB" -> "United Kingdom"; NULL for an unknown code. Case-sensitive. */
const char *iso3166_name(const char *code);

#endif
