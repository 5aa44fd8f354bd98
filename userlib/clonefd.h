/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * <clonefd.h> - clone4() with CLONE_FD and CLONE_AUTOREAP on Linux, through
 * the clonefd kernel module (/dev/clonefd), and clonefd_spawn(), a
 * posix_spawn() that returns a clonefd.
 *
 * Compiles as C99 (also -std=c99 -pedantic, no feature macros needed) and
 * as C++.
 */
#ifndef CLONEFD_H
#define CLONEFD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <spawn.h>		/* sigset_t, struct sched_param, also in strict ISO C */
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
 * @stack_start, @stack_size: the child's stack, as clone3() takes it: its
 *                lowest address and its size (both non-zero), or both 0 to
 *                run the child on the caller's stack.  The child's initial
 *                stack pointer is stack_start + stack_size, aligned down
 *                to 16 bytes (the psABI's alignment) before fn is called.
 * @tls:          the TLS value for CLONE_SETTLS (on x86_64 the fs base).
 * @clonefd:      with CLONE_FD, where the clonefd number is stored.
 * @clonefd_flags: O_CLOEXEC and/or O_NONBLOCK for the clonefd.
 *
 * Versioning: fields are only ever added at the end.  A caller built
 * against an older header passes its smaller size and the fields it does
 * not know read as zero (any size is accepted; the library never reads
 * past args_size).  A caller built against a newer header passes a larger
 * size: the bytes this library does not know must be zero, else clone4()
 * fails with E2BIG.  args may be NULL when args_size is 0.
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

/* sizeof(struct clone4_args) as first published (56 on LP64, 28 on ILP32) */
#define CLONE4_ARGS_SIZE_VER0	(7 * sizeof(unsigned long))

/*
 * clone4 - create a process, optionally with a clonefd.
 *
 * @flags is clone(2)'s flags word widened to 64 bits: the exit signal in the
 * low byte (CSIGNAL), the classic CLONE_* flags, CLONE_CLEAR_SIGHAND, and
 * CLONE_FD, CLONE_AUTOREAP, CLONE_NNP and CLONE_PIDFD_AUTOKILL from
 * <linux/clonefd.h> (see there for their rules).  With CLONE_FD the
 * clonefd is stored in *args->clonefd before the child runs: it polls
 * readable once the child's whole thread group has exited, and read() on
 * it returns a struct clonefd_info.  With CLONE_AUTOREAP (exit signal 0)
 * the child never becomes a zombie and sends no signal.
 *
 * In the parent clone4() returns the child's pid, or -1 with errno set;
 * then no child was created and no descriptor is left open.
 *
 * The child:
 *  - fn == NULL: clone4() returns 0 in the child, like fork().  Only
 *    without CLONE_VM and without a stack (the child returns through the
 *    caller's frames, so it needs its own copy of them): else EINVAL.
 *  - fn != NULL: the child calls fn(arg) on its stack and exits (SYS_exit:
 *    this thread only, like clone(2)) with fn's return value; it never
 *    returns into a frame of the caller.  The stack is the one in @args,
 *    or the caller's (a copy of it without CLONE_VM; with
 *    CLONE_VM|CLONE_VFORK the part below the suspended caller's frames,
 *    as vfork() does).  CLONE_VM without a stack needs CLONE_VFORK: both
 *    processes would run on one stack (EINVAL).
 *
 * What the child may do - the rules of fork() and clone(2):
 *  - Like a raw clone(2), clone4() runs no pthread_atfork() handlers and
 *    does not reset the C library's per-thread state.  If the caller is
 *    multi-threaded, the child may only call async-signal-safe functions
 *    (as after fork()) until it execs or exits: another thread may have
 *    held a lock (malloc, stdio) at the moment of the clone.
 *  - glibc functions that address the "current thread" by its cached
 *    thread id (raise(), abort(), pthread_kill()) still address the
 *    caller's thread: use kill(getpid(), sig).
 *  - A CLONE_VM child shares the caller's memory, and without
 *    CLONE_SETTLS also its thread pointer, hence errno and every other
 *    thread-local variable of the calling thread.  Unless the caller is
 *    suspended (CLONE_VFORK), such a child must not use the C library
 *    beyond raw system calls (syscall(2) or its own) and functions that
 *    touch no global or thread-local state; with CLONE_SETTLS, @tls must
 *    point at a thread control block valid for the C library in use for
 *    any TLS access (glibc: fs:0 and fs:0x10 point to it, fs:0x28 holds
 *    the stack guard when built with -fstack-protector).
 *  - With CLONE_VFORK the caller is suspended until the child execs or
 *    exits; a CLONE_VM|CLONE_VFORK child may use async-signal-safe
 *    functions (this is how posix_spawn() is built; see clonefd_spawn()).
 *
 * Concurrency: clone4() is thread-safe and async-signal-safe.  It opens
 * /dev/clonefd once, O_CLOEXEC, and caches the descriptor; it checks
 * (fstat) on every call that the descriptor is still that device and
 * reopens it if the application closed or replaced it (closefrom(), a
 * descriptor sweep before exec, dup2() over it).  The library never closes
 * a descriptor it does not own.  The child does not inherit it (unless
 * CLONE_FILES shares the table): it is closed in the child before fn runs,
 * or before clone4() returns 0 there, so children do not pin the module.
 * Closing it concurrently with a clone4() in another thread is, as for
 * any library's descriptor, the application's race: that clone4() may
 * fail with EBADF or ENOTTY.
 *
 * Errors: those of clone(2), plus EINVAL for an invalid flag combination,
 * clonefd flag or stack (see above), E2BIG for non-zero bytes past the
 * known end of @args, EFAULT for a bad @args or @args->clonefd (no child is
 * created), ENOSYS when /dev/clonefd does not exist (the clonefd module
 * is not loaded: clonefd_strerror() says so), and ENOLINK while the module's
 * kernel hooks are disarmed (kprobes switched off by the administrator).
 */
int clone4(uint64_t flags, size_t args_size, struct clone4_args *args,
	   int (*fn)(void *), void *arg);

/*
 * clonefd_strerror - like strerror(), but for an errno from clone4() or
 * clonefd_spawn() it says what to do about it (ENOSYS: load the module;
 * ENOLINK: re-arm kprobes).
 */
const char *clonefd_strerror(int err);

/*
 * clonefd_spawn - posix_spawn() that returns a clonefd.
 *
 * The counterpart of glibc 2.39's pidfd_spawn(): runs @path with @argv and
 * @envp in a new process after applying @actions and @attr (both may be
 * NULL), and stores an O_CLOEXEC clonefd for it in *@clonefd and, if @pid
 * is not NULL, its pid in *@pid.  By default the child is created with
 * CLONE_AUTOREAP and exit signal 0: it never becomes a zombie, sends no
 * SIGCHLD, and is invisible to the application's waitpid(-1) - its exit
 * record is read from the clonefd.  clonefd_spawnattr_setexitsignal()
 * makes it a classic waitable child instead.
 *
 * Returns 0, or an error number (errno is left unchanged): the clone's
 * (see clone4()), ENOMEM, or the error of a file action, an attribute or
 * execve() in the child (ENOENT, EACCES, ENOEXEC...).  When the child
 * fails before or at exec it has exited and been reaped by the time
 * clonefd_spawn() returns, and no descriptor is left open.
 *
 * How: clone4(CLONE_VM | CLONE_VFORK | CLONE_FD ...) on a separate mmap()ed
 * stack (with a guard page), every signal blocked in the caller around it
 * and thread cancellation disabled.  The child first resets every caught
 * signal (and those in the SETSIGDEF set) to SIG_DFL, then applies setsid,
 * process group, scheduler, reset ids, the file actions in order, and the
 * signal mask (the caller's, or the SETSIGMASK one), and execs, making
 * system calls only (no locks, allocation or cancellation points).  The
 * caller resumes once the child has exec'd or exited.
 *
 * clonefd_spawnp() searches PATH (the caller's, not @envp's; "/bin:/usr/bin"
 * when unset) for a @path without a '/', like execvp() minus the shell
 * fallback for ENOEXEC, as posix_spawnp() does.
 *
 * Both are thread-safe.
 */
typedef struct clonefd_spawn_actions {
	struct clonefd_spawn_action *__actions;
	unsigned int __used;
	unsigned int __allocated;
	int __reserved[8];
} clonefd_spawn_actions_t;

/*
 * Why our own types and not posix_spawn_file_actions_t / posix_spawnattr_t:
 * those are opaque to everyone but the C library that defines them - their
 * layout is private to glibc (and another one in musl), changes between
 * versions, and has no API to read it back - so clonefd_spawn() could not
 * interpret them.  Ours are the same shape (init, add*, destroy; flags and
 * setters), have the Linux extensions everywhere (chdir, fchdir, closefrom,
 * setsid), and allocate nothing in the child.
 */
typedef struct clonefd_spawnattr {
	unsigned int __flags;
	pid_t __pgroup;
	int __exit_signal;
	int __policy;
	int __priority;
	int __reserved[11];
	sigset_t __sigmask;
	sigset_t __sigdefault;
} clonefd_spawnattr_t;

/* clonefd_spawnattr_setflags() */
#define CLONEFD_SPAWN_RESETIDS		0x01	/* effective ids := real ids */
#define CLONEFD_SPAWN_SETPGROUP		0x02	/* setpgid(0, pgroup) */
#define CLONEFD_SPAWN_SETSIGDEF		0x04	/* sigdefault set := SIG_DFL */
#define CLONEFD_SPAWN_SETSIGMASK	0x08	/* signal mask := sigmask */
#define CLONEFD_SPAWN_SETSCHEDPARAM	0x10	/* sched_setparam() */
#define CLONEFD_SPAWN_SETSCHEDULER	0x20	/* sched_setscheduler() */
#define CLONEFD_SPAWN_SETSID		0x80	/* setsid() */
/*
 * clonefd's own attributes (libclonefd 0.2), above the bits glibc uses for
 * POSIX_SPAWN_* so that those keep their glibc values here.
 * AUTOKILL: CLONE_PIDFD_AUTOKILL - SIGKILL for the child when the last
 *           reference to its clonefd file is closed; needs the default
 *           exit signal 0 (EINVAL from clonefd_spawn() with SIGCHLD) and,
 *           without CLONEFD_SPAWN_NNP, CAP_SYS_ADMIN (EPERM).
 * NNP:      CLONE_NNP - the child starts with no_new_privs set.
 */
#define CLONEFD_SPAWN_AUTOKILL		0x10000	/* CLONE_PIDFD_AUTOKILL */
#define CLONEFD_SPAWN_NNP		0x20000	/* CLONE_NNP */

int clonefd_spawn(int *clonefd, pid_t *pid, const char *path,
		  const clonefd_spawn_actions_t *actions,
		  const clonefd_spawnattr_t *attr,
		  char *const argv[], char *const envp[]);
int clonefd_spawnp(int *clonefd, pid_t *pid, const char *file,
		   const clonefd_spawn_actions_t *actions,
		   const clonefd_spawnattr_t *attr,
		   char *const argv[], char *const envp[]);

/*
 * File actions, applied in the order they were added; each returns 0 or
 * an error number (EBADF for a negative descriptor, ENOMEM).
 * addopen:     fd := open(path, oflag, mode) (the path is copied)
 * addclose:    close(fd)
 * adddup2:     newfd := dup2(fd); for fd == newfd, clears FD_CLOEXEC
 * addchdir:    chdir(path) (copied);  addfchdir: fchdir(fd)
 * addclosefrom: close every descriptor >= fd (close_range(2))
 */
int clonefd_spawn_actions_init(clonefd_spawn_actions_t *actions);
int clonefd_spawn_actions_destroy(clonefd_spawn_actions_t *actions);
int clonefd_spawn_actions_addopen(clonefd_spawn_actions_t *actions, int fd,
				  const char *path, int oflag, mode_t mode);
int clonefd_spawn_actions_addclose(clonefd_spawn_actions_t *actions, int fd);
int clonefd_spawn_actions_adddup2(clonefd_spawn_actions_t *actions, int fd,
				  int newfd);
int clonefd_spawn_actions_addchdir(clonefd_spawn_actions_t *actions,
				   const char *path);
int clonefd_spawn_actions_addfchdir(clonefd_spawn_actions_t *actions, int fd);
int clonefd_spawn_actions_addclosefrom(clonefd_spawn_actions_t *actions,
				       int fd);

/*
 * Attributes; each returns 0 or an error number (EINVAL).
 * setexitsignal: 0 (the default) for CLONE_AUTOREAP, or SIGCHLD for a
 *                classic child that must be waited for; any other signal is
 *                EINVAL (execve() would turn it into SIGCHLD).
 * setschedpolicy, setschedparam: the policy and priority for
 *                CLONEFD_SPAWN_SETSCHEDULER / CLONEFD_SPAWN_SETSCHEDPARAM.
 */
int clonefd_spawnattr_init(clonefd_spawnattr_t *attr);
int clonefd_spawnattr_destroy(clonefd_spawnattr_t *attr);
int clonefd_spawnattr_setflags(clonefd_spawnattr_t *attr, unsigned int flags);
int clonefd_spawnattr_setpgroup(clonefd_spawnattr_t *attr, pid_t pgroup);
int clonefd_spawnattr_setsigmask(clonefd_spawnattr_t *attr,
				 const sigset_t *sigmask);
int clonefd_spawnattr_setsigdefault(clonefd_spawnattr_t *attr,
				    const sigset_t *sigdefault);
int clonefd_spawnattr_setexitsignal(clonefd_spawnattr_t *attr, int sig);
int clonefd_spawnattr_setschedpolicy(clonefd_spawnattr_t *attr, int policy);
int clonefd_spawnattr_setschedparam(clonefd_spawnattr_t *attr,
				    const struct sched_param *param);

/*
 * The clonefd as a process handle (libclonefd 0.2, symbol version
 * CLONEFD_0.2).  Each takes a clonefd and returns like the system call it
 * stands for: -1 with errno on failure.  See clonefd_getpid(3) and
 * clonefd_wait(3); they need a clonefd module with the handle ioctls
 * (an older one fails them with ENOTTY).
 *
 * clonefd_getpid:  the child's pid in the caller's pid namespace, 0 if it
 *                  is not visible there; ESRCH once the child is reaped.
 * clonefd_kill:    kill(2) of the child's whole process (signal 0 only
 *                  checks); ESRCH once it has exited, so never a process
 *                  that reused its pid.
 * clonefd_pidfd:   a new pidfd for the child (@flags: O_CLOEXEC,
 *                  O_NONBLOCK); ESRCH once it is reaped.
 * clonefd_rusage:  the exited child's resource usage, as wait4(2) reports
 *                  it (times in ns, maxrss in KiB); EAGAIN before it exits,
 *                  EIO if the module lost the exit.
 * clonefd_wait:    waits up to @timeout_ms (negative: forever, 0: just
 *                  look) for the child's exit and stores its record in
 *                  *@info (may be NULL); 0, or -1 with ETIMEDOUT, EINTR
 *                  (a signal handler ran, as poll(2): not restarted), EIO
 *                  (the module lost the exit), EBADF, EFAULT.  Blocking
 *                  and O_NONBLOCK clonefds alike.
 */
pid_t clonefd_getpid(int cfd);
int clonefd_kill(int cfd, int sig);
int clonefd_pidfd(int cfd, unsigned int flags);
int clonefd_rusage(int cfd, struct clonefd_rusage *ru);
int clonefd_wait(int cfd, struct clonefd_info *info, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* CLONEFD_H */
