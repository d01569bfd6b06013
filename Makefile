# flowtop: `make` builds, `make check` runs every test, `make run` runs it,
# `make install` installs (PREFIX, DESTDIR honoured).

PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/flowtop
SYSCONFDIR ?= /etc
# Where flowtop -u installs GeoIP databases and flowtop looks first.
GEOIPDIR ?= /var/lib/GeoIP
# make install SETUID=1: setuid root instead of file capabilities.
SETUID ?= 0

ifeq ($(origin CC),default)
CC := gcc
endif
CLANG ?= clang-14
PKG_CONFIG ?= pkg-config

# Libraries the product links; tests add cmocka.
PKGS := libnetfilter_conntrack libseccomp libcap-ng libmaxminddb libcares \
	libmnl libcurl zlib openssl ncursesw
pkg_cflags = $(shell $(PKG_CONFIG) --cflags $(PKGS))
pkg_libs = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lm

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

WARN := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wno-missing-field-initializers
HARDEN := -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE \
	-fstack-clash-protection -fcf-protection
BASE_CFLAGS = -std=gnu11 -g $(WARN) -I. -D_GNU_SOURCE -DFLOWTOP_VERSION='"$(VERSION)"' \
	-DSYSCONFDIR='"$(SYSCONFDIR)/netsniff-ng"' -DGEOIPDIR='"$(GEOIPDIR)"' $(pkg_cflags)
CFLAGS ?=
CFLAGS_ALL = $(BASE_CFLAGS) $(HARDEN) $(CFLAGS)
LDHARDEN := -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack

# Sanitizer build of the unit tests: no FORTIFY (it hides overflows from ASan).
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_CFLAGS = $(BASE_CFLAGS) -O1 $(SAN) $(CFLAGS)

ROLE_DIRS := privsep collector resolver ui geoip-update
LIB_SRC := $(filter-out privsep/main.c,$(wildcard $(addsuffix /*.c,$(ROLE_DIRS))))
MAIN_SRC := privsep/main.c
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_HELPERS := $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRC := $(wildcard tests/bench/bench_*.c)

B := build

# The sources that compile the installed paths in are rebuilt when
# SYSCONFDIR or GEOIPDIR change (make install SYSCONFDIR=... after make):
# the stamp is rewritten only when its text differs.
PATH_STAMP := $(B)/paths.stamp
PATH_USERS := privsep/options.c resolver/resolver.c geoip-update/plan.c
$(shell mkdir -p $(B) && echo "$(SYSCONFDIR) $(GEOIPDIR)" | \
	cmp -s - $(PATH_STAMP) || echo "$(SYSCONFDIR) $(GEOIPDIR)" >$(PATH_STAMP))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/obj/%.o)
TH_OBJ := $(LIB_SRC:%.c=$(B)/th/%.o) $(MAIN_SRC:%.c=$(B)/th/%.o)
SAN_OBJ := $(LIB_SRC:%.c=$(B)/san/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)
SAN_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/unit-san/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(B)/bench/%)

.PHONY: all deps run check check-build unit fuzz testhooks install uninstall clean bench

all: flowtop

flowtop: $(B)/obj/privsep/main.o $(B)/libflowtop.a
	$(CC) $(LDHARDEN) -o $@ $^ $(pkg_libs) $(LDFLAGS)

$(B)/libflowtop.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(foreach d,obj th san,$(PATH_USERS:%.c=$(B)/$(d)/%.o)): $(PATH_STAMP)

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

# The test-hook build: same code plus FLOWTOP_TEST_HOOKS, which lets the
# end-to-end tests make a role call a forbidden syscall. Never installed.
testhooks: $(B)/flowtop-testhooks
$(B)/flowtop-testhooks: $(TH_OBJ)
	$(CC) $(LDHARDEN) -o $@ $^ $(pkg_libs) $(LDFLAGS)
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
	$(CC) $(CFLAGS_ALL) $(LDHARDEN) -o $@ $< $(UNIT_HELPERS) $(B)/libflowtop.a \
		$(pkg_libs) -lcmocka $(LDFLAGS)
$(B)/unit-san/%: tests/unit/%.c $(UNIT_HELPERS) $(B)/libflowtop-san.a
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) -o $@ $< $(UNIT_HELPERS) $(B)/libflowtop-san.a \
		$(pkg_libs) -lcmocka $(LDFLAGS)

# libFuzzer targets: clang, the decoder sources compiled in directly.
FUZZ_CFLAGS = -std=gnu11 -g -O1 -I. -D_GNU_SOURCE $(pkg_cflags) -fsanitize=fuzzer,address,undefined
fuzz: $(FUZZ_BIN)
$(B)/fuzz/%: tests/fuzz/%.c $(LIB_SRC)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRC) $(pkg_libs)

deps:
	@scripts/install-deps.sh

# Without clang the fuzz targets are not built: tests/run-all.sh then skips
# them, or fails them with CI=true.
HAVE_CLANG = $(shell command -v $(CLANG) 2>/dev/null)
check-build: flowtop testhooks unit $(if $(HAVE_CLANG),fuzz) $(B)/bench/ctload

check: deps
	@$(MAKE) --no-print-directory check-build
	@tests/run-all.sh

# Benchmarks print figures; they are not part of `make check`.
$(B)/bench/%: tests/bench/%.c $(B)/libflowtop.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(LDHARDEN) -o $@ $< $(B)/libflowtop.a $(pkg_libs) $(LDFLAGS)

# The conntrack load generator of bench_collector.sh: not a bench_ program
# (not linked with libflowtop.a); it needs libmnl besides the product's libs.
$(B)/bench/ctload: tests/bench/ctload.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(shell $(PKG_CONFIG) --cflags libmnl) $(LDHARDEN) -o $@ $< \
		$(pkg_libs) $(shell $(PKG_CONFIG) --libs libmnl) $(LDFLAGS)

bench: flowtop testhooks $(BENCH_BIN) $(B)/bench/ctload
	@tests/bench/run.sh

run: deps
	@$(MAKE) --no-print-directory flowtop
	@if [ "$$(id -u)" = 0 ]; then ./flowtop --conf-dir $(CURDIR)/conf $(ARGS); \
	else sudo ./flowtop --conf-dir $(CURDIR)/conf $(ARGS); fi

# Permitted set only: the collector raises what it needs and drops the rest.
FILECAPS := cap_net_admin,cap_sys_ptrace,cap_dac_read_search,cap_setuid,cap_setgid,cap_sys_chroot+p

INSTALL_ENV = DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' SBINDIR='$(SBINDIR)' \
	MANDIR='$(MANDIR)' DATADIR='$(DATADIR)' SYSCONFDIR='$(SYSCONFDIR)' \
	GEOIPDIR='$(GEOIPDIR)' SETUID='$(SETUID)' FILECAPS='$(FILECAPS)'

# scripts/install.sh keeps a manifest of what it creates, so that
# uninstall removes that and nothing else.
install: flowtop
	@$(INSTALL_ENV) scripts/install.sh install

uninstall:
	@$(INSTALL_ENV) scripts/install.sh uninstall

clean:
	rm -rf $(B) flowtop

-include $(shell find $(B) -name '*.d' 2>/dev/null)
