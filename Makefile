# SPDX-License-Identifier: GPL-2.0
# VexFS top-level Makefile.
#
#   make                 vexfs.ko for KDIR (default: the running kernel) + userspace
#   make KVER=6.1        vexfs.ko against Debian bookworm's 6.1 headers (downloaded, cached)
#   make KVER=6.12       ... 6.12 headers
#   make KVER=kunit      ... the KUnit kernel (built from linux-source-6.12, cached)
#   make user            userspace programs, native tests and benchmarks only
#   make tools           mkfs.vexfs, fsck.vexfs and vexctl only
#   make check           every test: native, KUnit, VM on 6.1 and 6.12 (closing line "N passed, N failed")
#   make lint            checkpatch, sparse, W=1
#   make demo            build everything and run the demo (in a VM when modules cannot be loaded here)
#   make install         tools to $(SBINDIR), the ioctl header to $(INCLUDEDIR)/vexfs, man pages,
#                        the Python package to $(PYTHONDIR); PREFIX (/usr/local) and DESTDIR apply
#   make modules_install vexfs.ko into $(DESTDIR)/lib/modules/<kernel>/updates (KDIR/KVER as for make)

TOP := $(CURDIR)
CC ?= gcc
CFLAGS ?= -O2 -g
USER_CFLAGS := $(CFLAGS) -std=gnu11 -Wall -Wextra -Werror=implicit-function-declaration \
	-Wno-unused-parameter -Iinclude -Isrc -Itools/lib -D_GNU_SOURCE -fno-strict-aliasing
USER_LIBS := $(LDFLAGS) -lext2fs -lcom_err -lblkid -luuid -lm

