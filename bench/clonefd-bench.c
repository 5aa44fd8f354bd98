// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * clonefd-bench - what clonefd costs against the kernel's native paths,
 * measured side by side in one run.  A benchmark, not a test: it prints a
 * table (and a CSV) and judges nothing.
 *
 *   clonefd-bench [--rounds N] [--scale K,K...] [--module KO] [--csv FILE]
 *                 [--only SECTION,...]
 *
 * Every row is the median of per-round ratios to a baseline measured in the
 * same rounds, with the interquartile range of those ratios, over N rounds
 * (default 21).  Within a round the methods are interleaved call by call,
 * in a new random order for every pass, so that drift and noise on a busy
 * machine (a TCG guest: +-5 % per round) hit every method alike, and so
 * that no method always follows the same one: what a call leaves behind
 * (an exited child's last context switch, RCU callbacks freeing its task)
 * lands on whichever call comes next.  A method's figure in a round is the
 * median of its calls there, which a host that preempts the guest in the
 * middle of one call does not move.  The absolute times (median us per
 * call) are there for orientation only.
 *
 * Sections
 *   module    fork+exit+waitpid with the module loaded vs not: unloads and
 *             loads it (--module KO: its .ko) between the halves of every
 *             round.  Skipped without --module.  Runs first, before this
 *             program has opened /dev/clonefd.
 *   breakdown single system calls, to say where a clone4() spends its time
 *             beyond the clone (vs getppid(2)).
 *   cycle     spawn -> exit -> status: a child that exits at once and its
 *             exit status collected, vs clone3(CLONE_PIDFD)+poll+waitid.
 *   spawn     the same with an exec (of this program, which exits at once
 *             when run as "clonefd-bench --exit"), vs posix_spawn+waitpid.
 *   create    parent-side time to create a child that stays alive (blocked
 *             on a pipe), vs clone3(CLONE_PIDFD); released after each round.
 *   big       spawn+exec+status from a parent with 1 GiB resident, vs
 *             posix_spawn+waitpid (why spawn APIs exist), in a child
 *             process that touches the 1 GiB first.
 *   memory    slab bytes per live child (/proc/slabinfo, 2000 at a time,
 *             5 rounds), a child with a pidfd vs one with a clonefd
 *             (tracked by the module), and the caches where they differ;
 *             the children share the parent's descriptor table, which
 *             they would otherwise each copy.
 *   scale     K clonefd children (CLONE_FD|CLONE_AUTOREAP) and K pidfd
 *             children alive alongside, for each K: creating them (in
 *             pairs, a round is 100 pairs), one more cycle with all of them
 *             alive, and their exits collected through one epoll set (a
 *             round releases 100 of each kind, one kind after the other,
 *             and times each from the release to its last exit collected).
 *             Rounds: at least N, as many populations as that takes.
 *
 * Needs /dev/clonefd; root for the module section and for raising pid_max
 * and RLIMIT_NOFILE for the scale section.  Runs as is on a host where the
 * module is installed: absolute times there are meaningful.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <clonefd.h>

#include "bench.h"

#define MAX_ROUNDS	1000
#define MAX_METHODS	8
#define BLOCK		100	/* children per round in the scale section */

/* Linux 6.13's PIDFD_GET_INFO (PIDFD_INFO_EXIT: 6.15), as far as read here. */
struct bench_pidfd_info {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};
#define BENCH_PIDFD_GET_INFO	_IOWR(0xFF, 11, struct bench_pidfd_info)
#define BENCH_PIDFD_INFO_EXIT	(1ULL << 3)

extern char **environ;

static int rounds = 21;
static char self_exe[4096];
static int devfd = -1;
static int gate[2];
static char *csv_buf;
static size_t csv_len;
static char kernel[128];
static const char *only;

/* Is section @name to run (--only)? */
static int wanted(const char *name)
{
	size_t len = strlen(name);
	const char *p;

	if (!only)
		return 1;
	for (p = only; (p = strstr(p, name)); p += len)
		if ((p == only || p[-1] == ',') && (!p[len] || p[len] == ','))
			return 1;
	return 0;
}

static void die(const char *what)
{
	fprintf(stderr, "clonefd-bench: %s: %s\n", what, clonefd_strerror(errno));
	exit(1);
}

/* --- statistics and output --- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct stats {
	double med, q1, q3;
};

/* Median and quartiles (linear interpolation between order statistics). */
static struct stats stats_of(const double *v, int n)
{
	double s[MAX_ROUNDS];
	struct stats st;
	double pos;
	int lo;

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
#define QUANT(q) (pos = (q) * (n - 1), lo = (int)pos, \
		  lo + 1 < n ? s[lo] + (pos - lo) * (s[lo + 1] - s[lo]) : s[lo])
	st.med = QUANT(0.5);
	st.q1 = QUANT(0.25);
	st.q3 = QUANT(0.75);
#undef QUANT
	return st;
}

