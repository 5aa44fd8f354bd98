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
/*
 * CLONE_NNP and CLONE_PIDFD_AUTOKILL have Linux 7.1's values and rules.
 * CLONE_NNP: the child (only it) starts with no_new_privs set; EINVAL with
 * CLONE_THREAD.  CLONE_PIDFD_AUTOKILL, with CLONE_FD in the role of 7.1's
 * CLONE_PIDFD: when the last reference to the clonefd *file* goes away
 * (close, exit of its holders; dup()ed and inherited copies count, pidfds
 * do not), the child's whole process gets SIGKILL.  It needs CLONE_FD and
 * CLONE_AUTOREAP (EINVAL otherwise), rejects CLONE_THREAD, and without
 * CLONE_NNP the caller needs CAP_SYS_ADMIN in its user namespace (EPERM).
 */
#ifndef CLONE_NNP
#define CLONE_NNP		(1ULL << 35)
#endif
#ifndef CLONE_PIDFD_AUTOKILL
#define CLONE_PIDFD_AUTOKILL	(1ULL << 36)
#endif
#define CLONE_FD		(1ULL << 62)

/**
 * struct clonefd_clone4_args - argument of CLONEFD_IOC_CLONE4
 * @flags:	clone flags (the classic 32 flags but CLONE_PIDFD and
 *		CLONE_DETACHED, CLONE_CLEAR_SIGHAND, CLONE_AUTOREAP, CLONE_NNP,
 *		CLONE_PIDFD_AUTOKILL, CLONE_FD); the low byte (CSIGNAL) holds
 *		the exit signal, as with clone(2).
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

/*
 * ioctl type 0xCF, shared with the CIFS client's numbers 3-12 (on its own
 * files; nothing collides).  Numbers in use: 0x00 on /dev/clonefd, 0x01-0x04
 * on a clonefd.
 */
#define CLONEFD_IOC_MAGIC	0xCF
/*
 * The size encoded here is the caller's struct size; callers built against
 * an older or newer header issue the same request number with another size.
 */
#define CLONEFD_IOC_CLONE4	_IOW(CLONEFD_IOC_MAGIC, 0x00, struct clonefd_clone4_args)

/*
 * ioctls on a clonefd (not on /dev/clonefd); other requests fail with ENOTTY.
 *
 * CLONEFD_IOC_GET_PID: returns the child's pid in the caller's pid
 * namespace, 0 if it is not visible there; ESRCH once the child has been
 * reaped (autoreaped, or waited for).  A zombie still has its pid.
 *
 * CLONEFD_IOC_SEND_SIGNAL, argument the signal number: sends it to the
 * child's whole process with kill(2)'s permission rules (EPERM); signal 0
 * only checks.  ESRCH once the child has exited (the clonefd is readable),
 * whatever process its pid number may belong to by then.  EINVAL for an
 * invalid signal.
 *
 * CLONEFD_IOC_PIDFD, argument O_CLOEXEC and/or O_NONBLOCK (else EINVAL):
 * returns a new descriptor for a real pidfd of the child, the kernel's own,
 * as pidfd_open(2) gives (poll, pidfd_send_signal(2), pidfd_getfd(2),
 * setns(2), waitid(P_PIDFD) for a child that is not autoreaped).  It is made
 * from the process the clonefd refers to, never from a pid number that
 * could have been reused.  ESRCH once the child has been reaped.
 *
 * CLONEFD_IOC_GET_RUSAGE: the resource usage of the exited child, what
 * wait4(2) would have returned (its reaped descendants included, as wait4
 * includes them), also for an autoreaped child; EAGAIN before it has
 * exited (it never blocks).  Size-versioned like CLONEFD_IOC_CLONE4: the
 * size in the request number is the caller's struct size; smaller than
 * CLONEFD_RUSAGE_SIZE_VER0 is EINVAL, the tail of a larger one is zeroed.
 */
#define CLONEFD_IOC_GET_PID	_IO(CLONEFD_IOC_MAGIC, 0x01)
#define CLONEFD_IOC_SEND_SIGNAL	_IO(CLONEFD_IOC_MAGIC, 0x02)
#define CLONEFD_IOC_PIDFD	_IO(CLONEFD_IOC_MAGIC, 0x03)
#define CLONEFD_IOC_GET_RUSAGE	_IOR(CLONEFD_IOC_MAGIC, 0x04, struct clonefd_rusage)

/**
 * struct clonefd_rusage - what CLONEFD_IOC_GET_RUSAGE returns
 * @utime:	user CPU time, nanoseconds (the process and its reaped
 *		descendants, as wait4(2)'s ru_utime)
 * @stime:	system CPU time, nanoseconds
 * @maxrss:	maximum resident set size, KiB (the largest of the process's
 *		and its reaped descendants', as wait4(2))
 * @minflt, @majflt: page faults without and with I/O
 * @nvcsw, @nivcsw: voluntary and involuntary context switches
 * @inblock, @oublock: block input and output operations (512-byte units)
 */
struct clonefd_rusage {
	__aligned_u64 utime;
	__aligned_u64 stime;
	__aligned_u64 maxrss;
	__aligned_u64 minflt;
	__aligned_u64 majflt;
	__aligned_u64 nvcsw;
	__aligned_u64 nivcsw;
	__aligned_u64 inblock;
	__aligned_u64 oublock;
};

#define CLONEFD_RUSAGE_SIZE_VER0	72	/* sizeof first published struct */

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
 *
 * The record is frozen at these 24 bytes; further facts about the child
 * come through size-versioned ioctls (CLONEFD_IOC_GET_RUSAGE).
 *
 * /proc/PID/fdinfo/FD of a clonefd shows "Pid:" (-1 once reaped, 0 if not
 * visible), "NSpid:" (that pid, then the pid in each deeper namespace, as a
 * pidfd's fdinfo), "State:" (running or exited) and, once exited, "Code:",
 * "Status:", "Utime:" and "Stime:" (ns) of the record.  The pids are those
 * of the pid namespace of the process reading the file (a pidfd's fdinfo
 * uses the namespace of the /proc mount instead; they differ only when a
 * process reads through a /proc mounted for another pid namespace).
 */
struct clonefd_info {
	__u32 code;
	__u32 status;
	__u64 utime;
	__u64 stime;
};

#endif /* _UAPI_LINUX_CLONEFD_H */
