// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * clonefd_spawn(): posix_spawn() over clone4(CLONE_VM | CLONE_VFORK |
 * CLONE_FD), returning a clonefd.
 *
 * The child shares the caller's memory and thread pointer while the caller
 * is suspended, so it makes system calls only - through syscall(2), and
 * sigaction() for the dispositions: no cancellation points, no locks, no
 * allocation - and reports a failure by storing the error number in struct
 * spawn_child before it exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clonefd.h"
#include "internal.h"

#ifndef SYS_close_range
#define SYS_close_range	436	/* the same on every architecture */
#endif

#define SPAWN_STACK_SIZE	(64 * 1024)
#define SPAWN_DEFAULT_PATH	"/bin:/usr/bin"
#define SPAWN_KNOWN_FLAGS	(CLONEFD_SPAWN_RESETIDS | CLONEFD_SPAWN_SETPGROUP | \
				 CLONEFD_SPAWN_SETSIGDEF | CLONEFD_SPAWN_SETSIGMASK | \
				 CLONEFD_SPAWN_SETSCHEDPARAM | \
				 CLONEFD_SPAWN_SETSCHEDULER | CLONEFD_SPAWN_SETSID | \
				 CLONEFD_SPAWN_AUTOKILL | CLONEFD_SPAWN_NNP)

enum spawn_action_type {
	SPAWN_OPEN,
	SPAWN_CLOSE,
	SPAWN_DUP2,
	SPAWN_CHDIR,
	SPAWN_FCHDIR,
	SPAWN_CLOSEFROM,
};

struct clonefd_spawn_action {
	enum spawn_action_type type;
	int fd;
	int newfd;		/* DUP2 */
	int oflag;		/* OPEN */
	mode_t mode;		/* OPEN */
	char *path;		/* OPEN, CHDIR */
};

/* What the parent hands to the child, and the child's error. */
struct spawn_child {
	const char *path;
	const char *search;	/* PATH for clonefd_spawnp(), else NULL */
	char *const *argv;
	char *const *envp;
	const clonefd_spawn_actions_t *actions;
	const clonefd_spawnattr_t *attr;
	sigset_t mask;		/* the mask to exec with */
	volatile int err;
};

/* --- file actions and attributes (caller side) --- */

int clonefd_spawn_actions_init(clonefd_spawn_actions_t *actions)
{
	memset(actions, 0, sizeof(*actions));
	return 0;
}

int clonefd_spawn_actions_destroy(clonefd_spawn_actions_t *actions)
{
	unsigned int i;

	for (i = 0; i < actions->__used; i++)
		free(actions->__actions[i].path);
	free(actions->__actions);
	memset(actions, 0, sizeof(*actions));
	return 0;
}

/*
 * A descriptor an action may name: 0 up to the RLIMIT_NOFILE soft limit,
 * as glibc's __spawn_valid_fd() and POSIX (OPEN_MAX) have it.
 */
static int spawn_valid_fd(int fd)
{
	long max = sysconf(_SC_OPEN_MAX);

	return fd >= 0 && (max < 0 || fd < max);
}

/* Append an action; @path is copied.  Returns 0 or an error number. */
static int spawn_action_add(clonefd_spawn_actions_t *actions,
			    const struct clonefd_spawn_action *action,
			    const char *path)
{
	struct clonefd_spawn_action *a;
	unsigned int n;

	if (actions->__used == actions->__allocated) {
		n = actions->__allocated ? 2 * actions->__allocated : 8;
		a = realloc(actions->__actions, n * sizeof(*a));
		if (!a)
			return ENOMEM;
		actions->__actions = a;
		actions->__allocated = n;
	}
	a = &actions->__actions[actions->__used];
	*a = *action;
	a->path = NULL;
	if (path) {
		a->path = strdup(path);
		if (!a->path)
			return ENOMEM;
	}
	actions->__used++;
	return 0;
}

int clonefd_spawn_actions_addopen(clonefd_spawn_actions_t *actions, int fd,
				  const char *path, int oflag, mode_t mode)
{
	struct clonefd_spawn_action a = {
		.type = SPAWN_OPEN, .fd = fd, .oflag = oflag, .mode = mode,
	};

	if (!spawn_valid_fd(fd))
		return EBADF;
	return spawn_action_add(actions, &a, path);
}

int clonefd_spawn_actions_addclose(clonefd_spawn_actions_t *actions, int fd)
{
	struct clonefd_spawn_action a = { .type = SPAWN_CLOSE, .fd = fd };

	if (!spawn_valid_fd(fd))
		return EBADF;
	return spawn_action_add(actions, &a, NULL);
}

