# SPDX-License-Identifier: GPL-2.0-only
#
# clonefd - top-level Makefile.  The kernel module itself is described by
# Kbuild (kbuild prefers it to this file when it builds with M=).
#
#   make                 libclonefd (.so and .a), the Check suite, the examples
#   make install         libclonefd, <clonefd.h>, <linux/clonefd.h>, clonefd.pc
#                        and the man pages (PREFIX=/usr/local, DESTDIR=)
#   make module          the module for the running kernel (KDIR=...)
#   make check           the Check suite in a QEMU guest on Debian 12's
#                        current stock kernel (KERNEL=bookworm|debug|DIR), or
#                        on another release's (KERNEL=bullseye, trixie, sid,
#                        bookworm-backports, trixie-backports) with a module
#                        built by that release's dkms in a cached rootfs;
#                        ARCH=arm64: on Debian 12's arm64 kernel (aarch64
#                        guest, cross-built suite and module)
#   make check-matrix    the suite on all six Debian lines (dkms-built
#                        modules), one table (RELEASES= to choose lines)
#   make check-debug     the same on the debugging kernel (KASAN, lockdep,
#                        kmemleak) from ../shared/debug-kernel
#   make check-stress    the hardening battery (100 000 spawns, races, rmmod
#                        race, ioctl fuzzer) in one guest (KERNEL=...)
#   make check-host      host-side tests: the public header as C99 -pedantic
#                        and C++, the .so's exports, an install tree + pkg-config
#   make demo            the examples (isolation, supervisor,
#                        restart-supervisor) in the VM
#   make deb             the Debian packages (clonefd-dkms, libclonefd0,
#                        libclonefd-dev) built in a clean rootfs of RELEASE
#                        (bookworm, trixie), checked with its lintian:
#                        build/deb/RELEASE/
#   make check-install   the packages installed, upgraded and purged on
#                        booted Debian 12 and 13 systems (systemd, their own
#                        stock kernels) in QEMU (INSTALL_RELEASES= to
#                        choose)
#   make deps            install the Debian packages all of this needs
#   make dkms-install    copy the module sources to /usr/src/clonefd-VERSION

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
KERNEL ?= bookworm
# The hardening battery (tests/stress): FUZZ_SECONDS of clonefd-fuzz after
# the suite in `make check` (0: none); STRESS="ARGS" also runs
# clonefd-stress there, last.  `make check-stress` runs both alone with
# STRESS_ARGS, `make check-debug` with the DEBUG_* values (measured costs
# in .ci/run).
FUZZ_SECONDS ?= 60
STRESS ?=
STRESS_ARGS ?= --spawns 100k --kill-rounds 200 --vfork-rounds 200 \
	--recycle-rounds 200 --poll-rounds 10k --rmmod-rounds 5k
STRESS_TIMEOUT ?= 3600
DEBUG_FUZZ_SECONDS ?= 180
DEBUG_STRESS ?= --spawns 2000 --kill-rounds 20 --vfork-rounds 20 \
	--recycle-rounds 20 --poll-rounds 1000 --rmmod-rounds 1000 --poll-timeout 120000
DEBUG_TIMEOUT ?= 3600
KDIR ?= /lib/modules/$(shell uname -r)/build
ARCH_DIR := userlib/arch/$(shell uname -m)
B := build

CC ?= gcc
CFLAGS ?= -O2 -g
WARNFLAGS := -Wall -Wextra
CPPFLAGS += -Iuserlib -Iinclude/uapi
CHECK_LIBS := -lcheck -lsubunit -lrt -lm -pthread

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL ?= install

SONAME := libclonefd.so.0
SOLIB := libclonefd.so.$(VERSION)
LIB_OBJS := $(B)/userlib/clone4.o $(B)/userlib/spawn.o $(B)/userlib/handle.o \
	$(B)/userlib/clone4-arch.o
