// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * clone4() on top of /dev/clonefd's CLONEFD_IOC_CLONE4.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "clonefd.h"

long __clonefd_ioctl(int devfd, unsigned long cmd,
		     const struct clonefd_clone4_args *req,
		     int (*fn)(void *), void *arg);

#define CLONEFD_DEVICE	"/dev/clonefd"

static int clonefd_devfd = -1;

/*
 * The device is opened once, on first use, O_CLOEXEC; concurrent first
 * callers race with a compare-and-swap and the loser closes its fd.
 */
static int clonefd_device(void)
{
	int fd = __atomic_load_n(&clonefd_devfd, __ATOMIC_ACQUIRE);
	int expected = -1;

	if (fd >= 0)
		return fd;
	fd = open(CLONEFD_DEVICE, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			errno = ENOSYS;
		return -1;
	}
	if (!__atomic_compare_exchange_n(&clonefd_devfd, &expected, fd, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		close(fd);
		fd = expected;
	}
	return fd;
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

int clone4(uint64_t flags, size_t args_size, struct clone4_args *args,
	   int (*fn)(void *), void *arg)
{
	struct clonefd_clone4_args req;
	struct clone4_args a;
	long ret;
	int devfd, err;

	err = clonefd_copy_args(&a, args_size, args);
	if (err) {
		errno = err;
		return -1;
	}
	/* Returning from the ioctl on a fresh stack has no frame to return to. */
	if (a.stack_start && !fn) {
		errno = EINVAL;
		return -1;
	}
	devfd = clonefd_device();
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
	ret = __clonefd_ioctl(devfd, CLONEFD_IOC_CLONE4, &req, fn, arg);
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
		return "clone4 is not available: permission denied on " CLONEFD_DEVICE;
	default:
		return strerror(err);
	}
}