int clonefd_spawn_actions_adddup2(clonefd_spawn_actions_t *actions, int fd,
				  int newfd)
{
	struct clonefd_spawn_action a = {
		.type = SPAWN_DUP2, .fd = fd, .newfd = newfd,
	};

	if (!spawn_valid_fd(fd) || !spawn_valid_fd(newfd))
		return EBADF;
	return spawn_action_add(actions, &a, NULL);
}

int clonefd_spawn_actions_addchdir(clonefd_spawn_actions_t *actions,
				   const char *path)
{
	struct clonefd_spawn_action a = { .type = SPAWN_CHDIR };

	return spawn_action_add(actions, &a, path);
}

int clonefd_spawn_actions_addfchdir(clonefd_spawn_actions_t *actions, int fd)
{
	struct clonefd_spawn_action a = { .type = SPAWN_FCHDIR, .fd = fd };

	if (fd < 0)
		return EBADF;
	return spawn_action_add(actions, &a, NULL);
}

int clonefd_spawn_actions_addclosefrom(clonefd_spawn_actions_t *actions,
				       int fd)
{
	struct clonefd_spawn_action a = { .type = SPAWN_CLOSEFROM, .fd = fd };

	if (!spawn_valid_fd(fd))
		return EBADF;
	return spawn_action_add(actions, &a, NULL);
}

int clonefd_spawnattr_init(clonefd_spawnattr_t *attr)
{
	memset(attr, 0, sizeof(*attr));
	sigemptyset(&attr->__sigmask);
	sigemptyset(&attr->__sigdefault);
	return 0;
}

int clonefd_spawnattr_destroy(clonefd_spawnattr_t *attr)
{
	(void)attr;
	return 0;
}

int clonefd_spawnattr_setflags(clonefd_spawnattr_t *attr, unsigned int flags)
{
	if (flags & ~SPAWN_KNOWN_FLAGS)
		return EINVAL;
	attr->__flags = flags;
	return 0;
}

int clonefd_spawnattr_setpgroup(clonefd_spawnattr_t *attr, pid_t pgroup)
{
	if (pgroup < 0)
		return EINVAL;
	attr->__pgroup = pgroup;
	return 0;
}

int clonefd_spawnattr_setsigmask(clonefd_spawnattr_t *attr,
				 const sigset_t *sigmask)
{
	attr->__sigmask = *sigmask;
	return 0;
}

int clonefd_spawnattr_setsigdefault(clonefd_spawnattr_t *attr,
				    const sigset_t *sigdefault)
{
	attr->__sigdefault = *sigdefault;
	return 0;
}

/*
 * Only 0 (autoreap) and SIGCHLD: execve() turns any other exit signal into
 * SIGCHLD, so a spawned child could not keep it.
 */
int clonefd_spawnattr_setexitsignal(clonefd_spawnattr_t *attr, int sig)
{
	if (sig != 0 && sig != SIGCHLD)
		return EINVAL;
	attr->__exit_signal = sig;
	return 0;
}

int clonefd_spawnattr_setschedpolicy(clonefd_spawnattr_t *attr, int policy)
{
	if (policy < 0)
		return EINVAL;
	attr->__policy = policy;
	return 0;
}

int clonefd_spawnattr_setschedparam(clonefd_spawnattr_t *attr,
				    const struct sched_param *param)
{
	attr->__priority = param->sched_priority;
	return 0;
}

/* --- the child: system calls only --- */

/* 0, or the errno of a failed system call. */
static int sys_err(long ret)
{
	return ret < 0 ? errno : 0;
}

/*
 * A handler of the caller would run on the child's borrowed memory: reset
 * every caught signal to SIG_DFL before anything can be delivered (all
 * signals are blocked until the mask is set at the end).  The C library's
 * internal signals (glibc's SIGCANCEL, SIGSETXID) refuse sigaction(); they
 * are only ever sent to the caller's threads by thread id.
 */
static void child_reset_signals(const clonefd_spawnattr_t *attr)
{
	struct sigaction sa;
	int sig, dfl;

	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		dfl = (attr->__flags & CLONEFD_SPAWN_SETSIGDEF) &&
		      sigismember(&attr->__sigdefault, sig) == 1;
		if (!dfl) {
			if (sigaction(sig, NULL, &sa) < 0 ||
			    sa.sa_handler == SIG_IGN || sa.sa_handler == SIG_DFL)
				continue;
		}
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigaction(sig, &sa, NULL);
	}
}