LIB_HDRS := userlib/clonefd.h userlib/internal.h include/uapi/linux/clonefd.h
TEST_SRCS := $(wildcard tests/*.c)
TEST_HDRS := $(wildcard tests/*.h)
HDRS := userlib/clonefd.h include/uapi/linux/clonefd.h
MANS := man/clone4.3 man/clonefd_spawn.3 man/clonefd_getpid.3 man/clonefd_wait.3
MANS4 := man/clonefd.4
EXAMPLES := $(B)/isolation $(B)/supervisor $(B)/restart-supervisor

.PHONY: bench bench-scale bench-profile all lib module check check-host check-debug check-matrix check-stress demo deps clean \
	dkms-install install deb check-install

all: lib $(B)/check_clonefd $(EXAMPLES)

lib: $(B)/libclonefd.a $(B)/$(SOLIB)

$(B)/userlib/%.o: userlib/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LIB_CFLAGS) $(WARNFLAGS) -fPIC -c -o $@ $<

# clone4() returns twice, like vfork(): its fork-like child may return
# through it with another TLS block (CLONE_SETTLS), so no stack-protector
# canary may be checked on that path.
$(B)/userlib/clone4.o: LIB_CFLAGS := -fno-stack-protector

$(B)/userlib/clone4-arch.o: $(ARCH_DIR)/clone4.S
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -fPIC -c -o $@ $<

$(B)/libclonefd.a: $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# Versioned soname, exports limited by the version script.
$(B)/$(SOLIB): $(LIB_OBJS) userlib/libclonefd.map
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script=userlib/libclonefd.map -Wl,-z,defs \
		-o $@ $(LIB_OBJS) -pthread
	ln -sf $(SOLIB) $(B)/$(SONAME)
	ln -sf $(SONAME) $(B)/libclonefd.so

install: lib
	$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(INCLUDEDIR)/linux $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(MANDIR)/man4
	$(INSTALL) -m 644 userlib/clonefd.h $(DESTDIR)$(INCLUDEDIR)/clonefd.h
	$(INSTALL) -m 644 include/uapi/linux/clonefd.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/clonefd.h
	$(INSTALL) -m 644 $(B)/libclonefd.a $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 755 $(B)/$(SOLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(SOLIB) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libclonefd.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    userlib/clonefd.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/clonefd.pc
	for m in $(MANS); do \
		sed -e 's|@VERSION@|$(VERSION)|' $$m > $(DESTDIR)$(MANDIR)/man3/$${m##*/} && \
		chmod 644 $(DESTDIR)$(MANDIR)/man3/$${m##*/} || exit 1; done
	for m in $(MANS4); do \
		sed -e 's|@VERSION@|$(VERSION)|' $$m > $(DESTDIR)$(MANDIR)/man4/$${m##*/} && \
		chmod 644 $(DESTDIR)$(MANDIR)/man4/$${m##*/} || exit 1; done
	for f in clonefd_strerror; do \
		echo ".so man3/clone4.3" > $(DESTDIR)$(MANDIR)/man3/$$f.3; done
	for f in clonefd_spawnp clonefd_spawn_actions_init \
		 clonefd_spawn_actions_destroy clonefd_spawn_actions_addopen \
		 clonefd_spawn_actions_addclose clonefd_spawn_actions_adddup2 \
		 clonefd_spawn_actions_addchdir clonefd_spawn_actions_addfchdir \
		 clonefd_spawn_actions_addclosefrom clonefd_spawnattr_init \
		 clonefd_spawnattr_destroy clonefd_spawnattr_setflags \
		 clonefd_spawnattr_setpgroup clonefd_spawnattr_setsigmask \
		 clonefd_spawnattr_setsigdefault clonefd_spawnattr_setexitsignal \
		 clonefd_spawnattr_setschedpolicy clonefd_spawnattr_setschedparam; do \
		echo ".so man3/clonefd_spawn.3" > $(DESTDIR)$(MANDIR)/man3/$$f.3; done
	for f in clonefd_kill clonefd_pidfd clonefd_rusage; do \
		echo ".so man3/clonefd_getpid.3" > $(DESTDIR)$(MANDIR)/man3/$$f.3; done

# Static, so that it runs in the busybox guest as is.
$(B)/check_clonefd: $(TEST_SRCS) $(TEST_HDRS) $(HDRS) $(B)/libclonefd.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNFLAGS) -static -o $@ $(TEST_SRCS) \
		$(B)/libclonefd.a $(CHECK_LIBS)

# The 32-bit caller the suite runs (compat_ptr_ioctl).
$(B)/compat32: tests/compat32/compat32.c include/uapi/linux/clonefd.h
	$(CC) -m32 -static $(CPPFLAGS) $(CFLAGS) $(WARNFLAGS) -o $@ $<

# The hardening battery (tests/stress): static like the suite.
STRESS_COMMON := tests/stress/common.c tests/stress/common.h
$(B)/clonefd-stress: tests/stress/stress.c $(STRESS_COMMON) $(HDRS) $(B)/libclonefd.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNFLAGS) -static -o $@ tests/stress/stress.c \
		tests/stress/common.c $(B)/libclonefd.a -pthread

$(B)/clonefd-fuzz: tests/stress/fuzz.c $(STRESS_COMMON) $(HDRS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNFLAGS) -static -o $@ tests/stress/fuzz.c \
		tests/stress/common.c -pthread

$(B)/%: examples/%.c $(HDRS) $(B)/libclonefd.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNFLAGS) -static -o $@ $< $(B)/libclonefd.a

