// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * clone4() on top of /dev/clonefd's CLONEFD_IOC_CLONE4.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clonefd.h"
#include "internal.h"

#define CLONEFD_DEVICE	"/dev/clonefd"

_Static_assert(sizeof(struct clone4_args) == CLONE4_ARGS_SIZE_VER0,
	       "struct clone4_args grew: add CLONE4_ARGS_SIZE_VER1");

/*
 * The cached device descriptor.  clonefd_devfd is >= 0 while a descriptor
 * is cached, -1 when none is, and DEVFD_BUSY while one thread opens it.
 * clonefd_devid identifies the device node the cached descriptor was
 * opened on; it is written only by the thread that moved clonefd_devfd
 * from -1 to DEVFD_BUSY, before it publishes the descriptor (release), and
 * read after loading it (acquire).  No lock, so clone4() stays
 * async-signal-safe: a thread that finds the cache busy opens a private
 * descriptor for its one call.
 */
#define DEVFD_BUSY	(-2)

struct clonefd_devid {
	uint64_t dev;
	uint64_t ino;
	uint64_t rdev;
};

static int clonefd_devfd = -1;
static struct clonefd_devid clonefd_devid;

static void devid_of(struct clonefd_devid *id, const struct stat *st)
{
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->rdev = st->st_rdev;
}

/*
 * fstat(2) itself.  The C library's fstat() is newfstatat(fd, "",
 * AT_EMPTY_PATH), which kernels before 6.11 treat as a path lookup: it
 * copies the empty name into a names_cache buffer and walks it.  In a TCG
 * guest on 6.1 that costs 14-22 us against 1.9-3.6 us for SYS_fstat
 * (bench/clonefd-bench, "breakdown").  On x86_64 and aarch64, the library's
 * architectures, the kernel's struct stat is the C library's.  A seccomp
 * filter that allows only what the C library calls may refuse fstat(2)
 * (ENOSYS or EPERM): then the C library's way.
 */
static int devfd_stat(int fd, struct stat *st)
{
	if (syscall(SYS_fstat, fd, st) == 0)
		return 0;
	if (errno != ENOSYS && errno != EPERM)
		return -1;
	return fstat(fd, st);
}

/* Is @fd (still) the descriptor we opened on /dev/clonefd? */
static int devfd_is_ours(int fd)
{
	struct clonefd_devid id;
	struct stat st;

	if (devfd_stat(fd, &st) < 0 || !S_ISCHR(st.st_mode))
		return 0;
	devid_of(&id, &st);
	return id.dev == __atomic_load_n(&clonefd_devid.dev, __ATOMIC_RELAXED) &&
	       id.ino == __atomic_load_n(&clonefd_devid.ino, __ATOMIC_RELAXED) &&
	       id.rdev == __atomic_load_n(&clonefd_devid.rdev, __ATOMIC_RELAXED);
}

