/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * clonefd: the CLONE_FD process-creation interface of /dev/clonefd.
 *
 * This is the kernel ABI of the clonefd module.  Applications normally use
 * clone4() from <clonefd.h> (libclonefd) instead of issuing the ioctl.
 *
 * CLONEFD_IOC_CLONE4 creates a process the way clone(2) does, from the
 * caller's own registers: like fork(), the ioctl returns twice - in the
 * parent with the child's pid (or -1/errno), in the child with 0.  With
 * CLONE_FD the parent also receives a "clonefd": a file descriptor that
 * polls readable once the child's whole thread group has exited, and from
 * which read() returns a struct clonefd_info.
 */
#ifndef _UAPI_LINUX_CLONEFD_H
#define _UAPI_LINUX_CLONEFD_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * New clone flags, in the 64-bit flags word of struct clonefd_clone4_args.
 *
 * CLONE_AUTOREAP has the value and rules of Linux 7.1's native flag: the
 * child never becomes a zombie and its parent gets no exit signal; waitpid()
 * on it fails with ECHILD.  The exit signal must be 0, and CLONE_PARENT and
 * CLONE_THREAD are rejected.  The property belongs to the child alone: it is
 * not inherited by the child's own children and survives reparenting.
 *
 * CLONE_FD is not a kernel clone flag.  clone3() allocates its flags upwards
 * from bit 32 (CLONE_CLEAR_SIGHAND is bit 32, CLONE_INTO_CGROUP bit 33,
 * Linux 7.1's CLONE_AUTOREAP/CLONE_NNP/CLONE_PIDFD_AUTOKILL bits 34-36); no
 * kernel up to 7.3 uses a bit above 36.  CLONE_FD takes bit 62, as far from
 * that allocation frontier as possible without using bit 63, the sign bit of
 * any signed conversion.
 */
#ifndef CLONE_AUTOREAP
#define CLONE_AUTOREAP		(1ULL << 34)
#endif
#define CLONE_FD		(1ULL << 62)

/**
 * struct clonefd_clone4_args - argument of CLONEFD_IOC_CLONE4
 * @flags:	clone flags (the classic 32 flags, CLONE_CLEAR_SIGHAND,
 *		CLONE_AUTOREAP, CLONE_FD); the low byte (CSIGNAL) holds the
 *		exit signal, as with clone(2).
 * @ptid:	user address for CLONE_PARENT_SETTID.
 * @ctid:	user address for CLONE_CHILD_SETTID/CLONE_CHILD_CLEARTID.
 * @stack_start: lowest address of the child's stack, or 0 to keep the
 *		caller's stack pointer (fork-like).
 * @stack_size:	size of that stack in bytes (0 when @stack_start is 0).
 * @tls:	TLS descriptor for CLONE_SETTLS.
 * @clonefd:	with CLONE_FD, user address of an int that receives the
 *		clonefd number; it is written before the child is created, so a
 *		bad address fails with EFAULT and creates no child.  If the
 *		request fails later (as clone(2) can), the number written there
 *		is not an open descriptor (clone3()'s pidfd behaves alike).
 * @clonefd_flags: O_CLOEXEC and/or O_NONBLOCK for the clonefd.
 *
 * The structure is versioned by size, as clone3()'s struct clone_args is:
 * the size is the size field of the ioctl number (_IOC_SIZE).  A caller may
 * pass a smaller struct (down to CLONEFD_CLONE4_ARGS_SIZE_VER0; smaller is
 * EINVAL) or a larger one whose unknown tail is all zero (non-zero: E2BIG).
 */
struct clonefd_clone4_args {
	__aligned_u64 flags;
	__aligned_u64 ptid;
	__aligned_u64 ctid;
	__aligned_u64 stack_start;
	__aligned_u64 stack_size;
	__aligned_u64 tls;
	__aligned_u64 clonefd;
	__aligned_u64 clonefd_flags;
};

#define CLONEFD_CLONE4_ARGS_SIZE_VER0	64	/* sizeof first published struct */

#define CLONEFD_IOC_MAGIC	0xCF
/*
 * The size encoded here is the caller's struct size; callers built against
 * an older or newer header issue the same request number with another size.
 */
#define CLONEFD_IOC_CLONE4	_IOW(CLONEFD_IOC_MAGIC, 0x00, struct clonefd_clone4_args)

/**
 * struct clonefd_info - what read() on a clonefd returns
 * @code:	CLD_EXITED, CLD_KILLED or CLD_DUMPED (the SIGCHLD si_code).
 * @status:	exit status (CLD_EXITED) or signal number, as waitpid() would
 *		report it: for a group exit (exit_group(), a fatal signal) the
 *		group's exit code, whichever thread exited last.
 * @utime:	user CPU time of the whole process, in nanoseconds, its
 *		children excluded.
 * @stime:	system CPU time, likewise.
 *
 * read() blocks until the whole thread group has exited (EAGAIN with
 * O_NONBLOCK) and needs a buffer of at least sizeof(struct clonefd_info)
 * (else EINVAL).  The record is fixed at exit: every read() on any
 * descriptor for the child, in any process, returns the same 24 bytes, so
 * a clonefd may be shared, dup()ed and read any number of times.
 */
struct clonefd_info {
	__u32 code;
	__u32 status;
	__u64 utime;
	__u64 stime;
};

#endif /* _UAPI_LINUX_CLONEFD_H */