# The arm64 userland, cross-built and static for the arm64 guest (make
# check ARCH=arm64): libclonefd and the Check suite, whose check and
# libsubunit come from Debian's arm64 packages (scripts/arm64-sysroot),
# and the 32-bit caller as an AArch32 (armhf) program.  The compiler is
# clang: Debian's gcc-aarch64-linux-gnu cannot be installed beside
# gcc-multilib (the x86 suite's -m32 caller), clang can, and links with
# the same cross C library, libgcc and binutils (scripts/install-deps
# --arm64).  ARM64_CC=aarch64-linux-gnu-gcc works as well.
A64 := $(B)/arm64
ARM64_CC ?= clang --target=aarch64-linux-gnu
ARM64_AR ?= aarch64-linux-gnu-ar
ARMHF_CC ?= clang --target=arm-linux-gnueabihf -march=armv7-a
A64_LIB_OBJS := $(A64)/userlib/clone4.o $(A64)/userlib/spawn.o \
	$(A64)/userlib/handle.o $(A64)/userlib/clone4-arch.o

$(A64)/userlib/%.o: userlib/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(ARM64_CC) $(CPPFLAGS) $(CFLAGS) $(LIB_CFLAGS) $(WARNFLAGS) -c -o $@ $<

$(A64)/userlib/clone4.o: LIB_CFLAGS := -fno-stack-protector

$(A64)/userlib/clone4-arch.o: userlib/arch/aarch64/clone4.S
	@mkdir -p $(@D)
	$(ARM64_CC) $(CPPFLAGS) -c -o $@ $<

$(A64)/libclonefd.a: $(A64_LIB_OBJS)
	rm -f $@
	$(ARM64_AR) rcs $@ $^

$(A64)/check_clonefd: $(TEST_SRCS) $(TEST_HDRS) $(HDRS) $(A64)/libclonefd.a
	sysroot=$$(scripts/arm64-sysroot) && \
	$(ARM64_CC) -I$$sysroot/usr/include $(CPPFLAGS) $(CFLAGS) $(WARNFLAGS) \
		-static -o $@ $(TEST_SRCS) $(A64)/libclonefd.a \
		-L$$sysroot/usr/lib/aarch64-linux-gnu $(CHECK_LIBS)

$(A64)/compat32: tests/compat32/compat32.c include/uapi/linux/clonefd.h
	@mkdir -p $(@D)
	$(ARMHF_CC) -static $(CPPFLAGS) $(CFLAGS) $(WARNFLAGS) -o $@ $<

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# Kernels other than bookworm's (and the debug kernel) come with a release
# rootfs: debootstrap and friends.
deps:
	scripts/install-deps $(if $(filter-out bookworm debug /%,$(KERNEL)),--releases) \
		$(if $(filter arm64,$(ARCH)),--arm64)