static void section(const char *name, const char *what)
{
	printf("\n%s: %s\n", name, what);
	printf("  %-44s %11s %7s  %-15s %6s\n", "", "us/call", "ratio", "IQR", "rounds");
	fflush(stdout);
}

static void csv_row(const char *sect, const char *row, const char *base,
		    const char *unit, int n, struct stats r, double us, const char *note)
{
	char line[512];
	int len;

	len = snprintf(line, sizeof(line), "%s,%s,\"%s\",\"%s\",%s,%d,%.4f,%.4f,%.4f,%.2f,\"%s\"\n",
		       kernel, sect, row, base, unit, n, r.med, r.q1, r.q3, us, note);
	csv_buf = realloc(csv_buf, csv_len + len + 1);
	if (!csv_buf)
		die("realloc");
	memcpy(csv_buf + csv_len, line, len + 1);
	csv_len += len;
}

/* One row: ratios[] against the baseline, us[] per call, over @n rounds. */
static void row(const char *sect, const char *name, const char *base,
		const double *ratios, const double *us, int n)
{
	struct stats r = stats_of(ratios, n), u = stats_of(us, n);

	printf("  %-44s %11.1f %7.3f  %6.3f..%-6.3f %6d\n", name, u.med, r.med, r.q1, r.q3, n);
	fflush(stdout);
	csv_row(sect, name, base, "ratio", n, r, u.med, "");
}

static void row_na(const char *sect, const char *name, const char *why)
{
	struct stats z = { 0, 0, 0 };

	printf("  %-44s %11s %7s  %s\n", name, "-", "n/a", why);
	fflush(stdout);
	csv_row(sect, name, "", "na", 0, z, 0, why);
}

/* --- the methods: each creates a child, waits for it and returns 0 --- */

struct method {
	const char *name;
	int (*run)(void);
};

static int exit_now(void *arg)
{
	(void)arg;
	return 0;
}

static int wait_pidfd(int pidfd)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	siginfo_t si;

	if (poll(&pfd, 1, -1) != 1 || waitid(P_PIDFD, pidfd, &si, WEXITED) < 0)
		return -1;
	return close(pidfd);
}

static long clone3_pidfd(uint64_t flags, int exit_signal, int *pidfd)
{
	struct clone_args args = {
		.flags = CLONE_PIDFD | flags,
		.pidfd = (uintptr_t)pidfd,
		.exit_signal = exit_signal,
	};

	return syscall(SYS_clone3, &args, sizeof(args));
}

static int m_clone3(void)
{
	int pidfd = -1;
	long pid = clone3_pidfd(0, SIGCHLD, &pidfd);

	if (pid == 0)
		_exit(0);
	return pid < 0 ? -1 : wait_pidfd(pidfd);
}

static int read_clonefd(int cfd)
{
	struct clonefd_info info;

	if (read(cfd, &info, sizeof(info)) != sizeof(info))
		return -1;
	return close(cfd);
}

static int clone4_cycle(uint64_t flags, int (*fn)(void *))
{
	struct clone4_args args;
	int cfd = -1;
	pid_t pid;

	args = (struct clone4_args){ .clonefd = &cfd, .clonefd_flags = O_CLOEXEC };
	pid = clone4(flags | CLONE_FD, sizeof(args), &args, fn, NULL);
	if (pid == 0)
		_exit(0);
	if (pid < 0 || read_clonefd(cfd))
		return -1;
	if (!(flags & CLONE_AUTOREAP) && waitpid(pid, NULL, 0) != pid)
		return -1;
	return 0;
}

static int m_clone4_autoreap(void)
{
	return clone4_cycle(CLONE_AUTOREAP, exit_now);
}

static int m_clone4_fd(void)
{
	return clone4_cycle(SIGCHLD, exit_now);
}

static int m_clone4_fd_forklike(void)
{
	return clone4_cycle(SIGCHLD, NULL);
}

