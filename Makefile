# SPDX-License-Identifier: GPL-2.0
# memtag: kernel module, libmemtag and tagctl.
#   make                 build everything for this machine
#   make ARCH=arm64      cross-build everything for arm64
#   make check           install what is missing, build, run every test
#   make demo            boot a guest, load the module, show tagctl status

VERSION := $(shell sed -n 's/^\#define MEMTAG_VERSION "\(.*\)"/\1/p' kmod/version.h)
HOSTARCH := $(shell uname -m | sed -e 's/aarch64/arm64/')
ARCH ?= $(HOSTARCH)
export ARCH

# An outer make (make check) exports its own ARCH and CROSS_COMPILE: decide
# from ARCH alone, so that a nested 'make ARCH=arm64' still cross-compiles.
ifeq ($(ARCH),$(HOSTARCH))
PKG_CONFIG := pkg-config
CROSS_COMPILE :=
else ifeq ($(ARCH),arm64)
CROSS_COMPILE := aarch64-linux-gnu-
PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig pkg-config
else
$(error ARCH=$(ARCH) is not supported: use x86_64 or arm64)
endif
export CROSS_COMPILE
ifeq ($(origin CC),default)
CC := $(CROSS_COMPILE)gcc
endif
ifeq ($(origin AR),default)
AR := $(CROSS_COMPILE)ar
endif