# ARCH=arm64 (unset by default): the arm64 suite on Debian 12's arm64 kernel
# in qemu-system-aarch64, KERNEL=bookworm only; the module is cross-built
# with the kernel's own gcc, which scripts/fetch-kernel fetches.  ARCH is
# kbuild's variable too: scripts/build-module sets it from the kernel.
ifeq ($(ARCH),arm64)
check: deps
	$(MAKE) $(A64)/check_clonefd $(A64)/compat32
	scripts/vm-run --arch arm64 --kernel $(KERNEL) $(VMRUN_ARGS) \
		--file $(A64)/compat32 -- $(A64)/check_clonefd $(CHECK_ARGS)
else
# The measuring instruments (bench/) are built too, not run: so that they
# cannot rot unseen.
check: deps
	$(MAKE) check-host
	$(MAKE) $(B)/check_clonefd
	$(MAKE) $(B)/compat32
	$(MAKE) $(BENCH_PROGS)
	$(MAKE) $(B)/clonefd-fuzz $(if $(STRESS),$(B)/clonefd-stress)
	scripts/vm-run --kernel $(KERNEL) $(VMRUN_ARGS) --file $(B)/compat32 \
		--file $(B)/check_clonefd --file $(B)/clonefd-fuzz \
		$(if $(STRESS),--file $(B)/clonefd-stress) -- \
		tests/stress/sequence check_clonefd $(CHECK_ARGS) \
		$(if $(filter-out 0,$(FUZZ_SECONDS)),';' clonefd-fuzz --seconds $(FUZZ_SECONDS)) \
		$(if $(STRESS),';' clonefd-stress $(STRESS))
endif