static int child_scheduler(const clonefd_spawnattr_t *attr)
{
	struct sched_param param = { .sched_priority = attr->__priority };

	if (attr->__flags & CLONEFD_SPAWN_SETSCHEDULER)
		return sys_err(syscall(SYS_sched_setscheduler, 0, attr->__policy,
				       &param));
	if (attr->__flags & CLONEFD_SPAWN_SETSCHEDPARAM)
		return sys_err(syscall(SYS_sched_setparam, 0, &param));
	return 0;
}

static int child_attributes(const clonefd_spawnattr_t *attr)
{
	long gid, uid;
	int err;

	if (attr->__flags & CLONEFD_SPAWN_SETSID) {
		err = sys_err(syscall(SYS_setsid));
		if (err)
			return err;
	}
	if (attr->__flags & CLONEFD_SPAWN_SETPGROUP) {
		err = sys_err(syscall(SYS_setpgid, 0, attr->__pgroup));
		if (err)
			return err;
	}
	err = child_scheduler(attr);
	if (err)
		return err;
	if (attr->__flags & CLONEFD_SPAWN_RESETIDS) {
		/* Raw: glibc's set*id() would signal all the caller's threads. */
		gid = syscall(SYS_getgid);
		uid = syscall(SYS_getuid);
		err = sys_err(syscall(SYS_setresgid, -1, gid, -1));
		if (!err)
			err = sys_err(syscall(SYS_setresuid, -1, uid, -1));
		if (err)
			return err;
	}
	return 0;
}

/* The RLIMIT_NOFILE soft limit, or -1 if it is unlimited or unknown. */
static long child_nofile(void)
{
	struct { uint64_t cur, max; } rl;	/* struct rlimit64 */

	if (syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) < 0 ||
	    rl.cur >= INT_MAX)
		return -1;
	return (long)rl.cur;
}

static int child_closefrom(int fd)
{
	long max, i;

	if (syscall(SYS_close_range, fd, ~0U, 0) == 0)
		return 0;
	if (errno != ENOSYS)
		return errno;
	/* Before Linux 5.9: close them one by one, up to the limit. */
	max = child_nofile();
	if (max < 0)
		max = 65536;
	for (i = fd; i < max; i++)
		syscall(SYS_close, i);
	return 0;
}

/*
 * close(fd), where a descriptor that is not open is no error (glibc and
 * musl): only one at or above the RLIMIT_NOFILE soft limit fails (EBADF).
 */
static int child_close(int fd)
{
	long max;

	if (syscall(SYS_close, fd) == 0)
		return 0;
	max = child_nofile();
	if (max >= 0 && fd >= max)
		return EBADF;
	return 0;
}

/*
 * POSIX: "if fildes was already an open file descriptor, it shall be
 * closed before the new file is opened" - so an open succeeds in a full
 * table, and a device that allows one open at a time can be reopened.
 */
static int child_open(const struct clonefd_spawn_action *a)
{
	long fd;
	int err;

	syscall(SYS_close, a->fd);
	fd = syscall(SYS_openat, AT_FDCWD, a->path, a->oflag, a->mode);
	if (fd < 0)
		return errno;
	if (fd == a->fd)
		return 0;
	err = sys_err(syscall(SYS_dup3, fd, a->fd, 0));
	syscall(SYS_close, fd);
	return err;
}

static int child_dup2(const struct clonefd_spawn_action *a)
{
	long fl;

	if (a->fd != a->newfd)
		return sys_err(syscall(SYS_dup3, a->fd, a->newfd, 0));
	/* dup2(fd, fd) is a no-op: POSIX has the action clear FD_CLOEXEC. */
	fl = syscall(SYS_fcntl, a->fd, F_GETFD);
	if (fl < 0)
		return errno;
	return sys_err(syscall(SYS_fcntl, a->fd, F_SETFD, fl & ~FD_CLOEXEC));
}

static int child_action(const struct clonefd_spawn_action *a)
{
	switch (a->type) {
	case SPAWN_OPEN:
		return child_open(a);
	case SPAWN_CLOSE:
		return child_close(a->fd);
	case SPAWN_DUP2:
		return child_dup2(a);
	case SPAWN_CHDIR:
		return sys_err(syscall(SYS_chdir, a->path));
	case SPAWN_FCHDIR:
		return sys_err(syscall(SYS_fchdir, a->fd));
	case SPAWN_CLOSEFROM:
		return child_closefrom(a->fd);
	}
	return EINVAL;
}

