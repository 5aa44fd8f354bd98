# SPDX-License-Identifier: GPL-2.0-only
#
# clonefd - top-level Makefile.  The kernel module itself is described by
# Kbuild (kbuild prefers it to this file when it builds with M=).
#
#   make                 libclonefd, the Check suite and the examples
#   make module          the module for the running kernel (KDIR=...)
#   make check           the Check suite in a QEMU guest on Debian 12's
#                        current stock kernel (KERNEL=bookworm|debug|DIR)
#   make check-debug     the same on the debugging kernel (KASAN, lockdep,
#                        kmemleak) from ../shared/debug-kernel
#   make demo            the library-isolation example in the VM
#   make deps            install the Debian packages all of this needs
#   make dkms-install    copy the module sources to /usr/src/clonefd-VERSION

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
KERNEL ?= bookworm
KDIR ?= /lib/modules/$(shell uname -r)/build
ARCH_DIR := userlib/arch/$(shell uname -m)
B := build

CC ?= gcc
CFLAGS ?= -O2 -g
WARNFLAGS := -Wall -Wextra
CPPFLAGS += -Iuserlib -Iinclude/uapi
CHECK_LIBS := -lcheck -lsubunit -lrt -lm -pthread

LIB_OBJS := $(B)/userlib/clone4.o $(B)/userlib/clone4-arch.o
TEST_SRCS := $(wildcard tests/*.c)
TEST_HDRS := $(wildcard tests/*.h)
HDRS := userlib/clonefd.h include/uapi/linux/clonefd.h

.PHONY: all module check check-debug demo deps clean dkms-install

all: $(B)/libclonefd.a $(B)/check_clonefd $(B)/isolation

$(B)/userlib/clone4.o: userlib/clone4.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNFLAGS) -fPIC -c -o $@ $<

$(B)/userlib/clone4-arch.o: $(ARCH_DIR)/clone4.S
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -fPIC -c -o $@ $<

$(B)/libclonefd.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

# Static, so that it runs in the busybox guest as is.
$(B)/check_clonefd: $(TEST_SRCS) $(TEST_HDRS) $(B)/libclonefd.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNFLAGS) -static -o $@ $(TEST_SRCS) \
		$(B)/libclonefd.a $(CHECK_LIBS)

$(B)/isolation: examples/isolation.c $(B)/libclonefd.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNFLAGS) -static -o $@ $< $(B)/libclonefd.a

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

deps:
	scripts/install-deps

check: deps
	$(MAKE) $(B)/check_clonefd
	scripts/vm-run --kernel $(KERNEL) -- $(B)/check_clonefd

check-debug:
	$(MAKE) check KERNEL=debug

demo: deps
	$(MAKE) $(B)/isolation
	scripts/vm-run --kernel $(KERNEL) -- $(B)/isolation

dkms-install:
	mkdir -p $(DESTDIR)/usr/src/clonefd-$(VERSION)
	cp -a Kbuild dkms.conf module include $(DESTDIR)/usr/src/clonefd-$(VERSION)/

clean:
	rm -rf $(B)
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