# Host side: <clonefd.h> alone, warning-free, as strict C99 and as C++; the
# shared library exports exactly the version script's symbols, each in the
# version node the script puts it in; an install tree with a man page for
# every exported function and clonefd(4), all stamped with the version,
# from which pkg-config builds a program, dynamically and statically.
HT := $(B)/host-test
HTMAN := $(HT)/stage/usr/share/man/man3
HTMAN4 := $(HT)/stage/usr/share/man/man4
check-host: lib
	@mkdir -p $(HT)
	printf '#include <clonefd.h>\nint main(void) { return CLONE4_ARGS_SIZE_VER0 == 0; }\n' > $(HT)/h.c
	$(CC) -std=c99 -pedantic -Wall -Wextra -Werror $(CPPFLAGS) -c -o $(HT)/h-c99.o $(HT)/h.c
	$(CC) -std=c11 -pedantic -Wall -Wextra -Werror $(CPPFLAGS) -D_GNU_SOURCE -c -o $(HT)/h-c11.o $(HT)/h.c
	$(CXX) -x c++ -std=c++98 -pedantic -Wall -Wextra -Werror $(CPPFLAGS) -c -o $(HT)/h-cxx98.o $(HT)/h.c
	$(CXX) -x c++ -std=c++17 -pedantic -Wall -Wextra -Werror $(CPPFLAGS) -c -o $(HT)/h-cxx17.o $(HT)/h.c
	nm -D --defined-only $(B)/$(SOLIB) | awk '$$2 == "T" { print $$3 }' | sort > $(HT)/exports
	awk '/^[A-Z][A-Z0-9_.]* *[{]/ { node = $$1 } \
	     /^[[:space:]]*[a-z_0-9]+;$$/ { sub(/^[[:space:]]*/, ""); sub(/;$$/, ""); \
					   print $$0 "@@" node }' \
		userlib/libclonefd.map | sort > $(HT)/expected
	diff -u $(HT)/expected $(HT)/exports
	readelf -d $(B)/$(SOLIB) | grep -q 'SONAME.*\[$(SONAME)\]'
	rm -rf $(HT)/stage
	$(MAKE) -s install DESTDIR=$(CURDIR)/$(HT)/stage PREFIX=/usr LIBDIR=/usr/lib \
		INCLUDEDIR=/usr/include MANDIR=/usr/share/man PKGCONFIGDIR=/usr/lib/pkgconfig
	test -f $(HT)/stage/usr/include/linux/clonefd.h
	for f in $$(sed 's/@@.*//' $(HT)/expected); do \
		test -s $(HTMAN)/$$f.3 || \
		{ echo "check-host: no man page for $$f"; exit 1; }; done
	for m in $(MANS4); do \
		test -s $(HTMAN4)/$${m##*/} || \
		{ echo "check-host: $${m##*/} not installed"; exit 1; }; done
	! grep -l '@VERSION@' $(HTMAN)/*.3 $(HTMAN4)/*.4
	for m in $(MANS); do \
		grep -q '^\.TH .*"clonefd $(VERSION)"' $(HTMAN)/$${m##*/} || \
		{ echo "check-host: $${m##*/} not stamped with $(VERSION)"; exit 1; }; done
	for m in $(MANS4); do \
		grep -q '^\.TH .*"clonefd $(VERSION)"' $(HTMAN4)/$${m##*/} || \
		{ echo "check-host: $${m##*/} not stamped with $(VERSION)"; exit 1; }; done
	PKG_CONFIG_SYSROOT_DIR=$(CURDIR)/$(HT)/stage \
	PKG_CONFIG_LIBDIR=$(CURDIR)/$(HT)/stage/usr/lib/pkgconfig \
		sh -c '$(CC) -Wall -Wextra -Werror -o $(HT)/supervisor-dyn examples/supervisor.c $$(pkg-config --cflags --libs clonefd) && \
		       $(CC) -Wall -Wextra -Werror -static -o $(HT)/supervisor-static examples/supervisor.c $$(pkg-config --static --cflags --libs clonefd)'
	readelf -d $(HT)/supervisor-dyn | grep -q 'NEEDED.*\[$(SONAME)\]'
	@echo "check-host: header (C99, C11, C++98, C++17), exports, install tree, man pages, pkg-config: OK"

# KASAN, lockdep and kmemleak under TCG run the suite about 6 times slower.
# The suite, then the fuzzer and the battery in the same guest.
check-debug:
	$(MAKE) check KERNEL=debug VMRUN_ARGS="--timeout $(DEBUG_TIMEOUT)" \
		CHECK_ARGS="--timeout-multiplier 6" FUZZ_SECONDS=$(DEBUG_FUZZ_SECONDS) \
		STRESS="$(DEBUG_STRESS)"

# The hardening battery alone on KERNEL (any line, debug included): the
# fuzzer for FUZZ_SECONDS, then clonefd-stress with STRESS_ARGS (its last
# phase unloads the module, cleanly or not at all).
check-stress: deps
	$(MAKE) $(B)/clonefd-fuzz $(B)/clonefd-stress
	scripts/vm-run --kernel $(KERNEL) --timeout $(STRESS_TIMEOUT) $(VMRUN_ARGS) \
		--file $(B)/clonefd-fuzz --file $(B)/clonefd-stress -- \
		tests/stress/sequence clonefd-fuzz --seconds $(FUZZ_SECONDS) ';' \
		clonefd-stress $(STRESS_ARGS)

check-matrix:
	scripts/install-deps --releases
	$(MAKE) $(B)/check_clonefd $(B)/compat32
	scripts/check-matrix $(RELEASES) -- $(VMRUN_ARGS) --file $(B)/compat32 -- \
		$(B)/check_clonefd $(CHECK_ARGS)

demo: deps
	$(MAKE) $(EXAMPLES)
	scripts/vm-run --kernel $(KERNEL) -- $(B)/isolation
	scripts/vm-run --kernel $(KERNEL) -- $(B)/supervisor 4
	scripts/vm-run --kernel $(KERNEL) -- $(B)/restart-supervisor

# The measuring instrument (bench/clonefd-bench.c: a table, not a test),
# in one guest with 4 GiB (K = 10 000 of each kind of child alive: ~2 GiB);
# it unloads and reloads the module (the module row).  The table, a CSV and
# an SVG chart go to build/bench/KERNEL.{txt,csv,svg}.  BENCH_ARGS: e.g.
# --rounds 31, --scale 100,1000, --only cycle,create.
BENCH_ARGS ?=
BENCH_TIMEOUT ?= 2400
BENCH_RELEASES ?= bullseye bookworm trixie sid trixie-backports
BENCH_PROGS := $(B)/clonefd-bench $(B)/tracked-scale $(B)/exit-profile
$(B)/clonefd-bench: bench/clonefd-bench.c bench/bench.h $(HDRS) $(B)/libclonefd.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNFLAGS) -static -o $@ $< $(B)/libclonefd.a