static int child_actions(const clonefd_spawn_actions_t *actions)
{
	unsigned int i;
	int err;

	for (i = 0; actions && i < actions->__used; i++) {
		err = child_action(&actions->__actions[i]);
		if (err)
			return err;
	}
	return 0;
}

/*
 * execvp()'s search, as glibc's posix_spawnp() does it, without its
 * allocation and its ENOEXEC fallback: a name longer than NAME_MAX is
 * ENAMETOOLONG; only the errors that say "not here" (ENOENT, ENOTDIR,
 * EACCES, ESTALE, ENODEV, ETIMEDOUT) go on to the next directory, any
 * other ends the search; when nothing ran, EACCES if one was seen, else
 * the last error.  An entry of PATH_MAX characters or more is skipped
 * (glibc tries the current directory in its place).
 */
static int child_exec_search(const struct spawn_child *c)
{
	size_t flen = strnlen(c->path, NAME_MAX + 1), dlen;
	const char *dir = c->search, *end;
	char buf[PATH_MAX + NAME_MAX + 2];
	int err = ENOENT, eacces = 0;

	if (!flen)
		return ENOENT;
	if (flen > NAME_MAX)
		return ENAMETOOLONG;
	for (;; dir = end + 1) {
		end = strchrnul(dir, ':');
		dlen = end - dir;
		if (dlen < PATH_MAX) {
			memcpy(buf, dir, dlen);
			if (dlen)	/* an empty element is the cwd */
				buf[dlen++] = '/';
			memcpy(buf + dlen, c->path, flen + 1);
			syscall(SYS_execve, buf, c->argv, c->envp);
			err = errno;
			switch (err) {
			case EACCES:
				eacces = 1;
				break;
			case ENOENT:
			case ENOTDIR:
			case ESTALE:
			case ENODEV:
			case ETIMEDOUT:
				break;
			default:
				return err;
			}
		}
		if (!*end)
			break;
	}
	return eacces ? EACCES : err;
}

static int child_exec(const struct spawn_child *c)
{
	if (c->search)
		return child_exec_search(c);
	syscall(SYS_execve, c->path, c->argv, c->envp);
	return errno;
}

/* clone4()'s fn: runs on the spawn stack, in the caller's memory. */
static int spawn_child_main(void *arg)
{
	struct spawn_child *c = arg;
	int err;

	child_reset_signals(c->attr);
	err = child_attributes(c->attr);
	if (!err)
		err = child_actions(c->actions);
	if (!err)
		err = sys_err(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &c->mask,
				      NULL, NSIG / 8));
	if (!err)
		err = child_exec(c);
	c->err = err ? err : ENOEXEC;
	return 127;
}

/* --- the caller --- */

/* Reap a child that failed before or at exec; it has exited or will. */
static void spawn_reap_failed(int cfd, pid_t pid, int exit_signal)
{
	struct clonefd_info info;

	if (exit_signal) {
		while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
			;
		return;
	}
	/* Autoreap: once the record is there, the child is gone. */
	while (read(cfd, &info, sizeof(info)) < 0 && errno == EINTR)
		;
}

/*
 * The child's stack: SPAWN_STACK_SIZE above a PROT_NONE guard page, so
 * that an overflow faults instead of writing over the caller's memory.
 */
static size_t spawn_stack_len(void)
{
	return (size_t)sysconf(_SC_PAGESIZE) + SPAWN_STACK_SIZE;
}

static void *spawn_stack_map(void)
{
	size_t len = spawn_stack_len();
	char *map;

	map = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (map == MAP_FAILED)
		return NULL;
	if (mprotect(map, len - SPAWN_STACK_SIZE, PROT_NONE) < 0) {
		munmap(map, len);
		return NULL;
	}
	return map;
}

/*
 * One stack is kept for the next spawn: mapping, guarding and unmapping
 * it each time (with the child's page faults on the new pages and the
 * TLB shootdown of the unmap) cost 6 % of a whole spawn -> exec -> exit
 * cycle (bench/clonefd-bench, 6.1 under TCG).  A spawn takes the stack
 * with an atomic exchange; one that finds the slot empty (another thread,
 * a signal handler, or the first spawn) maps its own, and a stack goes
 * back into the slot if that is empty, or is unmapped.  No lock: the
 * slot is the only shared state.  A process forked while a spawn holds
 * the stack keeps that mapping unused.
 */
