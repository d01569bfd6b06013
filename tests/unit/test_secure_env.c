/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for privsep/secure_env.c: what a privileged start keeps of
 * the caller's environment. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "privsep/secure_env.h"

static void test_screen_vars_kept(void **state)
{
	(void)state;
	assert_true(secure_env_keeps("TERM", "xterm-256color"));
	assert_true(secure_env_keeps("TERM", "screen.xterm+x"));
	assert_true(secure_env_keeps("NO_COLOR", ""));
	assert_true(secure_env_keeps("LANG", "C.UTF-8"));
	assert_true(secure_env_keeps("LC_ALL", "en_GB.UTF-8"));
}

static void test_paths_and_steering_dropped(void **state)
{
	static const char *const dropped[][2] = {
		{ "TERM", "../../root/x" }, { "TERM", "/tmp/t" }, { "TERM", "" },
		{ "LANG", "/tmp/locale" }, { "TERMINFO", "/tmp" },
		{ "TERMINFO_DIRS", "/tmp" }, { "TERMCAP", "x" }, { "TZ", ":/etc/shadow" },
		{ "LOCALDOMAIN", "evil" }, { "RES_OPTIONS", "ndots:9" },
		{ "HOSTALIASES", "/etc/shadow" }, { "https_proxy", "http://x" },
		{ "CURL_CA_BUNDLE", "/x" }, { "SSL_CERT_FILE", "/x" },
		{ "OPENSSL_CONF", "/x" }, { "SUDO_UID", "0" },
		{ "FLOWTOP_TEST_SECCOMP", "ui" }, { "HOME", "/root" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++) {
		if (secure_env_keeps(dropped[i][0], dropped[i][1]))
			print_error("kept %s=%s\n", dropped[i][0], dropped[i][1]);
		assert_false(secure_env_keeps(dropped[i][0], dropped[i][1]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_screen_vars_kept),
		cmocka_unit_test(test_paths_and_steering_dropped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
