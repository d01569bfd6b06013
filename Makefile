# SPDX-License-Identifier: GPL-2.0-only
# flowtop: `make` builds, `make check` runs every test, `make run` runs it,
# `make install` installs (PREFIX, DESTDIR honoured).
#
# The usual variables are honoured: CC, CPPFLAGS, CFLAGS, LDFLAGS, LDLIBS
# (added after the project's own). WERROR=1 turns warnings into errors;
# `make check` (and so CI) asks for it, a plain `make` does not, so a
# newer compiler's new warnings do not stop a user's build.

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/flowtop
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# systemd looks for units in /usr/local/lib/systemd/system too.
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
# Where flowtop -u installs GeoIP databases and flowtop looks first.
GEOIPDIR ?= /var/lib/GeoIP
# make install SETUID=1: setuid root instead of file capabilities.
SETUID ?= 0
# make install CONTAINERS=1: CAP_SYS_ADMIN in the file capabilities too,
# which the collector hands on to the namespace helper alone (flowtop-nsdiag:
# containers' new flows asked of their own kernel by exact tuple).
CONTAINERS ?= 0
WERROR ?= 0

ifeq ($(origin CC),default)
CC := gcc
endif
# The fuzz targets need clang with libFuzzer: `clang`, else the newest
# clang-NN on the PATH; CLANG=... picks one.
ifeq ($(origin CLANG),undefined)
CLANG := $(shell command -v clang 2>/dev/null || { IFS=:; for d in $$PATH; do \
	ls "$$d" 2>/dev/null; done; } | sed -n 's/^clang-\([0-9][0-9]*\)$$/\1/p' | \
	sort -n | tail -n 1 | sed 's/^/clang-/')
endif
PKG_CONFIG ?= pkg-config
# make check builds on every core.
NPROC := $(shell nproc 2>/dev/null || echo 1)

# Libraries the product links; tests add cmocka. pkg-config runs once per
# make, here, not once per compile.
PKGS := libnetfilter_conntrack libseccomp libcap-ng libmaxminddb libcares \
	libmnl libcurl zlib openssl ncursesw libfixbuf
pkg_cflags := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
pkg_libs := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm
pkg_ok := $(shell $(PKG_CONFIG) --exists $(PKGS) 2>/dev/null && echo 1)

# Without the libraries, only the targets that install them or need
# nothing built may go on (`make run` and `make check` install them first,
# then build in a second make).
ifneq ($(pkg_ok),1)
ifneq ($(filter-out deps run check clean uninstall,$(or $(MAKECMDGOALS),all)),)
$(error $(or $(shell $(PKG_CONFIG) --print-errors --exists $(PKGS) 2>&1 | head -n 1),\
	$(PKG_CONFIG) failed for $(PKGS)); `make deps` as root installs what is missing)
endif
endif

# VERSION: the version on its first line, the release date (YYYY-MM-DD)
# on its second; the binary and the man page take both from there.
VERSION := $(shell sed -n 1p VERSION 2>/dev/null)
VERSION_DATE := $(shell sed -n 2p VERSION 2>/dev/null)
VERSION := $(or $(VERSION),0.0.0)

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wno-missing-field-initializers
ifeq ($(WERROR),1)
WARN += -Werror
endif
HARDEN := -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE \
	-fstack-clash-protection -fcf-protection
BASE_CFLAGS = -std=gnu11 -g $(WARN) -I. -D_GNU_SOURCE -DFLOWTOP_VERSION='"$(VERSION)"' \
	-DSYSCONFDIR='"$(SYSCONFDIR)/netsniff-ng"' -DGEOIPDIR='"$(GEOIPDIR)"' $(pkg_cflags) \
	$(CPPFLAGS)
CFLAGS ?=
CFLAGS_ALL = $(BASE_CFLAGS) $(HARDEN) $(CFLAGS)
LDHARDEN := -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack
LIBS_ALL = $(pkg_libs) $(LDLIBS)

# Sanitizer build of the unit tests: no FORTIFY (it hides overflows from ASan).
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_CFLAGS = $(BASE_CFLAGS) -O1 $(SAN) $(CFLAGS)

# Layers, bottom up: common < privsep < the roles < main (see
# scripts/check-layers.sh). main/ wires the roles; the rest is a library.
SRC_DIRS := common privsep collector resolver ui geoip-update nsdiag recorder replay baseline \
	ipfix