static void *spawn_stack_slot;

static void *spawn_stack_get(void)
{
	void *map = __atomic_exchange_n(&spawn_stack_slot, NULL, __ATOMIC_ACQUIRE);

	return map ? map : spawn_stack_map();
}

static void spawn_stack_put(void *map)
{
	void *empty = NULL;

	if (!__atomic_compare_exchange_n(&spawn_stack_slot, &empty, map, 0,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		munmap(map, spawn_stack_len());
}

/* When the library is unloaded (dlclose()), its stack goes with it. */
__attribute__((destructor)) static void spawn_stack_release(void)
{
	void *map = __atomic_exchange_n(&spawn_stack_slot, NULL, __ATOMIC_ACQUIRE);

	if (map)
		munmap(map, spawn_stack_len());
}

static int spawn_clone(struct spawn_child *c, int *cfd, pid_t *pid)
{
	int exit_signal = c->attr->__exit_signal;
	struct clone4_args args = {
		.stack_size = SPAWN_STACK_SIZE,
		.clonefd = cfd,
		.clonefd_flags = O_CLOEXEC,
	};
	uint64_t flags = CLONE_VM | CLONE_VFORK | CLONE_FD;
	sigset_t all, old;
	char *map;
	int err = 0;

	*pid = -1;
	flags |= exit_signal ? (uint64_t)exit_signal : CLONE_AUTOREAP;
	if (c->attr->__flags & CLONEFD_SPAWN_AUTOKILL)
		flags |= CLONE_PIDFD_AUTOKILL;
	if (c->attr->__flags & CLONEFD_SPAWN_NNP)
		flags |= CLONE_NNP;
	map = spawn_stack_get();
	if (!map)
		return errno;
	args.stack_start = (unsigned long)(map + spawn_stack_len() - SPAWN_STACK_SIZE);

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (c->attr->__flags & CLONEFD_SPAWN_SETSIGMASK)
		c->mask = c->attr->__sigmask;
	else
		c->mask = old;

	*pid = clone4(flags, sizeof(args), &args, spawn_child_main, c);
	if (*pid < 0)
		err = errno;
	else if (c->err)
		err = c->err;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!err || *pid < 0)
		goto out_put;

	/* The child failed before or at exec: it is gone when we return. */
	spawn_reap_failed(*cfd, *pid, exit_signal);
	close(*cfd);
out_put:
	/* The child has exec'd or exited: it no longer uses the stack. */
	spawn_stack_put(map);
	return err;
}

static int spawn_common(int *clonefd, pid_t *pidp, const char *path,
			const clonefd_spawn_actions_t *actions,
			const clonefd_spawnattr_t *attr,
			char *const argv[], char *const envp[], int search)
{
	clonefd_spawnattr_t defattr;
	struct spawn_child c = {
		.path = path, .argv = argv, .envp = envp, .actions = actions,
	};
	int saved_errno = errno, cancel, cfd = -1, err;
	pid_t pid = -1;

	if (!clonefd || !path)
		return EINVAL;
	if (!attr) {
		clonefd_spawnattr_init(&defattr);
		attr = &defattr;
	}
	/* CLONE_PIDFD_AUTOKILL needs CLONE_AUTOREAP (exit signal 0). */
	if ((attr->__flags & CLONEFD_SPAWN_AUTOKILL) && attr->__exit_signal)
		return EINVAL;
	c.attr = attr;
	if (search && !strchr(path, '/')) {
		c.search = getenv("PATH");
		if (!c.search)
			c.search = SPAWN_DEFAULT_PATH;
	}

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	err = spawn_clone(&c, &cfd, &pid);
	pthread_setcancelstate(cancel, NULL);
	errno = saved_errno;
	if (err)
		return err;
	*clonefd = cfd;
	if (pidp)
		*pidp = pid;
	return 0;
}

int clonefd_spawn(int *clonefd, pid_t *pid, const char *path,
		  const clonefd_spawn_actions_t *actions,
		  const clonefd_spawnattr_t *attr,
		  char *const argv[], char *const envp[])
{
	return spawn_common(clonefd, pid, path, actions, attr, argv, envp, 0);
}

int clonefd_spawnp(int *clonefd, pid_t *pid, const char *file,
		   const clonefd_spawn_actions_t *actions,
		   const clonefd_spawnattr_t *attr,
		   char *const argv[], char *const envp[])
{
	return spawn_common(clonefd, pid, file, actions, attr, argv, envp, 1);
}
