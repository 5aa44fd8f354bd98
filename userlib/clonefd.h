/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * <clonefd.h> - clone4() with CLONE_FD and CLONE_AUTOREAP on Linux, through
 * the clonefd kernel module (/dev/clonefd).
 */
#ifndef CLONEFD_H
#define CLONEFD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/clonefd.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The arguments of clone4() beyond the flags.  args_size versions the
 * structure: pass sizeof(struct clone4_args) of the header you compiled
 * against.  All fields may be zero.
 *
 * @ptid, @ctid:  for CLONE_PARENT_SETTID, CLONE_CHILD_SETTID and
 *                CLONE_CHILD_CLEARTID, as with clone(2).
 * @stack_start, @stack_size: the child's stack (lowest address and size),
 *                or both 0 to run the child on a copy of the caller's stack.
 * @tls:          the TLS value for CLONE_SETTLS.
 * @clonefd:      with CLONE_FD, where the clonefd number is stored.
 * @clonefd_flags: O_CLOEXEC and/or O_NONBLOCK for the clonefd.
 */
struct clone4_args {
	pid_t *ptid;
	pid_t *ctid;
	unsigned long stack_start;
	unsigned long stack_size;
	unsigned long tls;
	int *clonefd;
	unsigned clonefd_flags;
};

/*
 * clone4 - create a process, optionally with a clonefd.
 *
 * @flags is clone(2)'s flags word widened to 64 bits: the exit signal in the
 * low byte (CSIGNAL), the classic CLONE_* flags, CLONE_CLEAR_SIGHAND, and
 * CLONE_FD and CLONE_AUTOREAP from <linux/clonefd.h>.  With CLONE_FD the
 * clonefd is stored in *args->clonefd before the child runs: it polls
 * readable once the child's whole thread group has exited, and read() on
 * it returns a struct clonefd_info.  With CLONE_AUTOREAP (exit signal 0)
 * the child never becomes a zombie and sends no signal.
 *
 * In the parent clone4() returns the child's pid, or -1 with errno set.
 * In the child: if @fn is NULL, clone4() returns 0 (like fork(); only
 * without a new stack), else the child runs fn(arg) and exits with its
 * return value.  In a multi-threaded caller the child may only use
 * async-signal-safe functions, as after fork(); like a raw clone(2), it
 * does not run fork handlers, and glibc functions that address the
 * "current thread" by its cached thread id (raise(), abort(),
 * pthread_kill()) still address the caller's thread: use kill(getpid(), sig).
 *
 * Errors: those of clone(2), plus EINVAL for an invalid flag combination or
 * clonefd flag, E2BIG for non-zero bytes past the known end of @args,
 * EFAULT for a bad @args->clonefd (no child is created), and ENOSYS when
 * /dev/clonefd does not exist (the clonefd module is not loaded).
 */
int clone4(uint64_t flags, size_t args_size, struct clone4_args *args,
	   int (*fn)(void *), void *arg);

/*
 * clonefd_strerror - like strerror(), but for an errno from clone4() it
 * says what to do about it (ENOSYS: load the clonefd module).
 */
const char *clonefd_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* CLONEFD_H */
