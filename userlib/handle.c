// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The clonefd as a process handle: thin wrappers around the ioctls on a
 * clonefd (CLONEFD_IOC_GET_PID, _SEND_SIGNAL, _PIDFD, _GET_RUSAGE) and
 * clonefd_wait(), poll(2) plus read(2) of the exit record.
 *
 * All of them are system calls only: thread-safe and async-signal-safe.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "clonefd.h"
#include "internal.h"

/*
 * clonefd_rusage() has no size argument: a caller compiled against a
 * header with a larger struct clonefd_rusage would be written short, one
 * compiled against an older header (none exists) overrun.  If the
 * structure grows, the new clonefd_rusage() goes into a new version node
 * and the CLONEFD_0.2 one keeps passing CLONEFD_RUSAGE_SIZE_VER0.
 */
_Static_assert(sizeof(struct clonefd_rusage) == CLONEFD_RUSAGE_SIZE_VER0,
	       "struct clonefd_rusage grew: version clonefd_rusage() anew");

pid_t clonefd_getpid(int cfd)
{
	return ioctl(cfd, CLONEFD_IOC_GET_PID, 0UL);
}

int clonefd_kill(int cfd, int sig)
{
	/* The argument is the signal number itself, as an unsigned long. */
	return ioctl(cfd, CLONEFD_IOC_SEND_SIGNAL, (unsigned long)(long)sig);
}

int clonefd_pidfd(int cfd, unsigned int flags)
{
	return ioctl(cfd, CLONEFD_IOC_PIDFD, (unsigned long)flags);
}

int clonefd_rusage(int cfd, struct clonefd_rusage *ru)
{
	/* Size-versioned: the request carries the size of our structure. */
	unsigned long req = _IOC(_IOC_READ, CLONEFD_IOC_MAGIC,
				 _IOC_NR(CLONEFD_IOC_GET_RUSAGE), sizeof(*ru));

	return ioctl(cfd, req, ru) < 0 ? -1 : 0;
}

/*
 * poll() for the exit, then read() the record.  One poll() and no loop:
 * EINTR and the timeout reach the caller exactly as poll(2) reports them.
 * Once the clonefd polls readable, read() cannot block (also on a blocking
 * descriptor) nor fail with EAGAIN (also with O_NONBLOCK): the record is
 * fixed at exit.  A clonefd whose exit the module lost (its hooks were
 * disarmed, see clone4(3)) polls readable with POLLERR and reads EIO.
 */
int clonefd_wait(int cfd, struct clonefd_info *info, int timeout_ms)
{
	struct pollfd pfd = { .fd = cfd, .events = POLLIN };
	struct clonefd_info rec;
	ssize_t n;
	int ret;

	/* poll() skips a negative descriptor: it would wait for nothing. */
	if (cfd < 0) {
		errno = EBADF;
		return -1;
	}
	if (timeout_ms < 0)
		timeout_ms = -1;
	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -1;
	if (ret == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (pfd.revents & POLLNVAL) {
		errno = EBADF;
		return -1;
	}
	/* Straight into *info: a bad address is EFAULT, as for read(2). */
	n = read(cfd, info ? info : &rec, sizeof(rec));
	if (n < 0)
		return -1;
	if (n != sizeof(rec)) {
		/* Not a clonefd: the module always returns the whole record. */
		errno = EIO;
		return -1;
	}
	return 0;
}