bench: deps
	scripts/install-deps --bench
	$(MAKE) $(B)/clonefd-bench
	@mkdir -p $(B)/bench
	rm -f $(B)/bench/$(KERNEL).csv
	{ scripts/vm-run --kernel $(KERNEL) --memory 4G --timeout $(BENCH_TIMEOUT) \
		$(VMRUN_ARGS) -- $(B)/clonefd-bench --module /vm-run/clonefd.ko $(BENCH_ARGS); \
	  echo $$? > $(B)/bench/$(KERNEL).rc; } | tee $(B)/bench/$(KERNEL).out
	test "$$(cat $(B)/bench/$(KERNEL).rc)" = 0
	bench/report split $(B)/bench/$(KERNEL) < $(B)/bench/$(KERNEL).out
	bench/report plot $(B)/bench/$(KERNEL).svg $(B)/bench/$(KERNEL).csv
	rm -f $(B)/bench/$(KERNEL).rc $(B)/bench/$(KERNEL).out

# One table and one chart across kernel lines (build/bench/matrix.*); a
# line whose run fails is left out and named.
.PHONY: bench-matrix
bench-matrix:
	scripts/install-deps --releases
	@mkdir -p $(B)/bench
	failed=; for r in $(BENCH_RELEASES); do \
		$(MAKE) bench KERNEL=$$r || failed="$$failed $$r"; done; \
	csvs=; for r in $(BENCH_RELEASES); do \
		[ -s $(B)/bench/$$r.csv ] && csvs="$$csvs $(B)/bench/$$r.csv"; done; \
	bench/report table $$csvs | tee $(B)/bench/matrix.txt; \
	bench/report plot $(B)/bench/matrix.svg $$csvs; \
	[ -z "$$failed" ] || { echo "bench-matrix: failed:$$failed"; exit 1; }

# Unrelated exits against the number of tracked children (a table; 8 GiB
# guest: 50 000 live children take ~4.5 GiB of it).
$(B)/tracked-scale: bench/tracked-scale.c $(B)/libclonefd.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNFLAGS) -static -o $@ $< $(B)/libclonefd.a

SCALE ?= 1000 10000 50000
bench-scale: deps
	$(MAKE) $(B)/tracked-scale
	scripts/vm-run --kernel $(KERNEL) --memory 8G --timeout 3000 -- \
		$(B)/tracked-scale 2000 $(SCALE)
	scripts/vm-run --kernel $(KERNEL) --memory 8G --timeout 3000 -- \
		$(B)/tracked-scale -u 2000 $(SCALE)

# Where the CPU goes when children exit at once, per kind of child and
# kernel function (bench/exit-profile.c: a sampling profile, not a timing).
$(B)/exit-profile: bench/exit-profile.c bench/bench.h $(HDRS) $(B)/libclonefd.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNFLAGS) -static -o $@ $< $(B)/libclonefd.a

bench-profile: deps
	$(MAKE) $(B)/exit-profile
	scripts/vm-run --kernel $(KERNEL) --memory 2G --timeout 900 $(VMRUN_ARGS) -- \
		$(B)/exit-profile

# The version comes from dkms.conf: scripts/deb-changelog writes
# debian/changelog from it, into deb-build's clean copy of the tree, or here
# (make debian/changelog; then dpkg-buildpackage -us -uc works in the tree).
RELEASE ?= bookworm
deb:
	scripts/install-deps --releases
	scripts/deb-build $(RELEASE)

debian/changelog: dkms.conf
	scripts/deb-changelog > $@

# Debian 12 and 13 systems booted in QEMU: install, reboot, use as a user,
# kernel upgrade, package upgrade, purge (scripts/check-install; long).
INSTALL_RELEASES ?=
check-install:
	scripts/install-deps --releases
	scripts/check-install $(INSTALL_RELEASES)

dkms-install:
	mkdir -p $(DESTDIR)/usr/src/clonefd-$(VERSION)
	cp -a Kbuild dkms.conf module include $(DESTDIR)/usr/src/clonefd-$(VERSION)/

clean:
	rm -rf $(B)
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