/* The module alone: CLONEFD_IOC_CLONE4 without the library. */
static int m_ioctl_fd(void)
{
	struct clonefd_clone4_args req = { .flags = CLONE_FD | SIGCHLD };
	int cfd = -1;
	long pid;

	req.clonefd = (uintptr_t)&cfd;
	req.clonefd_flags = O_CLOEXEC;
	pid = syscall(SYS_ioctl, devfd, CLONEFD_IOC_CLONE4, &req);
	if (pid == 0)
		_exit(0);
	if (pid < 0 || read_clonefd(cfd))
		return -1;
	return waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

static int m_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return pid > 0 && waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

static int m_vfork(void)
{
	pid_t pid = vfork();

	if (pid == 0)
		_exit(0);
	return pid > 0 && waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

/* Linux 7.1's own CLONE_AUTOREAP: the exit status from PIDFD_GET_INFO. */
static long native_retries;

static int m_native_autoreap(void)
{
	struct bench_pidfd_info info;
	struct pollfd pfd;
	int pidfd = -1;
	long pid = clone3_pidfd(CLONE_AUTOREAP, 0, &pidfd);

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return -1;
	pfd = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	if (poll(&pfd, 1, -1) != 1)
		return -1;
	for (;;) {
		info = (struct bench_pidfd_info){ .mask = BENCH_PIDFD_INFO_EXIT };
		if (ioctl(pidfd, BENCH_PIDFD_GET_INFO, &info) == 0 &&
		    (info.mask & BENCH_PIDFD_INFO_EXIT))
			break;
		native_retries++;
		sched_yield();
	}
	return close(pidfd);
}

/* --- spawn with exec --- */

static char *exit_argv[] = { self_exe, "--exit", NULL };

static int m_posix_spawn(void)
{
	pid_t pid;

	if (posix_spawn(&pid, self_exe, NULL, NULL, exit_argv, environ))
		return -1;
	return waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

static int m_clonefd_spawn(void)
{
	int cfd, err;

	err = clonefd_spawn(&cfd, NULL, self_exe, NULL, NULL, exit_argv, environ);
	if (err) {
		errno = err;
		return -1;
	}
	return read_clonefd(cfd);
}

/*
 * What clonefd_spawn() does at its core, without the rest (its own mmap()ed
 * stack with a guard page, signals blocked and reset, cancellation off):
 * clone4(CLONE_VM|CLONE_VFORK|CLONE_FD|CLONE_AUTOREAP) on a static stack.
 */
static char vfork_stack[64 * 1024] __attribute__((aligned(16)));

static int exec_self(void *arg)
{
	(void)arg;
	syscall(SYS_execve, self_exe, exit_argv, environ);
	return 127;
}

static int m_clone4_vfork_exec(void)
{
	struct clone4_args args;
	int cfd = -1;
	pid_t pid;

	args = (struct clone4_args){
		.stack_start = (uintptr_t)vfork_stack,
		.stack_size = sizeof(vfork_stack),
		.clonefd = &cfd,
		.clonefd_flags = O_CLOEXEC,
	};
	pid = clone4(CLONE_VM | CLONE_VFORK | CLONE_FD | CLONE_AUTOREAP, sizeof(args),
		     &args, exec_self, NULL);
	return pid < 0 ? -1 : read_clonefd(cfd);
}

static int m_fork_exec(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		execve(self_exe, exit_argv, environ);
		_exit(127);
	}
	return pid > 0 && waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

static int m_vfork_exec(void)
{
	pid_t pid = vfork();

	if (pid == 0) {
		execve(self_exe, exit_argv, environ);
		_exit(127);
	}
	return pid > 0 && waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

/* The median of @n values (reorders them). */
static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * Rounds of @calls calls of every method, interleaved call by call in a
 * new random order each pass (bench_shuffle()).  A method's figure in a
 * round is the median of its calls there - robust to the host preempting
 * the guest in the middle of one - and its ratio that over the baseline's
 * (the first method's).
 */
static void interleave(const char *sect, const struct method *m, int n, int calls)
{
	static double ratio[MAX_METHODS][MAX_ROUNDS], us[MAX_METHODS][MAX_ROUNDS];
	double *t = calloc(n * calls, sizeof(*t)), t0;
	int order[MAX_METHODS];
	int r, c, j, k;

	if (!t)
		die("calloc");
	for (j = 0; j < n; j++)		/* warm up */
		if (m[j].run())
			die(m[j].name);
	for (r = 0; r < rounds; r++) {
		for (c = 0; c < calls; c++) {
			bench_shuffle(order, n);
			for (j = 0; j < n; j++) {
				k = order[j];
				t0 = bench_now_us();
				if (m[k].run())
					die(m[k].name);
				t[k * calls + c] = bench_now_us() - t0;
			}
		}
		for (j = 0; j < n; j++)
			us[j][r] = median(&t[j * calls], calls);
		for (j = 0; j < n; j++)
			ratio[j][r] = us[j][r] / us[0][r];
	}
	free(t);
	for (j = 0; j < n; j++)
		row(sect, m[j].name, m[0].name, ratio[j], us[j], rounds);
}

/* --- module: fork+exit+waitpid, module loaded vs not --- */

/* The median time of @calls (<= 64) fork+exit+waitpid cycles. */
static double fork_cycles(int calls)
{
	double t[64], t0;
	int i;

	for (i = 0; i < calls; i++) {
		t0 = bench_now_us();
		if (m_fork())
			die("fork");
		t[i] = bench_now_us() - t0;
	}
	return median(t, calls);
}

static int module_load(const char *ko)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

/*
 * After a load or an unload, before timing: let the kernel finish it in
 * the background (the grace periods that free the probes, the kprobe
 * optimizer's delayed work), then run a few untimed cycles.
 */
static void settle(void)
{
	usleep(200 * 1000);
	fork_cycles(3);
}

/* fork_cycles() with the module unloaded, loaded again after. */
static double unloaded_cycles(const char *ko, int calls)
{
	double t;

	if (syscall(SYS_delete_module, "clonefd", O_NONBLOCK) < 0)
		die("delete_module");
	settle();
	t = fork_cycles(calls);
	if (module_load(ko) < 0)
		die("finit_module");
	settle();
	return t;
}

static void bench_module(const char *ko)
{
	static double ratio[MAX_ROUNDS], us[MAX_ROUNDS];
	const char *name = "fork+exit+waitpid, module loaded";
	double on, off;
	int r, calls = 20;

	section("module", "the module's cost to processes that do not use it, vs the same with the module unloaded");
	if (!ko) {
		row_na("module", name, "no --module KO given");
		return;
	}
	if (syscall(SYS_delete_module, "clonefd", O_NONBLOCK) < 0) {
		row_na("module", name, "cannot unload the module");
		return;
	}
	if (module_load(ko) < 0)
		die("finit_module");
	settle();
	for (r = 0; r < rounds; r++) {
		/* Alternate which half comes first. */
		if (r % 2) {
			off = unloaded_cycles(ko, calls);
			on = fork_cycles(calls);
		} else {
			on = fork_cycles(calls);
			off = unloaded_cycles(ko, calls);
		}
		ratio[r] = on / off;
		us[r] = on;
	}
	row("module", name, "fork+exit+waitpid, module unloaded", ratio, us, rounds);
}

/* --- breakdown: single system calls --- */

static int s_getppid(void)
{
	return syscall(SYS_getppid) > 0 ? 0 : -1;
}

static int s_fstat_libc(void)
{
	struct stat st;

	return fstat(devfd, &st);
}

static int s_fstat_sys(void)
{
	struct stat st;

	return syscall(SYS_fstat, devfd, &st);
}

static int s_fcntl(void)
{
	return fcntl(devfd, F_GETFD) < 0 ? -1 : 0;
}

static int s_ioctl_enotty(void)
{
	return ioctl(devfd, _IO(CLONEFD_IOC_MAGIC, 0x7f)) < 0 && errno == ENOTTY ? 0 : -1;
}

/* Refused with EINVAL after the armed check (the canary kprobe). */
static int s_ioctl_einval(void)
{
	struct clonefd_clone4_args req = { .flags = 1ULL << 50 };

	return ioctl(devfd, CLONEFD_IOC_CLONE4, &req) < 0 && errno == EINVAL ? 0 : -1;
}

static const struct method breakdown[] = {
	{ "getppid()", s_getppid },
	{ "fstat() of the C library on /dev/clonefd", s_fstat_libc },
	{ "fstat(2) (SYS_fstat) on /dev/clonefd", s_fstat_sys },
	{ "fcntl(F_GETFD) on /dev/clonefd", s_fcntl },
	{ "ioctl(/dev/clonefd, unknown): ENOTTY", s_ioctl_enotty },
	{ "ioctl(CLONE4, bad flags): canary, EINVAL", s_ioctl_einval },
};

/* --- create: parent-side time of a child that stays alive --- */

enum kind { K_CLONE3, K_CLONE4_AR, K_CLONE4_FD, K_FORK, K_NKINDS };

static const char *const kind_name[] = {
	"clone3(CLONE_PIDFD)",
	"clone4(CLONE_FD|CLONE_AUTOREAP)",
	"clone4(CLONE_FD)",
	"fork()",
};

struct child {
	enum kind kind;
	int fd;		/* pidfd or clonefd, -1 for fork() */
	pid_t pid;
};

/* The read end a child about to be created will wait on. */
static int child_gate;

static int block_on_gate(void *arg)
{
	char c;

	(void)arg;
	return read(child_gate, &c, 1) == 1 ? 0 : 1;
}

/*
 * Create a child of @kind that waits for a byte on @gfd, with @files
 * (CLONE_FILES or 0); returns the parent's time in us.
 */
static double create(enum kind kind, struct child *ch, int gfd, uint64_t files)
{
	struct clone4_args args;
	double t0;
	long pid;

	ch->kind = kind;
	ch->fd = -1;
	child_gate = gfd;
	args = (struct clone4_args){ .clonefd = &ch->fd, .clonefd_flags = O_CLOEXEC };
	t0 = bench_now_us();
	switch (kind) {
	case K_CLONE3:
		pid = clone3_pidfd(files, SIGCHLD, &ch->fd);
		if (pid == 0)
			_exit(block_on_gate(NULL));
		break;
	case K_CLONE4_AR:
		pid = clone4(CLONE_FD | CLONE_AUTOREAP | files, sizeof(args), &args,
			     block_on_gate, NULL);
		break;
	case K_CLONE4_FD:
		pid = clone4(CLONE_FD | SIGCHLD | files, sizeof(args), &args, block_on_gate, NULL);
		break;
	default:
		pid = fork();
		if (pid == 0)
			_exit(block_on_gate(NULL));
		break;
	}
	t0 = bench_now_us() - t0;
	if (pid < 0)
		die(kind_name[kind]);
	ch->pid = pid;
	return t0;
}

/* Collect an exited child: its status through its descriptor. */
static void collect(struct child *ch)
{
	siginfo_t si;
	int err = 0;

	switch (ch->kind) {
	case K_CLONE3:
		err = waitid(P_PIDFD, ch->fd, &si, WEXITED) || close(ch->fd);
		break;
	case K_CLONE4_AR:
		err = read_clonefd(ch->fd);
		break;
	case K_CLONE4_FD:
		err = read_clonefd(ch->fd) || waitpid(ch->pid, NULL, 0) != ch->pid;
		break;
	default:
		err = waitpid(ch->pid, NULL, 0) != ch->pid;
		break;
	}
	if (err)
		die("collect");
}

static void release(struct child *ch, int n)
{
	static char bytes[4096];
	int i, done, w;

	for (done = 0; done < n; done += w) {
		w = write(gate[1], bytes, n - done < (int)sizeof(bytes) ? n - done : (int)sizeof(bytes));
		if (w <= 0)
			die("gate");
	}
	for (i = 0; i < n; i++)
		collect(&ch[i]);
}

static void bench_create(int calls)
{
	static double ratio[K_NKINDS][MAX_ROUNDS], us[K_NKINDS][MAX_ROUNDS];
	struct child *ch = calloc(calls * K_NKINDS, sizeof(*ch));
	double *t = calloc(calls * K_NKINDS, sizeof(*t));
	int order[K_NKINDS];
	int r, c, j, k, n;

	section("create", "parent-side time to create a child that stays alive, vs clone3(CLONE_PIDFD)");
	if (!ch || !t || pipe2(gate, O_CLOEXEC))
		die("create");
	for (r = 0; r < rounds; r++) {
		n = 0;
		for (c = 0; c < calls; c++) {
			bench_shuffle(order, K_NKINDS);
			for (j = 0; j < K_NKINDS; j++) {
				k = order[j];
				t[k * calls + c] = create(k, &ch[n++], gate[0], 0);
			}
		}
		release(ch, n);
		for (j = 0; j < K_NKINDS; j++)
			us[j][r] = median(&t[j * calls], calls);
		for (j = 0; j < K_NKINDS; j++)
			ratio[j][r] = us[j][r] / us[K_CLONE3][r];
	}
	for (j = 0; j < K_NKINDS; j++)
		row("create", kind_name[j], kind_name[K_CLONE3], ratio[j], us[j], rounds);
	close(gate[0]);
	close(gate[1]);
	free(ch);
	free(t);
}

/* --- big: a parent with 1 GiB resident --- */

/*
 * In a child process, which touches 1 GiB first; its CSV rows come back
 * through a pipe.
 */
static void bench_big(void)
{
	static const struct method m[] = {
		{ "posix_spawn+waitpid", m_posix_spawn },
		{ "clonefd_spawn+read", m_clonefd_spawn },
		{ "fork+exec+waitpid", m_fork_exec },
		{ "vfork+exec+waitpid", m_vfork_exec },
		{ "  breakdown: clone4(VM|VFORK|FD|AUTOREAP)+exec", m_clone4_vfork_exec },
	};
	size_t size = 1UL << 30;
	int out[2], status;
	char buf[4096];
	ssize_t n;
	pid_t pid;
	char *mem;

	section("big", "spawn+exec+status from a parent with 1 GiB resident, vs posix_spawn");
	if (pipe2(out, O_CLOEXEC))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(out[0]);
		csv_len = 0;
		mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED) {
			row_na("big", "1 GiB parent", "mmap failed");
		} else {
			memset(mem, 1, size);
			interleave("big", m, sizeof(m) / sizeof(m[0]), 3);
		}
		if (csv_len && write(out[1], csv_buf, csv_len) != (ssize_t)csv_len)
			_exit(1);
		_exit(0);
	}
	close(out[1]);
	while ((n = read(out[0], buf, sizeof(buf))) > 0) {
		csv_buf = realloc(csv_buf, csv_len + n + 1);
		if (!csv_buf)
			die("realloc");
		memcpy(csv_buf + csv_len, buf, n);
		csv_len += n;
		csv_buf[csv_len] = 0;
	}
	close(out[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		fprintf(stderr, "clonefd-bench: the 1 GiB parent failed\n");
}

/* --- memory: slab per live child --- */

#define MAX_CACHES	512

/* Bytes in use per slab cache: active objects times object size. */
struct slab_snap {
	int n;
	char name[MAX_CACHES][64];
	double bytes[MAX_CACHES];
};

static void slab_snap(struct slab_snap *s)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512], name[64];
	long active, total, size;

	s->n = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && s->n < MAX_CACHES) {
		if (sscanf(line, "%63s %ld %ld %ld", name, &active, &total, &size) != 4)
			continue;
		snprintf(s->name[s->n], sizeof(s->name[0]), "%s", name);
		s->bytes[s->n++] = (double)active * size;
	}
	fclose(f);
}

static double slab_bytes(const struct slab_snap *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return s->bytes[i];
	return 0;
}

/*
 * Slab bytes per child that @n live children of @kind add, per cache of
 * @names.
 */
static void slab_per_child(enum kind kind, struct child *ch, int n,
			   const struct slab_snap *names, double *per)
{
	static struct slab_snap before, after;
	int i;

	slab_snap(&before);
	for (i = 0; i < n; i++)
		create(kind, &ch[i], gate[0], CLONE_FILES);
	usleep(200 * 1000);	/* let the children block */
	slab_snap(&after);
	release(ch, n);
	for (i = 0; i < names->n; i++)
		per[i] = (slab_bytes(&after, names->name[i]) -
			  slab_bytes(&before, names->name[i])) / n;
}

/*
 * Slab bytes (active objects x object size, /proc/slabinfo) that one more
 * live child adds, a pidfd child against a clonefd child, in rounds of @n
 * children of one kind then the other; and the caches where they differ.
 */
static void bench_memory(int n)
{
	static double per[2][MAX_ROUNDS][MAX_CACHES], tot[2][MAX_ROUNDS], diff[MAX_ROUNDS];
	static double cache[MAX_ROUNDS];
	static const enum kind kinds[2] = { K_CLONE3, K_CLONE4_AR };
	struct child *ch = calloc(n, sizeof(*ch));
	static struct slab_snap names;
	struct stats st[3], cs;
	int r, j, i, reps = 5;

	printf("\nmemory: slab bytes per live child (/proc/slabinfo: active objects x size; %d children at a time)\n", n);
	slab_snap(&names);
	if (!names.n) {
		row_na("memory", "slab per child", "no /proc/slabinfo (root needed)");
		return;
	}
	if (!ch || pipe2(gate, O_CLOEXEC))
		die("memory");
	for (r = 0; r < reps; r++) {
		for (j = 0; j < 2; j++) {
			int k = (j + r) % 2;

			slab_per_child(kinds[k], ch, n, &names, per[k][r]);
			tot[k][r] = 0;
			for (i = 0; i < names.n; i++)
				tot[k][r] += per[k][r][i];
		}
		diff[r] = tot[1][r] - tot[0][r];
	}
	st[0] = stats_of(tot[0], reps);
	st[1] = stats_of(tot[1], reps);
	st[2] = stats_of(diff, reps);
	printf("  %-44s %8.0f B  (IQR %.0f..%.0f, %d rounds)\n", "child with a pidfd (clone3)",
	       st[0].med, st[0].q1, st[0].q3, reps);
	printf("  %-44s %8.0f B  (IQR %.0f..%.0f)\n", "child with a clonefd (clone4 FD|AUTOREAP)",
	       st[1].med, st[1].q1, st[1].q3);
	printf("  %-44s %8.0f B  (IQR %.0f..%.0f)\n", "clonefd beyond pidfd", st[2].med, st[2].q1, st[2].q3);
	csv_row("memory", "child with a pidfd", "", "bytes", reps, st[0], 0, "");
	csv_row("memory", "child with a clonefd", "", "bytes", reps, st[1], 0, "");
	csv_row("memory", "clonefd beyond pidfd", "", "bytes", reps, st[2], 0, "");
	printf("  caches where they differ by 16 B or more (median, clonefd - pidfd):\n");
	for (i = 0; i < names.n; i++) {
		for (r = 0; r < reps; r++)
			cache[r] = per[1][r][i] - per[0][r][i];
		cs = stats_of(cache, reps);
		if (cs.med >= 16 || cs.med <= -16)
			printf("    %-30s %+8.0f B\n", names.name[i], cs.med);
	}
	close(gate[0]);
	close(gate[1]);
	free(ch);
}

/* --- scale: K clonefd and K pidfd children alive --- */

/*
 * Release the BLOCK children blocked on @gw and collect their exits through
 * @ep; returns the time from the release to the last one collected.
 */
static double scale_collect(int ep, int gw, struct child *ch)
{
	static char bytes[BLOCK];
	struct epoll_event ev[64];
	double t0 = bench_now_us();
	int left = BLOCK, n, i;

	if (write(gw, bytes, BLOCK) != BLOCK)
		die("gate");
	while (left > 0) {
		n = epoll_wait(ep, ev, 64, -1);
		if (n < 0)
			die("epoll_wait");
		for (i = 0; i < n; i++) {
			collect(&ch[ev[i].data.u32]);	/* close() leaves the set */
			left--;
		}
	}
	return bench_now_us() - t0;
}

/*
 * Populations of K children of each kind, created in pairs (a round: BLOCK
 * pairs, each block of a kind waiting on its own gate), as many populations
 * as it takes for the rounds.  The children share the parent's descriptor
 * table (CLONE_FILES): each would otherwise copy its 2K descriptors.  With
 * the last population alive, one more cycle of each kind; then the blocks
 * are released one kind after the other, exits collected through one epoll
 * set that holds all 2K descriptors.
 */
static void bench_scale_k(long k)
{
	static const struct method cyc[] = {
		{ "clone3(CLONE_PIDFD)+poll+waitid", m_clone3 },
		{ "clone4(CLONE_FD|CLONE_AUTOREAP)+read", m_clone4_autoreap },
	};
	static double cr[MAX_ROUNDS], cu[MAX_ROUNDS], er[MAX_ROUNDS], eu[MAX_ROUNDS];
	static double t[2][BLOCK];
	long blocks = k / BLOCK, pops, p, b, i, j, idx, nc = 0, ne = 0;
	int (*gates)[2][2] = calloc(blocks, sizeof(*gates));
	struct child *ch = calloc(2 * k, sizeof(*ch));
	struct epoll_event ev;
	double sum[2];
	char name[96];
	int ep, first, save = rounds;

	if (!ch || !gates)
		die("calloc");
	pops = (rounds + blocks - 1) / blocks;
	for (p = 0; p < pops; p++) {
		ep = epoll_create1(EPOLL_CLOEXEC);
		if (ep < 0)
			die("epoll_create1");
		for (b = 0; b < blocks; b++) {
			if (pipe2(gates[b][0], O_CLOEXEC) || pipe2(gates[b][1], O_CLOEXEC))
				die("pipe");
			for (i = 0; i < 2 * BLOCK; i++) {
				j = (i + p * blocks + b) % 2;
				idx = j * k + b * BLOCK + i / 2;
				t[j][i / 2] = create(j ? K_CLONE4_AR : K_CLONE3, &ch[idx],
						     gates[b][j][0], CLONE_FILES);
				ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = idx };
				if (epoll_ctl(ep, EPOLL_CTL_ADD, ch[idx].fd, &ev))
					die("epoll_ctl");
			}
			if (nc < MAX_ROUNDS) {
				cu[nc] = median(t[1], BLOCK);
				cr[nc] = cu[nc] / median(t[0], BLOCK);
				nc++;
			}
		}
		if (p == pops - 1) {
			printf("  with %ld of each alive, one more cycle:\n", k);
			snprintf(name, sizeof(name), "scale-cycle-%ld", k);
			rounds = 21 < save ? 21 : save;
			interleave(name, cyc, 2, 5);
			rounds = save;
		}
		/* Which kind goes first alternates, across populations too. */
		for (b = 0; b < blocks; b++) {
			first = (p * blocks + b) % 2;
			sum[first] = scale_collect(ep, gates[b][first][1], ch);
			sum[!first] = scale_collect(ep, gates[b][!first][1], ch);
			if (ne < MAX_ROUNDS) {
				er[ne] = sum[1] / sum[0];
				eu[ne++] = sum[1] / BLOCK;
			}
			for (j = 0; j < 2; j++) {
				close(gates[b][j][0]);
				close(gates[b][j][1]);
			}
		}
		close(ep);
	}
	snprintf(name, sizeof(name), "K=%ld: create, per child", k);
	row("scale", name, "clone3(CLONE_PIDFD), same K", cr, cu, nc);
	snprintf(name, sizeof(name), "K=%ld: exit collected via epoll, per exit", k);
	row("scale", name, "pidfd: epoll + waitid, same K", er, eu, ne);
	free(ch);
	free(gates);
}

static void bench_scale(const char *list)
{
	char *s = strdup(list), *tok, *save = NULL;

	section("scale", "K clonefd and K pidfd children alive alongside; clonefd vs pidfd at the same K");
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long k = atol(tok);

		if (k < BLOCK || k % BLOCK) {
			fprintf(stderr, "clonefd-bench: K=%ld is not a multiple of %d\n", k, BLOCK);
			exit(2);
		}
		bench_scale_k(k);
	}
	free(s);
}