LIB_SRC := $(wildcard $(addsuffix /*.c,$(SRC_DIRS)))
MAIN_SRC := $(wildcard main/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_HELPERS := $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRC := $(wildcard tests/bench/bench_*.c)

B := build

# The sources that compile the installed paths in are rebuilt when
# SYSCONFDIR or GEOIPDIR change (make install SYSCONFDIR=... after make):
# the stamp is rewritten only when its text differs.
PATH_STAMP := $(B)/paths.stamp
PATH_USERS := common/options.c resolver/files.c geoip-update/plan.c
$(shell mkdir -p $(B) && echo "$(SYSCONFDIR) $(GEOIPDIR)" | \
	cmp -s - $(PATH_STAMP) || echo "$(SYSCONFDIR) $(GEOIPDIR)" >$(PATH_STAMP))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/obj/%.o)
MAIN_OBJ := $(MAIN_SRC:%.c=$(B)/obj/%.o)
TH_OBJ := $(LIB_SRC:%.c=$(B)/th/%.o) $(MAIN_SRC:%.c=$(B)/th/%.o)
SAN_OBJ := $(LIB_SRC:%.c=$(B)/san/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)
SAN_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/unit-san/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(B)/bench/%)

.PHONY: all deps run check check-layers check-build unit fuzz testhooks install uninstall clean bench \
	bench-shortlived bench-containers bench-record bench-alert bench-ipfix

all: flowtop $(B)/flowtop.8

flowtop: $(MAIN_OBJ) $(B)/libflowtop.a
	$(CC) $(LDHARDEN) $(LDFLAGS) -o $@ $^ $(LIBS_ALL)

# The man page as installed: man/flowtop.8 with the version and date from
# VERSION filled in (the tests read man/flowtop.8 itself).
$(B)/flowtop.8: man/flowtop.8 VERSION
	@mkdir -p $(@D)
	sed -e 's/@VERSION@/$(VERSION)/g' -e 's/@DATE@/$(VERSION_DATE)/g' $< >$@

$(B)/libflowtop.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(foreach d,obj th san,$(PATH_USERS:%.c=$(B)/$(d)/%.o)): $(PATH_STAMP)

# Likewise every object when the compiler or its flags change (WERROR=1
# from `make check` after a plain `make`): warnings are then seen anew.
FLAGS_STAMP := $(B)/flags.stamp
$(shell echo "$(CC) $(CFLAGS_ALL)" | cmp -s - $(FLAGS_STAMP) || \
	echo "$(CC) $(CFLAGS_ALL)" >$(FLAGS_STAMP))
$(LIB_OBJ) $(MAIN_OBJ) $(TH_OBJ) $(SAN_OBJ): $(FLAGS_STAMP)

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

# The test-hook build: same code plus FLOWTOP_TEST_HOOKS, which lets the
# end-to-end tests make a role call a forbidden syscall. Never installed.
testhooks: $(B)/flowtop-testhooks
$(B)/flowtop-testhooks: $(TH_OBJ)
	$(CC) $(LDHARDEN) $(LDFLAGS) -o $@ $^ $(LIBS_ALL)
$(B)/th/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -DFLOWTOP_TEST_HOOKS -MMD -MP -c -o $@ $<

$(B)/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) -MMD -MP -c -o $@ $<
$(B)/libflowtop-san.a: $(SAN_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

unit: $(UNIT_BIN) $(SAN_BIN)
$(B)/unit/%: tests/unit/%.c $(UNIT_HELPERS) $(B)/libflowtop.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(LDHARDEN) $(LDFLAGS) -o $@ $< $(UNIT_HELPERS) \
		$(B)/libflowtop.a -lcmocka $(LIBS_ALL)
$(B)/unit-san/%: tests/unit/%.c $(UNIT_HELPERS) $(B)/libflowtop-san.a
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) $(LDFLAGS) -o $@ $< $(UNIT_HELPERS) \
		$(B)/libflowtop-san.a -lcmocka $(LIBS_ALL)

# libFuzzer targets: clang (see CLANG above), the decoder sources compiled
# in directly. CFLAGS are the C compiler's, so they are not passed here.
FUZZ_CFLAGS = -std=gnu11 -g -O1 -I. -D_GNU_SOURCE $(pkg_cflags) $(CPPFLAGS) \
	-fsanitize=fuzzer,address,undefined
fuzz: $(FUZZ_BIN)
$(B)/fuzz/%: tests/fuzz/%.c $(LIB_SRC)
	@[ -n "$(CLANG)" ] || { echo "make: no clang on the PATH for the fuzz" \
		"targets: apt-get install clang, or make CLANG=/path/to/clang" >&2; exit 1; }
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_SRC) $(LIBS_ALL)

deps:
	@scripts/install-deps.sh

# Without clang the fuzz targets are not built: tests/run-all.sh then skips
# them, or fails them with CI=true.
HAVE_CLANG = $(shell command -v $(CLANG) 2>/dev/null)
# The benchmarks are built too (not run): an API change can't leave them
# behind unnoticed.
check-build: flowtop testhooks unit $(if $(HAVE_CLANG),fuzz) $(B)/bench/ctload $(BENCH_BIN)

# The tests build with -Werror: a warning fails `make check` and CI.
check: deps
	@scripts/check-layers.sh
	@scripts/check-layers.sh --self-test
	@$(MAKE) --no-print-directory -j$(NPROC) check-build WERROR=1
	@tests/run-all.sh

# Benchmarks print figures; they are not part of `make check`.
$(B)/bench/%: tests/bench/%.c $(B)/libflowtop.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(LDHARDEN) $(LDFLAGS) -o $@ $< $(B)/libflowtop.a $(LIBS_ALL)

# The conntrack load generator of bench_collector.sh: not a bench_ program
# (not linked with libflowtop.a); it uses libmnl, one of PKGS.
$(B)/bench/ctload: tests/bench/ctload.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(LDHARDEN) $(LDFLAGS) -o $@ $< $(LIBS_ALL)

bench: flowtop testhooks $(BENCH_BIN) $(B)/bench/ctload
	@tests/bench/run.sh

# The short-lived clients and their server (bench_shortlived.sh): plain
# sockets, no library. That benchmark takes about 2 minutes, so it is a
# target of its own rather than a part of `make bench`.
$(B)/bench/shortlived: tests/bench/shortlived.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(LDHARDEN) $(LDFLAGS) -o $@ $<

bench-shortlived: flowtop $(B)/bench/shortlived
	@tests/bench/bench_shortlived.sh

# The same with the clients in a container namespace behind a masquerade:
# with the namespace helper, then without it (the test build).
bench-containers: flowtop $(B)/flowtop-testhooks $(B)/bench/shortlived
	@BENCH_CONTAINER=1 tests/bench/bench_shortlived.sh
	@BENCH_CONTAINER=1 BENCH_NO_NSDIAG=1 tests/bench/bench_shortlived.sh

# What --alert costs the ui under 1,000 new flows a second of short-lived
# processes: the CPU part of bench-shortlived without it, then with it.
bench-alert: flowtop $(B)/bench/shortlived
	@BENCH_HOLDS= tests/bench/bench_shortlived.sh
	@BENCH_HOLDS= BENCH_ALERT=1 tests/bench/bench_shortlived.sh

# What --record costs on a table of 200k flows, idle and under churn.
bench-record: flowtop $(B)/bench/ctload
	@tests/bench/bench_record.sh

# How many IPFIX records a second --ipfix delivers to a local nfcapd, in a
# burst of 200k and under 100k/s churn, and whether any is lost.
bench-ipfix: flowtop $(B)/bench/ctload
	@tests/bench/bench_ipfix.sh

run: deps
	@$(MAKE) --no-print-directory flowtop
	@if [ "$$(id -u)" = 0 ]; then ./flowtop --conf-dir $(CURDIR)/conf $(ARGS); \
	else sudo ./flowtop --conf-dir $(CURDIR)/conf $(ARGS); fi

comma := ,
# Permitted set only: the collector raises what it needs and drops the rest.
FILECAPS := cap_net_admin,cap_sys_ptrace,cap_dac_read_search,cap_setuid,cap_setgid,cap_sys_chroot$(if $(filter 1,$(CONTAINERS)),$(comma)cap_sys_admin)+p

INSTALL_ENV = DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' BINDIR='$(BINDIR)' \
	MANDIR='$(MANDIR)' DATADIR='$(DATADIR)' BASHCOMPDIR='$(BASHCOMPDIR)' \
	UNITDIR='$(UNITDIR)' SYSCONFDIR='$(SYSCONFDIR)' GEOIPDIR='$(GEOIPDIR)' \
	SETUID='$(SETUID)' FILECAPS='$(FILECAPS)' GROUP='$(GROUP)'

# The group whose members may run the installed binary (root:GROUP, 0750):
# flowtop, made by install when missing, or an existing group named on the
# command line (`make install GROUP=adm`), never taken from the environment.
ifneq ($(origin GROUP),command line)
GROUP := flowtop
endif

# scripts/install.sh keeps a manifest of what it creates, so that
# uninstall removes that and nothing else: the binary, the man page, the
# bash completion, the systemd units of `flowtop -u` (installed, not
# enabled), the config files, the GeoIP directory, the system user and
# the group flowtop.
install: flowtop $(B)/flowtop.8
	@$(INSTALL_ENV) scripts/install.sh install

uninstall:
	@$(INSTALL_ENV) scripts/install.sh uninstall

clean:
	rm -rf $(B) flowtop

-include $(shell find $(B) -name '*.d' 2>/dev/null)