B := build/$(ARCH)
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
# /usr/lib/modules-load.d whatever PREFIX is: systemd reads only there and /etc
MODULESLOADDIR ?= /usr/lib/modules-load.d
# the module's source for DKMS, as Debian's *-dkms packages lay it out
DKMS_SRCDIR ?= /usr/src/memtag-$(VERSION)
# (un)install-module: one kernel release, or every one that has the module
MODULE_RELEASES = $(if $(KVER),$(KVER),$(notdir $(wildcard $(DESTDIR)/lib/modules/*)))

CFLAGS ?= -O2 -g
# -Werror only in the project's own checks (check-all sets WERROR=1; "=", not
# ":=", so that the target-specific value reaches the recipes), so
# that a distribution's newer compiler does not fail the build on a new warning.
WERROR ?=
WARNINGS = -Wall -Wextra $(if $(filter 1 y yes,$(WERROR)),-Werror)
NL_CFLAGS = $(shell $(PKG_CONFIG) --cflags libnl-genl-3.0)
NL_LIBS = $(shell $(PKG_CONFIG) --libs libnl-genl-3.0)
JSON_LIBS = $(shell $(PKG_CONFIG) --libs json-c)
CUNIT_LIBS = $(shell $(PKG_CONFIG) --libs cunit)
DW_LIBS = $(shell $(PKG_CONFIG) --libs libdw)
PB_LIBS = $(shell $(PKG_CONFIG) --libs libprotobuf-c zlib)
NCURSES_CFLAGS = $(shell $(PKG_CONFIG) --cflags ncurses)
NCURSES_LIBS = $(shell $(PKG_CONFIG) --libs ncurses)
ALL_CFLAGS = $(WARNINGS) $(CPPFLAGS) $(CFLAGS) -D_GNU_SOURCE -Ikmod/uapi -Ilibtag/include $(NL_CFLAGS) -MMD -MP

LIB_SRCS := $(wildcard libtag/alloc/*.c libtag/client/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
TOOL_SRCS := $(wildcard tools/*.c)
TOOL_OBJS := $(TOOL_SRCS:%.c=$(B)/%.o)
COMMON_TEST_SRCS := $(wildcard tests/common/*.c)
UNIT_SRCS := $(wildcard tests/unit/*.c) $(COMMON_TEST_SRCS)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(B)/%.o)
ITEST_SRCS := $(wildcard tests/integration/test_*.c) $(COMMON_TEST_SRCS)
SCENARIO_OBJS := $(B)/tests/integration/scenario.o
ITEST_OBJS := $(ITEST_SRCS:%.c=$(B)/%.o)
SONAME := libmemtag.so.0

.PHONY: all lib tools module tests install install-lib install-tools install-man \
	install-module install-dkms uninstall uninstall-module clean deps check check-all unit \
	static integration bench stress harness-selftest demo demo-run deb package-check no-module

all: lib tools

lib: $(B)/libmemtag.a $(B)/$(SONAME)
tools: $(B)/tagctl
tests: $(B)/tests/unit-tests $(B)/tests/memtag-itest $(B)/tests/memtag-scenario \
	$(B)/tests/memtag-sample-service $(B)/tests/memtag-bench $(B)/tests/memtag-fastpath

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -c -o $@ $<


$(B)/libmemtag.a: $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/$(SONAME): $(LIB_OBJS) libtag/libmemtag.map
	$(CC) $(CFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=libtag/libmemtag.map \
		$(LDFLAGS) -o $@ $(LIB_OBJS) $(NL_LIBS) -lpthread
	ln -sf $(SONAME) $(B)/libmemtag.so

$(B)/tagctl: $(TOOL_OBJS) $(B)/libmemtag.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(JSON_LIBS) $(DW_LIBS) $(PB_LIBS) $(NCURSES_LIBS) -lpthread

# tagctl export's pure logic, with pprof's profile.proto compiled by protoc-c
PPROF_PROTO := /usr/share/gocode/src/github.com/google/pprof/proto/profile.proto
PB_DIR := $(B)/gen
PB_OBJ := $(PB_DIR)/profile.pb-c.o
EXPORT_LOGIC_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard tools/export_*.c)) $(PB_OBJ)

# tagctl's pure logic, unit-tested on the host
TOOL_LOGIC_OBJS := $(B)/tools/classes.o $(B)/tools/suppressions.o $(B)/tools/region_view.o \
	$(B)/tools/symbolize.o $(B)/tools/leak_groups.o $(B)/tools/leak_report.o \
	$(B)/tools/scan_index.o $(B)/tools/text.o $(B)/tools/opts.o $(B)/tools/units.o

$(B)/tests/unit-tests: $(UNIT_OBJS) $(TOOL_LOGIC_OBJS) $(EXPORT_LOGIC_OBJS) $(B)/libmemtag.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(JSON_LIBS) $(DW_LIBS) $(PB_LIBS) $(CUNIT_LIBS) -lpthread

# tagctl export --format pprof: C code for pprof's profile.proto (Debian's
# golang-github-google-pprof-dev), generated by protoc-c into the build folder.
$(PB_DIR)/profile.pb-c.c $(PB_DIR)/profile.pb-c.h &: $(PPROF_PROTO)
	@mkdir -p $(PB_DIR)
	protoc-c --c_out=$(PB_DIR) --proto_path=$(dir $(PPROF_PROTO)) $(PPROF_PROTO)

$(PB_OBJ): $(PB_DIR)/profile.pb-c.c
	$(CC) $(ALL_CFLAGS) -I$(PB_DIR) -fPIC -c -o $@ $<

$(B)/tools/export_pprof.o $(B)/tests/unit/test_export.o: $(PB_DIR)/profile.pb-c.h
$(B)/tools/export_pprof.o $(B)/tests/unit/test_export.o: ALL_CFLAGS += -I$(PB_DIR)
$(B)/tagctl: $(PB_OBJ)

# An independent reader of the pprof export, with pprof's own Go package:
# static, built offline from Debian's Go sources, for the host and the guests.
GOARCH_x86_64 := amd64
GOARCH_arm64 := arm64
tests unit: $(B)/tests/memtag-pprof-read
$(B)/tests/memtag-pprof-read: tests/tools/pprof-read/main.go
	@mkdir -p $(dir $@)
	cd tests/tools/pprof-read && GO111MODULE=off GOPATH=/usr/share/gocode GOENV=off \
		GOCACHE=$(abspath $(B))/go-cache CGO_ENABLED=0 GOARCH=$(GOARCH_$(ARCH)) \
		go build -trimpath -o $(abspath $@) .

$(B)/tests/memtag-itest: $(ITEST_OBJS) $(B)/libmemtag.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(JSON_LIBS) $(CUNIT_LIBS) -lpthread

$(B)/tests/memtag-sample-service: $(B)/tests/demo/sample-service.o $(B)/libmemtag.a
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) -lpthread

# The request loop's contenders are linked in statically: talloc, APR (and
# the uuid library it needs) and Lua 5.4 from Debian's -dev packages. libapr1-dev is not
# multiarch: a cross build takes its copy unpacked in the cache
# (tests/setup/foreign-dev.sh). --wrap counts libmemtag's MTE tag calls.
BENCH_OBJS := $(B)/tests/bench/bench.o $(B)/tests/bench/contenders.o $(B)/tests/bench/lua.o
MEMTAG_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/memtag
TRIPLET := $(if $(filter arm64,$(ARCH)),aarch64,x86_64)-linux-gnu
APR_DIR := $(if $(filter $(HOSTARCH),$(ARCH)),,$(MEMTAG_CACHE)/foreign/$(ARCH))
APR_A := $(APR_DIR)/usr/lib/$(TRIPLET)/libapr-1.a
BENCH_WRAP := -Wl,--wrap=tag_mte_tag_new -Wl,--wrap=tag_mte_set

$(MEMTAG_CACHE)/foreign/$(ARCH)/usr/lib/$(TRIPLET)/libapr-1.a:
	MEMTAG_CACHE=$(MEMTAG_CACHE) tests/setup/foreign-dev.sh $(ARCH) >/dev/null

$(B)/tests/bench/contenders.o: ALL_CFLAGS += -DLINUX -D_REENTRANT -I$(APR_DIR)/usr/include/apr-1.0
$(B)/tests/bench/contenders.o: | $(APR_A)
$(B)/tests/bench/lua.o: ALL_CFLAGS += -I/usr/include/lua5.4
$(B)/tests/bench/bench.o: ALL_CFLAGS += -Ilibtag/alloc -Ilibtag/client

$(B)/tests/memtag-bench: $(BENCH_OBJS) $(B)/libmemtag.a $(APR_A)
	$(CC) $(LDFLAGS) $(BENCH_WRAP) -o $@ $(BENCH_OBJS) $(B)/libmemtag.a -l:libtalloc.a \
		$(APR_A) -l:libuuid.a -l:liblua5.4.a $(NL_LIBS) -lpthread -lm

# The fast path under callgrind, on the host: anonymous memory, no module.
$(B)/tests/memtag-fastpath: $(B)/tests/bench/fastpath.o $(B)/libmemtag.a
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) -lpthread
# each of its call sites must stay a call of its own
$(B)/tests/bench/fastpath.o: ALL_CFLAGS += -Ilibtag/alloc -Ilibtag/client -fno-crossjumping -fno-optimize-sibling-calls

$(B)/tests/memtag-scenario: $(SCENARIO_OBJS) $(B)/libmemtag.a
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) -lpthread

$(UNIT_OBJS) $(ITEST_OBJS) $(SCENARIO_OBJS): ALL_CFLAGS += -Ilibtag/alloc -Ilibtag/client -Itools
$(B)/tools/monitor.o: ALL_CFLAGS += -Ilibtag/client
$(B)/tools/top.o: ALL_CFLAGS += $(NCURSES_CFLAGS)

# The module builds out of the source tree, one folder per kernel release, so
# that several kernels (and arches) can be built side by side.
# KDIR defaults to this machine's headers (see tests/setup/kdir.sh). Without
# headers (and without KDIR) 'make' builds libmemtag and tagctl and says how
# to get the module; 'make module' and 'make install-module' fail.
NO_KDIR_HELP := memtag: no kernel headers for $(shell uname -r): the module is not built. \
	Install linux-headers-$(shell uname -r) and run make again, pass KDIR=/path/to/kernel/build, \
	or install the memtag-dkms package (make deb), which builds it for every kernel.
MODULE_GOAL = $(if $(or $(KDIR),$(filter-out $(HOSTARCH),$(ARCH)),$(shell tests/setup/kdir.sh --installed $(ARCH))),$(1),no-module)
all: $(call MODULE_GOAL,module)
no-module:
	@echo "$(NO_KDIR_HELP)" | tr -s '\t ' ' ' >&2

module:
	$(eval KDIR ?= $(shell tests/setup/kdir.sh $(ARCH)))
	@test -d "$(KDIR)" || { echo "memtag: no kernel build tree; pass KDIR=" >&2; exit 1; }
	$(eval KVER := $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h))
	$(eval MODDIR ?= $(B)/module/$(KVER))
	@mkdir -p $(MODDIR)
	cp -pur Kbuild kmod $(MODDIR)/
	$(MAKE) -C $(KDIR) M=$(abspath $(MODDIR)) modules
	@echo "memtag: built $(MODDIR)/kmod/memtag.ko for $(KVER)"

# The module too when there are kernel headers (install-dkms: every kernel).
install: install-lib install-tools install-man $(call MODULE_GOAL,install-module)

# ldconfig only on this machine: a DESTDIR is a staging root (package, guest).
install-lib: lib
	install -D -m 644 $(B)/libmemtag.a $(DESTDIR)$(LIBDIR)/libmemtag.a
	install -D -m 644 $(B)/$(SONAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libmemtag.so
	@mkdir -p $(DESTDIR)$(LIBDIR)/pkgconfig
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@VERSION@|$(VERSION)|' \
		libtag/memtag.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/memtag.pc
	chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/memtag.pc
	install -D -m 644 libtag/include/memtag.h $(DESTDIR)$(INCLUDEDIR)/memtag/memtag.h
	install -D -m 644 kmod/uapi/linux/memtag.h $(DESTDIR)$(INCLUDEDIR)/memtag/linux/memtag.h
	$(if $(DESTDIR),,ldconfig)

install-tools: tools
	install -D -m 755 $(B)/tagctl $(DESTDIR)$(BINDIR)/tagctl
	install -D -m 644 tools/tagctl.bash-completion $(DESTDIR)$(DATADIR)/bash-completion/completions/tagctl

# Every name in a page's NAME section gets a .so link (man tag_free).
install-man:
	install -D -m 644 Documentation/man/tagctl.8 $(DESTDIR)$(MANDIR)/man8/tagctl.8
	for page in Documentation/man/*.3; do \
		install -D -m 644 $$page $(DESTDIR)$(MANDIR)/man3/$$(basename $$page) || exit 1; \
	done
	Documentation/man/links.sh Documentation/man/*.3 | while read -r link page; do \
		echo ".so man3/$$page" >$(DESTDIR)$(MANDIR)/man3/$$link || exit 1; \
	done

# Installs into DESTDIR/lib/modules/<release>/extra and runs depmod there.
install-module: module
	install -D -m 644 $(MODDIR)/kmod/memtag.ko $(DESTDIR)/lib/modules/$(KVER)/extra/memtag.ko
	depmod -b "$(if $(DESTDIR),$(abspath $(DESTDIR)),/)" $(KVER)

# The module's source where DKMS looks for it, and the boot-time autoload;
# without DESTDIR, also registered with DKMS and built for this kernel.
DKMS_FILES := Kbuild $(wildcard kmod/*.c kmod/*.h kmod/Kbuild kmod/uapi/linux/*.h)
install-dkms:
	for f in $(DKMS_FILES); do install -D -m 644 $$f $(DESTDIR)$(DKMS_SRCDIR)/$$f || exit 1; done
	sed 's|@VERSION@|$(VERSION)|' dkms.conf >$(DESTDIR)$(DKMS_SRCDIR)/dkms.conf
	chmod 644 $(DESTDIR)$(DKMS_SRCDIR)/dkms.conf
	install -D -m 644 kmod/memtag-modules-load.conf $(DESTDIR)$(MODULESLOADDIR)/memtag.conf
	$(if $(DESTDIR),,dkms install memtag/$(VERSION))

# Everything install, install-module and install-dkms put there.
uninstall: uninstall-module
	rm -f $(DESTDIR)$(LIBDIR)/libmemtag.a $(DESTDIR)$(LIBDIR)/$(SONAME) \
		$(DESTDIR)$(LIBDIR)/libmemtag.so $(DESTDIR)$(LIBDIR)/pkgconfig/memtag.pc \
		$(DESTDIR)$(INCLUDEDIR)/memtag/memtag.h $(DESTDIR)$(INCLUDEDIR)/memtag/linux/memtag.h \
		$(DESTDIR)$(BINDIR)/tagctl $(DESTDIR)$(DATADIR)/bash-completion/completions/tagctl \
		$(DESTDIR)$(MANDIR)/man8/tagctl.8 \
		$(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(wildcard Documentation/man/*.3)) \
			$(shell Documentation/man/links.sh Documentation/man/*.3 | cut -d' ' -f1)) \
		$(DESTDIR)$(MODULESLOADDIR)/memtag.conf
	-rmdir $(DESTDIR)$(INCLUDEDIR)/memtag/linux $(DESTDIR)$(INCLUDEDIR)/memtag 2>/dev/null
	$(if $(DESTDIR),,ldconfig)

# The module of every release (or KVER=) and the DKMS source.
uninstall-module:
	$(if $(DESTDIR),,-test ! -d /var/lib/dkms/memtag/$(VERSION) || dkms remove memtag/$(VERSION) --all)
	rm -rf $(DESTDIR)$(DKMS_SRCDIR)
	for r in $(MODULE_RELEASES); do \
		test -e $(DESTDIR)/lib/modules/$$r/extra/memtag.ko || continue; \
		rm -f $(DESTDIR)/lib/modules/$$r/extra/memtag.ko; \
		$(if $(DESTDIR),find $(DESTDIR)/lib/modules/$$r -name '*.ko*' | grep -q . || \
			{ rm -f $(DESTDIR)/lib/modules/$$r/modules.*; \
			  rmdir $(DESTDIR)/lib/modules/$$r/extra $(DESTDIR)/lib/modules/$$r; continue; };) \
		depmod -b "$(if $(DESTDIR),$(abspath $(DESTDIR)),/)" $$r || exit 1; \
	done

# Debian packages (debian/), built from a copy of the tree in build/deb so
# that dpkg-buildpackage writes nothing beside the tree; .debs in build/deb.
DEB_DIR := build/deb
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	tar --exclude=./build --exclude=./.git --exclude='./.*' -cf - . | tar -C $(DEB_DIR)/src -xf -
	cd $(DEB_DIR)/src && dpkg-buildpackage -b -us -uc --no-sign
	@ls $(DEB_DIR)/*.deb

# The packages, lintian, DKMS's build of the installed source, a guest on it.
package-check:
	tests/package/check.sh

clean:
	rm -rf build

deps:
	tests/setup/install-deps.sh

# Packages first: the rest of the build reads pkg-config.
check: deps
	$(MAKE) check-all

check-all: export WERROR := 1
check-all: all tests
	$(MAKE) unit
	$(MAKE) static
	$(MAKE) harness-selftest
	$(MAKE) package-check
	$(MAKE) integration

# and the fast path's costs do not grow with segments, frees or sites (callgrind)
unit: $(B)/tests/unit-tests $(B)/tests/memtag-fastpath $(B)/tests/memtag-threads $(B)/tagctl
	MEMTAG_TAGCTL=$(B)/tagctl $(B)/tests/unit-tests
	tests/bench/fastpath.sh $(B)/tests/memtag-fastpath --check
	$(B)/tests/memtag-threads

# The allocator under ThreadSanitizer, on the host: a race exits 66.
$(B)/tests/memtag-threads: tests/tsan/threads.c $(LIB_SRCS) $(wildcard libtag/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(WARNINGS) -O1 -g -fsanitize=thread -D_GNU_SOURCE -Ikmod/uapi -Ilibtag/include \
		-Ilibtag/alloc $(NL_CFLAGS) -o $@ tests/tsan/threads.c $(LIB_SRCS) $(NL_LIBS) -lpthread

static:
	tests/setup/static-checks.sh

integration:
	tests/qemu/run.sh

harness-selftest:
	tests/qemu/harness-selftest.sh

demo: deps
	$(MAKE) demo-run

# Costs measured in guests (TCG: compare runs with each other, not with
# hardware) and the fast path's instructions on the host (callgrind).
# See Documentation/performance.md.
bench: deps
	$(MAKE) all tests
	tests/bench/fastpath.sh $(B)/tests/memtag-fastpath
	MEMTAG_GUEST_CPUS=4 MEMTAG_GUEST_TIMEOUT=600 \
		tests/qemu/run.sh --script tests/bench/guest-bench.sh x86_64-6.1 arm64-6.1

# Long, not in make check: the fuzzers at 10 times their size (1,000,000
# netlink messages), 10,000 owners killed holding regions, 8 workers against
# 2 dumpers; on the debug kernel. See Documentation/testing.md.
STRESS_TARGETS ?= x86_64-debug
stress: deps
	$(MAKE) all tests
	MEMTAG_GUEST_TIMEOUT=5400 tests/qemu/run.sh --script tests/stress/guest-stress.sh $(STRESS_TARGETS)

demo-run:
	tests/qemu/run.sh --demo x86_64-6.1 arm64-6.1

-include $(LIB_OBJS:.o=.d) $(TOOL_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(ITEST_OBJS:.o=.d) \
	$(SCENARIO_OBJS:.o=.d) $(BENCH_OBJS:.o=.d) $(B)/tests/bench/fastpath.d
