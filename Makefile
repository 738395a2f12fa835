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
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man

CFLAGS ?= -O2 -g
WARNINGS := -Wall -Wextra -Werror
NL_CFLAGS = $(shell $(PKG_CONFIG) --cflags libnl-genl-3.0)
NL_LIBS = $(shell $(PKG_CONFIG) --libs libnl-genl-3.0)
JSON_LIBS = $(shell $(PKG_CONFIG) --libs json-c)
CUNIT_LIBS = $(shell $(PKG_CONFIG) --libs cunit)
ALL_CFLAGS = $(WARNINGS) $(CFLAGS) -D_GNU_SOURCE -Ikmod/uapi -Ilibtag/include $(NL_CFLAGS) -MMD -MP

LIB_SRCS := $(wildcard libtag/*.c)
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
	install-module uninstall clean deps check check-all unit static integration bench \
	harness-selftest demo demo-run

all: module lib tools

lib: $(B)/libmemtag.a $(B)/$(SONAME)
tools: $(B)/tagctl
tests: $(B)/tests/unit-tests $(B)/tests/memtag-itest $(B)/tests/memtag-scenario \
	$(B)/tests/memtag-sample-service $(B)/tests/memtag-bench

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -c -o $@ $<


$(B)/libmemtag.a: $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/$(SONAME): $(LIB_OBJS) libtag/libmemtag.map
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=libtag/libmemtag.map \
		$(LDFLAGS) -o $@ $(LIB_OBJS) $(NL_LIBS) -lpthread
	ln -sf $(SONAME) $(B)/libmemtag.so

$(B)/tagctl: $(TOOL_OBJS) $(B)/libmemtag.a
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(JSON_LIBS) -lpthread

# tagctl's pure logic, unit-tested on the host
TOOL_LOGIC_OBJS := $(B)/tools/classes.o $(B)/tools/suppressions.o $(B)/tools/region_view.o

$(B)/tests/unit-tests: $(UNIT_OBJS) $(TOOL_LOGIC_OBJS) $(B)/libmemtag.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(CUNIT_LIBS) -lpthread

$(B)/tests/memtag-itest: $(ITEST_OBJS) $(B)/libmemtag.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(JSON_LIBS) $(CUNIT_LIBS) -lpthread

$(B)/tests/memtag-sample-service: $(B)/tests/demo/sample-service.o $(B)/libmemtag.a
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) -lpthread

$(B)/tests/memtag-bench: $(B)/tests/bench/bench.o $(B)/libmemtag.a
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) -lpthread

$(B)/tests/memtag-scenario: $(SCENARIO_OBJS) $(B)/libmemtag.a
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) -lpthread

$(UNIT_OBJS) $(ITEST_OBJS) $(SCENARIO_OBJS): ALL_CFLAGS += -Ilibtag -Itools
$(B)/tools/monitor.o: ALL_CFLAGS += -Ilibtag

# The module builds out of the source tree, one folder per kernel release, so
# that several kernels (and arches) can be built side by side.
# KDIR defaults to this machine's headers (see tests/setup/kdir.sh).
module:
	$(eval KDIR ?= $(shell tests/setup/kdir.sh $(ARCH)))
	@test -d "$(KDIR)" || { echo "memtag: no kernel build tree; pass KDIR=" >&2; exit 1; }
	$(eval KVER := $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h))
	$(eval MODDIR ?= $(B)/module/$(KVER))
	@mkdir -p $(MODDIR)
	cp -pur Kbuild kmod $(MODDIR)/
	$(MAKE) -C $(KDIR) M=$(abspath $(MODDIR)) modules
	@echo "memtag: built $(MODDIR)/kmod/memtag.ko for $(KVER)"

install: install-lib install-tools install-man install-module

install-lib: lib
	install -D -m 644 $(B)/libmemtag.a $(DESTDIR)$(LIBDIR)/libmemtag.a
	install -D -m 755 $(B)/$(SONAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libmemtag.so
	@mkdir -p $(DESTDIR)$(LIBDIR)/pkgconfig
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@VERSION@|$(VERSION)|' \
		libtag/memtag.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/memtag.pc
	install -D -m 644 libtag/include/memtag.h $(DESTDIR)$(INCLUDEDIR)/memtag.h
	install -D -m 644 kmod/uapi/linux/memtag.h $(DESTDIR)$(INCLUDEDIR)/linux/memtag.h

install-tools: tools
	install -D -m 755 $(B)/tagctl $(DESTDIR)$(SBINDIR)/tagctl

install-man:
	install -D -m 644 Documentation/man/tagctl.8 $(DESTDIR)$(MANDIR)/man8/tagctl.8
	for page in Documentation/man/*.3; do \
		install -D -m 644 $$page $(DESTDIR)$(MANDIR)/man3/$$(basename $$page) || exit 1; \
	done

# Installs into DESTDIR/lib/modules/<release>/extra and runs depmod there.
install-module: module
	install -D -m 644 $(MODDIR)/kmod/memtag.ko $(DESTDIR)/lib/modules/$(KVER)/extra/memtag.ko
	depmod -b "$(if $(DESTDIR),$(abspath $(DESTDIR)),/)" $(KVER)

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libmemtag.a $(DESTDIR)$(LIBDIR)/$(SONAME) \
		$(DESTDIR)$(LIBDIR)/libmemtag.so $(DESTDIR)$(LIBDIR)/pkgconfig/memtag.pc \
		$(DESTDIR)$(INCLUDEDIR)/memtag.h $(DESTDIR)$(INCLUDEDIR)/linux/memtag.h \
		$(DESTDIR)$(SBINDIR)/tagctl $(DESTDIR)$(MANDIR)/man8/tagctl.8 \
		$(DESTDIR)$(MANDIR)/man3/libmemtag.3 $(DESTDIR)$(MANDIR)/man3/tag_alloc.3 \
		$(DESTDIR)$(MANDIR)/man3/tag_region_create.3

clean:
	rm -rf build

deps:
	tests/setup/install-deps.sh

# Packages first: the rest of the build reads pkg-config.
check: deps
	$(MAKE) check-all

check-all: all tests
	$(MAKE) unit
	$(MAKE) static
	$(MAKE) harness-selftest
	$(MAKE) integration

unit: $(B)/tests/unit-tests
	$(B)/tests/unit-tests

static:
	tests/setup/static-checks.sh

integration:
	tests/qemu/run.sh

harness-selftest:
	tests/qemu/harness-selftest.sh

demo: deps
	$(MAKE) demo-run

# Costs measured in a guest (TCG: compare runs with each other, not with hardware).
bench: deps
	$(MAKE) all tests
	tests/qemu/run.sh --script tests/bench/guest-bench.sh x86_64-6.1 arm64-6.1

demo-run:
	tests/qemu/run.sh --demo x86_64-6.1 arm64-6.1

-include $(LIB_OBJS:.o=.d) $(TOOL_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(ITEST_OBJS:.o=.d) \
	$(SCENARIO_OBJS:.o=.d)