/* --- main --- */

/* Room for the memory and scale sections' children and descriptors. */
static void raise_limits(void)
{
	struct rlimit rl = { 1 << 20, 1 << 20 };
	int fd;

	if (setrlimit(RLIMIT_NOFILE, &rl))
		fprintf(stderr, "clonefd-bench: RLIMIT_NOFILE not raised: %s\n", strerror(errno));
	fd = open("/proc/sys/kernel/pid_max", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "4194304", 7) < 0)
			fprintf(stderr, "clonefd-bench: pid_max not raised\n");
		close(fd);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: clonefd-bench [--rounds N] [--scale K,K...] [--module KO]\n"
			"                     [--csv FILE] [--only SECTION,...]\n"
			"sections: module breakdown cycle spawn create big memory scale\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "scale", required_argument, NULL, 's' },
		{ "module", required_argument, NULL, 'm' },
		{ "csv", required_argument, NULL, 'c' },
		{ "only", required_argument, NULL, 'o' },
		{ "exit", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct method cycle[] = {
		{ "clone3(CLONE_PIDFD)+poll+waitid", m_clone3 },
		{ "clone4(CLONE_FD|CLONE_AUTOREAP)+read", m_clone4_autoreap },
		{ "clone4(CLONE_FD)+read+waitpid", m_clone4_fd },
		{ "fork+waitpid", m_fork },
		{ "vfork+waitpid", m_vfork },
		{ "  breakdown: ioctl(CLONE_FD) w/o library", m_ioctl_fd },
		{ "  breakdown: clone4(CLONE_FD), fork-like", m_clone4_fd_forklike },
		{ "clone3(CLONE_AUTOREAP)+PIDFD_GET_INFO", m_native_autoreap },
	};
	static const struct method spawn[] = {
		{ "posix_spawn+waitpid", m_posix_spawn },
		{ "clonefd_spawn+read", m_clonefd_spawn },
		{ "fork+exec+waitpid", m_fork_exec },
		{ "vfork+exec+waitpid", m_vfork_exec },
		{ "  breakdown: clone4(VM|VFORK|FD|AUTOREAP)+exec", m_clone4_vfork_exec },
	};
	const char *scale = "100,1000,10000", *module = NULL, *csv_path = NULL;
	int opt, ncycle, native_autoreap, pidfd = -1;
	FILE *csv = NULL;
	struct utsname u;
	time_t t = time(NULL);
	char date[64];
	long pid;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'r': rounds = atoi(optarg); break;
		case 's': scale = optarg; break;
		case 'm': module = optarg; break;
		case 'c': csv_path = optarg; break;
		case 'o': only = optarg; break;
		case 'x': return 0;
		default: usage();
		}
	}
	if (rounds < 3 || rounds > MAX_ROUNDS)
		usage();
	if (readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1) < 0)
		die("/proc/self/exe");
	uname(&u);
	snprintf(kernel, sizeof(kernel), "%s", u.release);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&t));
	printf("clonefd-bench: kernel %s %s, %ld CPUs, %s; %d rounds, median of per-round ratios [IQR]\n",
	       u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN), date, rounds);

	raise_limits();

	/* Before anything here opens /dev/clonefd: the module must unload. */
	if (wanted("module"))
		bench_module(module);

	devfd = open("/dev/clonefd", O_RDONLY | O_CLOEXEC);
	if (devfd < 0)
		die("/dev/clonefd");

	if (wanted("breakdown")) {
		section("breakdown", "single system calls, vs getppid()");
		interleave("breakdown", breakdown, sizeof(breakdown) / sizeof(breakdown[0]), 1000);
	}

	/* Linux 7.1's native CLONE_AUTOREAP: the last cycle row, if there. */
	pid = clone3_pidfd(CLONE_AUTOREAP, 0, &pidfd);
	if (pid == 0)
		_exit(0);
	native_autoreap = pid > 0;
	if (native_autoreap)
		close(pidfd);
	ncycle = sizeof(cycle) / sizeof(cycle[0]) - !native_autoreap;
	if (wanted("cycle")) {
		section("cycle", "spawn -> exit -> status, vs clone3(CLONE_PIDFD)+poll+waitid");
		interleave("cycle", cycle, ncycle, 10);
		if (!native_autoreap)
			row_na("cycle", cycle[ncycle].name, "no native CLONE_AUTOREAP (before 7.1)");
		else if (native_retries)
			printf("  (PIDFD_GET_INFO had no exit info yet after poll %ld times)\n",
			       native_retries);
	}
	if (wanted("spawn")) {
		section("spawn", "spawn -> exec -> exit -> status, vs posix_spawn+waitpid");
		interleave("spawn", spawn, sizeof(spawn) / sizeof(spawn[0]), 3);
	}
	if (wanted("create"))
		bench_create(BLOCK);
	if (wanted("big"))
		bench_big();
	if (wanted("memory"))
		bench_memory(2000);
	if (wanted("scale"))
		bench_scale(scale);

	if (csv_path) {
		csv = fopen(csv_path, "w");
		if (!csv)
			die(csv_path);
	}
	fprintf(csv ? csv : stdout, "%skernel,section,row,baseline,unit,rounds,median,q1,q3,median_us,note\n%s%s",
		csv ? "" : "\n--- csv ---\n", csv_buf ? csv_buf : "", csv ? "" : "--- end ---\n");
	if (csv)
		fclose(csv);
	return 0;
}