static int devfd_open(struct clonefd_devid *id)
{
	struct stat st;
	int fd, err;

	fd = open(CLONEFD_DEVICE, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			errno = ENOSYS;
		return -1;
	}
	if (devfd_stat(fd, &st) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	devid_of(id, &st);
	return fd;
}

/* Open the device into the empty cache; the caller set it DEVFD_BUSY. */
static int devfd_fill(void)
{
	struct clonefd_devid id;
	int fd = devfd_open(&id);

	if (fd < 0) {
		__atomic_store_n(&clonefd_devfd, -1, __ATOMIC_RELEASE);
		return -1;
	}
	__atomic_store_n(&clonefd_devid.dev, id.dev, __ATOMIC_RELAXED);
	__atomic_store_n(&clonefd_devid.ino, id.ino, __ATOMIC_RELAXED);
	__atomic_store_n(&clonefd_devid.rdev, id.rdev, __ATOMIC_RELAXED);
	__atomic_store_n(&clonefd_devfd, fd, __ATOMIC_RELEASE);
	return fd;
}

/*
 * clonefd_device - a descriptor for /dev/clonefd.  *@private is set when
 * the descriptor is the caller's to close after use.
 */
static int clonefd_device(int *private)
{
	struct clonefd_devid id;
	int fd, tries, empty;

	*private = 0;
	for (tries = 0; tries < 4; tries++) {
		fd = __atomic_load_n(&clonefd_devfd, __ATOMIC_ACQUIRE);
		if (fd >= 0) {
			if (devfd_is_ours(fd))
				return fd;
			/*
			 * Closed or replaced behind our back: forget it, but
			 * never close it - the number is not ours any more.
			 */
			__atomic_compare_exchange_n(&clonefd_devfd, &fd, -1, 0,
						    __ATOMIC_ACQ_REL,
						    __ATOMIC_ACQUIRE);
			continue;
		}
		if (fd == DEVFD_BUSY)
			break;
		empty = -1;
		if (__atomic_compare_exchange_n(&clonefd_devfd, &empty,
						DEVFD_BUSY, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return devfd_fill();
	}
	/* Another thread (or the code we interrupted) is opening it. */
	*private = 1;
	return devfd_open(&id);
}

/*
 * In a fork-like child (single-threaded, its memory its own: no CLONE_VM):
 * close the device descriptor clone4() used.  A cache that still names it
 * is left alone: the next clone4() here finds the number closed or reused
 * (devfd_is_ours()) and forgets it then, and not writing spares the child
 * a copy-on-write fault on the library's data page.  A cache left busy by
 * a thread that does not exist here would stay busy: empty it.
 */
static void clonefd_child_forget(int devfd)
{
	close(devfd);
	if (__atomic_load_n(&clonefd_devfd, __ATOMIC_RELAXED) == DEVFD_BUSY)
		__atomic_store_n(&clonefd_devfd, -1, __ATOMIC_RELAXED);
}

/* Copy the caller's (possibly older or newer) struct clone4_args. */
static int clonefd_copy_args(struct clone4_args *dst, size_t size,
			     const struct clone4_args *src)
{
	const unsigned char *tail = (const unsigned char *)src + sizeof(*dst);
	size_t i;

	memset(dst, 0, sizeof(*dst));
	if (!size)
		return 0;
	if (!src)
		return EFAULT;
	for (i = sizeof(*dst); i < size; i++)
		if (tail[i - sizeof(*dst)])
			return E2BIG;
	memcpy(dst, src, size < sizeof(*dst) ? size : sizeof(*dst));
	return 0;
}

/*
 * The stack rules the trampoline relies on.  A child that returns from
 * clone4() (fn == NULL) returns through the caller's frames: it needs its
 * own copy of them, so neither a new stack nor CLONE_VM.  Two processes
 * cannot run on one stack: CLONE_VM without a stack only with CLONE_VFORK.
 */
static int clonefd_check_stack(uint64_t flags, const struct clone4_args *a,
			       int (*fn)(void *))
{
	if (!a->stack_start != !a->stack_size)
		return EINVAL;
	if (!fn && (a->stack_start || (flags & CLONE_VM)))
		return EINVAL;
	if ((flags & CLONE_VM) && !a->stack_start && !(flags & CLONE_VFORK))
		return EINVAL;
	return 0;
}

int clone4(uint64_t flags, size_t args_size, struct clone4_args *args,
	   int (*fn)(void *), void *arg)
{
	struct clonefd_clone4_args req;
	struct clone4_args a;
	int devfd, private, child_close, err;
	long ret;

	err = clonefd_copy_args(&a, args_size, args);
	if (!err)
		err = clonefd_check_stack(flags, &a, fn);
	if (err) {
		errno = err;
		return -1;
	}
	devfd = clonefd_device(&private);
	if (devfd < 0)
		return -1;

	req = (struct clonefd_clone4_args){
		.flags		= flags,
		.ptid		= (uintptr_t)a.ptid,
		.ctid		= (uintptr_t)a.ctid,
		.stack_start	= a.stack_start,
		.stack_size	= a.stack_size,
		.tls		= a.tls,
		.clonefd	= (uintptr_t)a.clonefd,
		.clonefd_flags	= a.clonefd_flags,
	};
	/*
	 * The child does not keep the device descriptor (it would pin the
	 * module for as long as it lives), unless it shares our table.
	 */
	child_close = flags & CLONE_FILES ? -1 : devfd;
	ret = __clonefd_ioctl(devfd, CLONEFD_IOC_CLONE4, &req, fn, arg, child_close);
	if (ret == 0) {
		if (child_close >= 0)
			clonefd_child_forget(devfd);
		return 0;
	}
	if (private)
		close(devfd);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}

const char *clonefd_strerror(int err)
{
	switch (err) {
	case ENOSYS:
		return "clone4 is not available: " CLONEFD_DEVICE
		       " does not exist (load the clonefd kernel module: modprobe clonefd)";
	case EACCES:
		return "Permission denied (from clone4(): no access to " CLONEFD_DEVICE ")";
	case ENOLINK:
		return "clone4 is suspended: the clonefd module's kernel hooks are disarmed"
		       " (kprobes disabled in /sys/kernel/debug/kprobes/enabled, or"
		       " sysctl kernel.ftrace_enabled=0); re-enable them";
	default:
		return strerror(err);
	}
}
