/* SPDX-License-Identifier: GPL-2.0-only */
/* secure_env: what a privileged start keeps of the caller's environment.
 *
 * Kept, because the user's own screen needs them and nothing they name is
 * a file:
 *   TERM      the terminal type, a plain name (ncurses looks it up in the
 *             system's terminfo database; a path would be a file of the
 *             caller's choosing);
 *   NO_COLOR  monochrome screen, presence only;
 *   LANG, LC_*  the locale (wide characters on the screen), no '/' in it.
 * Dropped, among everything else:
 *   TERMINFO, TERMINFO_DIRS, TERMCAP: ncurses would read a terminal
 *     description from where they say (it ignores them itself only when
 *     uid != euid, which a file-capability start is not);
 *   TZ, TZDIR: zone files read by glibc;
 *   LOCALDOMAIN, RES_OPTIONS, HOSTALIASES, RESOLV_HOST_CONF: c-ares and
 *     glibc's resolver read them (search domains, options, an alias file);
 *   http_proxy, https_proxy, ALL_PROXY, NO_PROXY, CURL_CA_BUNDLE,
 *     SSL_CERT_FILE, SSL_CERT_DIR, OPENSSL_CONF: libcurl and OpenSSL in
 *     flowtop -u (which runs as the caller anyway, see gu_main);
 *   SUDO_UID, SUDO_GID: trusted only from a real root start (priv_user_ids);
 *   FLOWTOP_TEST_*: the test build's hooks (never installed);
 *   HOME, TMPDIR, PATH, MALLOC_*: nothing here needs them.
 * LD_* and the like the loader already removes. */
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "privsep/secure_env.h"

#define ENV_MAX_KEEP 32

/* A terminal name: letters, digits and . _ + - only, as terminfo names. */
static int env_plain_name(const char *v)
{
	size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyz"
			  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-");

	return n > 0 && n < 64 && v[n] == '\0';
}

int secure_env_keeps(const char *name, const char *value)
{
	if (strcmp(name, "TERM") == 0)
		return env_plain_name(value);
	if (strcmp(name, "NO_COLOR") == 0)
		return 1;
	if (strcmp(name, "LANG") == 0 || strncmp(name, "LC_", 3) == 0)
		return !strchr(value, '/') && strlen(value) < 64;
	return 0;
}

int secure_env_apply(void)
{
	char *keep[ENV_MAX_KEEP];
	size_t n = 0, i;

	if (!getauxval(AT_SECURE))
		return 0;
	for (char **e = environ; e && *e && n < ENV_MAX_KEEP; e++) {
		char *eq = strchr(*e, '=');
		char *name;

		if (!eq || !(name = strndup(*e, (size_t)(eq - *e))))
			continue;
		if (secure_env_keeps(name, eq + 1))
			keep[n++] = *e;
		free(name);
	}
	/* clearenv leaves the strings themselves alone; putenv takes them
	 * back as they are. */
	clearenv();
	for (i = 0; i < n; i++)
		if (putenv(keep[i]) != 0)
			return -1;
	return 0;
}