B := build/user
CORE_SRCS := $(sort $(wildcard src/core/*.c))
ULIB_SRCS := $(sort $(wildcard tools/lib/*.c))
LIB_OBJS := $(patsubst %.c,$(B)/%.o,$(CORE_SRCS) $(ULIB_SRCS))
LIB := $(B)/libvexfs.a

PROGS := $(B)/mkfs.vexfs $(B)/fsck.vexfs $(B)/vexctl
PROG_SRC_mkfs.vexfs := mkfs/mkfs.c
PROG_SRC_fsck.vexfs := mkfs/fsck.c
PROG_SRC_vexctl := tools/vexctl.c
PROGS := $(foreach p,$(PROGS),$(if $(wildcard $(PROG_SRC_$(notdir $(p)))),$(p)))

UTESTS := $(patsubst tests/user/%.c,$(B)/tests/%,$(sort $(wildcard tests/user/test_*.c)))
VMPROGS := $(patsubst tests/vm/%.c,$(B)/vm/%,$(sort $(wildcard tests/vm/*.c))) \
	$(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(sort $(wildcard tests/fuzz/*.c)))
BENCHES := $(patsubst bench/%.c,$(B)/bench/%,$(sort $(wildcard bench/*.c)))

HDRS := $(wildcard include/vexfs/*.h src/core/*.h tools/lib/*.h tests/user/*.h)

# Which kernel the module is built for.
ifeq ($(KVER),)
KDIR ?= /lib/modules/$(shell uname -r)/build
KNAME := host
else ifeq ($(KVER),kunit)
KDIR := $(shell scripts/kunit-kernel.sh)
KNAME := kunit
else
KDIR := $(shell scripts/fetch-kernel.sh $(KVER) | cut -d' ' -f2)/lib/modules/$(shell scripts/fetch-kernel.sh $(KVER) | cut -d' ' -f1)/build
KNAME := $(KVER)
endif
MODDIR := $(TOP)/build/$(KNAME)
KSRC := Kbuild $(shell find src include -name '*.[ch]') $(wildcard tests/kunit/*.[ch])

.PHONY: all module user tools static tests check lint demo clean vm-test kunit-test user-test \
	install modules_install
all: module user

module: $(MODDIR)/vexfs.ko

$(MODDIR)/vexfs.ko: $(KSRC)
	@test -d "$(KDIR)" || { echo "no kernel build tree at KDIR=$(KDIR); try make KVER=6.1, KVER=6.12 or make user"; exit 1; }
	@mkdir -p $(MODDIR)
	@for f in $(KSRC); do mkdir -p $(MODDIR)/$$(dirname $$f); cmp -s $$f $(MODDIR)/$$f || cp -p $$f $(MODDIR)/$$f; done
	$(MAKE) -C $(KDIR) M=$(MODDIR) $(KBUILD_EXTRA) modules

user: $(LIB) $(PROGS) $(UTESTS) $(VMPROGS) $(BENCHES)

# the programs a user installs, without tests and benchmarks (make install, debian/rules)
tools: $(PROGS)

$(B)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(B)/%: $(LIB)
$(B)/mkfs.vexfs: mkfs/mkfs.c $(LIB) $(HDRS)
	$(CC) $(USER_CFLAGS) -o $@ $< $(LIB) $(USER_LIBS)
FSCK_SRCS := $(sort $(wildcard mkfs/fsck*.c))
$(B)/fsck.vexfs: $(FSCK_SRCS) mkfs/fsck.h $(LIB) $(HDRS)
	$(CC) $(USER_CFLAGS) -o $@ $(FSCK_SRCS) $(LIB) $(USER_LIBS)
VEXCTL_SRCS := $(sort $(wildcard tools/vexctl*.c))
$(B)/vexctl: $(VEXCTL_SRCS) tools/vexctl.h $(LIB) $(HDRS)
	$(CC) $(USER_CFLAGS) -o $@ $(VEXCTL_SRCS) $(LIB) $(USER_LIBS)
$(B)/tests/%: tests/user/%.c $(LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $< $(LIB) $(USER_LIBS)
$(B)/vm/%: tests/vm/%.c $(LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $< $(LIB) $(USER_LIBS) -lpthread
$(B)/fuzz/%: tests/fuzz/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $<
$(B)/bench/%: bench/%.c $(LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -O3 -march=native -o $@ $< $(LIB) $(USER_LIBS) -lpthread
# runs in QEMU guests, whose CPU may lack what the host has: no -march=native
$(B)/bench/search_bench: bench/search_bench.c $(LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -O2 -o $@ $< $(LIB) $(USER_LIBS)
$(B)/bench/scope_bench: bench/scope_bench.c $(LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -O2 -o $@ $< $(LIB) $(USER_LIBS)
$(B)/bench/ann_kernel: bench/ann_kernel.c $(LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -O2 -o $@ $< $(LIB) $(USER_LIBS)

# Static builds for the KUnit (debug) kernel's busybox-only VM.
STATIC := build/static
static: $(LIB)
	@mkdir -p $(STATIC)
	$(CC) $(USER_CFLAGS) -static -o $(STATIC)/mkfs.vexfs mkfs/mkfs.c $(LIB) $(USER_LIBS)
	$(CC) $(USER_CFLAGS) -static -o $(STATIC)/fsck.vexfs $(FSCK_SRCS) $(LIB) $(USER_LIBS)
	$(CC) $(USER_CFLAGS) -static -o $(STATIC)/posix tests/vm/posix.c $(LIB) $(USER_LIBS) -lpthread
	$(CC) $(USER_CFLAGS) -static -o $(STATIC)/fsx tests/vm/fsx.c $(LIB) $(USER_LIBS) -lpthread
	$(CC) $(USER_CFLAGS) -static -o $(STATIC)/vectors tests/vm/vectors.c $(LIB) $(USER_LIBS) -lpthread
	$(CC) $(USER_CFLAGS) -static -o $(STATIC)/annrace tests/vm/annrace.c $(LIB) $(USER_LIBS)
	$(CC) $(USER_CFLAGS) -static -o $(STATIC)/sysfuzz tests/fuzz/sysfuzz.c

user-test: user
	@scripts/check.sh user

kunit-test:
	@scripts/check.sh kunit

vm-test:
	@scripts/check.sh vm

check:
	@scripts/check.sh all

lint:
	@scripts/lint.sh

demo:
	@scripts/demo.sh

# Installation. Debian's python3 searches $(PREFIX)/lib/python3.X/dist-packages
# for PREFIX=/usr/local, and /usr/lib/python3/dist-packages for its packages.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PYTHON ?= /usr/bin/python3
ifeq ($(PREFIX),/usr)
PYTHONDIR ?= /usr/lib/python3/dist-packages
else
PYTHONDIR ?= $(PREFIX)/lib/$(shell $(PYTHON) -c 'import sys; print("python%d.%d" % sys.version_info[:2])')/dist-packages
endif
INSTALL ?= install

install: $(PROGS)
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(INCLUDEDIR)/vexfs \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(PYTHONDIR)/vexfs
	$(INSTALL) -m 755 $(PROGS) $(DESTDIR)$(SBINDIR)/
	$(INSTALL) -m 644 include/vexfs/vexfs_ioctl.h $(DESTDIR)$(INCLUDEDIR)/vexfs/
	$(INSTALL) -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 644 python/vexfs/*.py $(DESTDIR)$(PYTHONDIR)/vexfs/

modules_install: module
	$(MAKE) -C $(KDIR) M=$(MODDIR) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates \
		modules_install

clean:
	rm -rf build
