// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The clonefd as a complete process handle (issue 8): CLONEFD_IOC_GET_PID,
 * _SEND_SIGNAL, _PIDFD and _GET_RUSAGE, the fdinfo of a clonefd, CLONE_NNP
 * and CLONE_PIDFD_AUTOKILL - through the raw ioctls and through
 * libclonefd's wrappers (clonefd_getpid/kill/pidfd/rusage/wait, the spawn
 * attributes CLONEFD_SPAWN_NNP and CLONEFD_SPAWN_AUTOKILL).
 *
 * Ports, as behaviours (read() and the ioctls in place of PIDFD_GET_INFO),
 * of Linux 7.1's tools/testing/selftests/pidfd: pidfd_autoreap_test.c's
 * nnp and autokill groups (its autoreap group is test_autoreap.c's),
 * pidfd_test.c's signal cases (simple success, exited process, recycled
 * pid) and pidfd_poll_test.c (10 000 rounds of spawn, signal, poll).
 *
 * Every test runs under a checked fixture that takes the module's refcnt
 * and our descriptor count first (with the library's cached /dev/clonefd
 * descriptor open) and, afterwards, requires them back, no child of ours
 * left (zombie or alive), and the module tracking nothing.
 *
 * Helper processes forked by a test report through their exit status (a
 * step number; 0 is success): Check assertions belong to the test process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

#include "testlib.h"

#define AUTOREAP	(CLONE_FD | CLONE_AUTOREAP)
#define AUTOKILL	(CLONE_FD | CLONE_AUTOREAP | CLONE_PIDFD_AUTOKILL | CLONE_NNP)

#ifndef P_PIDFD
#define P_PIDFD		3
#endif

/* Linux 6.15's PIDFD_GET_INFO, VER0 (64 bytes), for the kernels that have it. */
struct pidfd_info_v0 {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};
#define PIDFD_GET_INFO_V0	_IOWR(0xFF, 11, struct pidfd_info_v0)
#define PIDFD_INFO_EXIT_BIT	(1ULL << 3)

/* --- the two ways in: the raw ioctls and libclonefd's wrappers --- */

static pid_t raw_getpid(int cfd)
{
	return ioctl(cfd, CLONEFD_IOC_GET_PID, 0UL);
}

static int raw_kill(int cfd, int sig)
{
	return ioctl(cfd, CLONEFD_IOC_SEND_SIGNAL, (unsigned long)sig);
}

static int raw_pidfd(int cfd, unsigned flags)
{
	return ioctl(cfd, CLONEFD_IOC_PIDFD, (unsigned long)flags);
}

static int raw_rusage(int cfd, struct clonefd_rusage *ru)
{
	return ioctl(cfd, CLONEFD_IOC_GET_RUSAGE, ru);
}

struct api {
	const char *name;
	pid_t (*getpid)(int cfd);
	int (*kill)(int cfd, int sig);
	int (*pidfd)(int cfd, unsigned flags);
	int (*rusage)(int cfd, struct clonefd_rusage *ru);
};

static const struct api apis[] = {
	{ "ioctl", raw_getpid, raw_kill, raw_pidfd, raw_rusage },
	{ "libclonefd", clonefd_getpid, clonefd_kill, clonefd_pidfd, clonefd_rusage },
};
#define NAPI	((int)(sizeof(apis) / sizeof(apis[0])))

/* The ioctl's return value, or -errno. */
#define ERR(expr)	({ long __r = (long)(expr); __r < 0 ? -errno : __r; })

static int sys_pidfd_open(pid_t pid, unsigned flags)
{
	return syscall(SYS_pidfd_open, pid, flags);
}

static int sys_pidfd_send_signal(int pfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0);
}

static int sys_pidfd_getfd(int pfd, int fd)
{
	return syscall(SYS_pidfd_getfd, pfd, fd, 0);
}

/* --- the fixture: nothing leaked, nothing tracked --- */

static long ref0;
static int fds0;

static void handle_setup(void)
{
	signal(SIGPIPE, SIG_IGN);	/* a write to a dead child's pipe: EPIPE */
	/*
	 * Check's runner catches SIGTERM and SIGINT and its handler, inherited
	 * by the test and its children, kill()s the test's process group: our
	 * children must die of the signals they are sent, as anyone's would.
	 */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	/* A request the module refuses opens (and caches) /dev/clonefd. */
	ck_assert_int_eq(clone4(CLONE_AUTOREAP | SIGCHLD, 0, NULL, child_exit, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ref0 = module_refcnt();
	fds0 = count_fds();
	ck_assert_int_gt(ref0, 0);
}

/* Tracking ends right after the release: allow it TIMEOUT_MS to settle. */
static void handle_teardown(void)
{
	long ref, tracked;

	assert_no_children();
	wait_module_baseline(ref0, 0, &ref, &tracked);
	ck_assert_msg(ref == ref0, "module refcnt %ld, %ld before the test", ref, ref0);
	ck_assert_msg(tracked == 0, "the module still tracks %ld processes", tracked);
	ck_assert_msg(count_fds() == fds0, "%d descriptors open, %d before the test",
		      count_fds(), fds0);
}

/* --- children --- */

/* A child that never ends by itself: every catchable signal ignored. */
static int child_forever(void *arg)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	int sig;

	(void)arg;
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &ign, NULL);
	for (;;)
		pause();
	return 0;
}

/*
 * The echo child answers each byte on cmd with a byte on ans and exits 0 at
 * EOF.  An answer proves it alive and without a fatal signal pending: a
 * signal our own system call sent is pending before that call returns, and
 * a killed child cannot return to user space to answer.  EOF on ans (the
 * child holds the only write end) proves it dead.  It ignores every
 * catchable signal, so only SIGKILL can end it otherwise.
 */
struct echo {
	int cmd[2], ans[2];
	int cfd;
	pid_t pid;
};

static int child_echo(void *arg)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct echo *e = arg;
	int sig;
	char c;

	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGCHLD)
			sigaction(sig, &ign, NULL);
	close(e->cmd[1]);
	close(e->ans[0]);
	while (read(e->cmd[0], &c, 1) == 1)
		if (write(e->ans[1], &c, 1) != 1)
			return 2;
	return 0;
}

static void spawn_echo(uint64_t flags, struct echo *e)
{
	make_pipe(e->cmd);
	make_pipe(e->ans);
	e->pid = spawn_fd(flags, O_CLOEXEC, &e->cfd, child_echo, e);
	close(e->cmd[0]);
	close(e->ans[1]);
}

/* 1: the child answered; 0: it is dead. */
static int echo_alive(const struct echo *e)
{
	char c = 'x';
	ssize_t n;

	poke(e->cmd[1]);
	do
		n = read(e->ans[0], &c, 1);
	while (n < 0 && errno == EINTR);
	ck_assert_int_ge(n, 0);
	return n == 1;
}

/* 1: the child died (EOF on ans, within TIMEOUT_MS); 0: it answered or hung. */
static int echo_dead(const struct echo *e)
{
	struct pollfd pfd = { .fd = e->ans[0], .events = POLLIN };
	char c;

	if (poll(&pfd, 1, TIMEOUT_MS) != 1)
		return 0;
	return read(e->ans[0], &c, 1) == 0;
}

/* Lets a living echo child exit 0; closes our pipe ends. */
static void echo_release(struct echo *e)
{
	close(e->cmd[1]);
	close(e->ans[0]);
}

/* --- /proc --- */

static void read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	ck_assert_msg(fd >= 0, "%s: %m", path);
	n = read(fd, buf, len - 1);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	close(fd);
}

/*
 * The value of field NAME ("Pid", ...) in a "Name:\tvalue" file, without
 * the leading blanks: 1 if present.
 */
static int field_of(const char *text, const char *name, char *val, size_t len)
{
	size_t nl = strlen(name);
	const char *p = text, *end;

	while (p && *p) {
		if (!strncmp(p, name, nl) && p[nl] == ':') {
			p += nl + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			end = strchr(p, '\n');
			if (!end)
				end = p + strlen(p);
			snprintf(val, len, "%.*s", (int)(end - p), p);
			return 1;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

static void fdinfo_text(int fd, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	read_file(path, buf, len);
}

/* A numeric fdinfo field; fails the test if it is absent or not a number. */
static long long fdinfo_ll(int fd, const char *name)
{
	char text[1024], val[128], *end;
	long long v;

	fdinfo_text(fd, text, sizeof(text));
	ck_assert_msg(field_of(text, name, val, sizeof(val)), "no %s: in fdinfo:\n%s",
		      name, text);
	v = strtoll(val, &end, 10);
	ck_assert_msg(end != val && (*end == '\0' || *end == '\t' || *end == ' '),
		      "%s: \"%s\" is not a number", name, val);
	return v;
}

static int fdinfo_has(int fd, const char *name)
{
	char text[1024], val[128];

	fdinfo_text(fd, text, sizeof(text));
	return field_of(text, name, val, sizeof(val));
}

static void fdinfo_str(int fd, const char *name, char *val, size_t len)
{
	char text[1024];

	fdinfo_text(fd, text, sizeof(text));
	ck_assert_msg(field_of(text, name, val, len), "no %s: in fdinfo:\n%s", name, text);
}

/* NoNewPrivs: of /proc/self/status, -1 if absent (child side: no asserts). */
static int self_status_nnp(void)
{
	char buf[4096], *p;
	ssize_t n;
	int fd;

	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "\nNoNewPrivs:");
	return p ? atoi(p + strlen("\nNoNewPrivs:")) : -1;
}

/* Waits (polling /proc) until @pid's state is @state; 1 if it got there. */
static int wait_state(pid_t pid, char state)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	long end = now_ms() + TIMEOUT_MS;

	while (proc_state(pid) != state)
		if (now_ms() > end || nanosleep(&ts, NULL) < 0)
			return 0;
	return 1;
}

static int is_pidfd_of(int pfd, pid_t pid);

/* A forked helper's exit status: 0 or the failing step. */
static int helper_status(pid_t sub)
{
	int st;

	ck_assert_int_eq(waitpid(sub, &st, 0), sub);
	ck_assert_msg(WIFEXITED(st), "helper %d: wait status %#x", sub, st);
	return WEXITSTATUS(st);
}

/* ================= CLONEFD_IOC_GET_PID ================= */

/*
 * The pid, for a running child and for a zombie; ESRCH once it has been
 * reaped.  Every process that shares the clonefd gets the same answer.
 */
START_TEST(getpid_running_zombie_reaped)
{
	const struct api *a = &apis[_i];
	struct echo e;
	pid_t sub;

	spawn_echo(CLONE_FD | SIGCHLD, &e);
	ck_assert_int_eq(a->getpid(e.cfd), e.pid);
	sub = fork();
	if (sub == 0)
		_exit(a->getpid(e.cfd) == e.pid ? 0 : 1);
	ck_assert_int_eq(helper_status(sub), 0);
	echo_release(&e);
	ck_assert_int_eq(read_info(e.cfd).code, CLD_EXITED);
	/* readable at do_notify_parent(); the exit state is set right after */
	ck_assert(wait_state(e.pid, 'Z'));
	ck_assert_int_eq(a->getpid(e.cfd), e.pid);	/* a zombie has its pid */
	ck_assert_int_eq(waitpid(e.pid, NULL, 0), e.pid);
	ck_assert_int_eq(ERR(a->getpid(e.cfd)), -ESRCH);
	close(e.cfd);
}
END_TEST

/* An autoreaped child: its pid while it runs, ESRCH as soon as it is readable. */
START_TEST(getpid_autoreap)
{
	const struct api *a = &apis[_i];
	struct echo e;

	spawn_echo(AUTOREAP, &e);
	ck_assert_int_eq(a->getpid(e.cfd), e.pid);
	echo_release(&e);
	ck_assert(wait_readable(e.cfd, TIMEOUT_MS));
	ck_assert_int_eq(ERR(a->getpid(e.cfd)), -ESRCH);
	ck_assert_int_eq(read_info(e.cfd).status, 0);
	ck_assert_int_eq(ERR(a->getpid(e.cfd)), -ESRCH);
	close(e.cfd);
}
END_TEST

/*
 * Pid namespaces: a child made in a new pid namespace is pid 1 there and
 * GET_PID gives the caller's view (fdinfo's NSpid both); a process in a
 * new pid namespace holding the clonefd of a child outside it gets 0.
 */
static int child_report_getpid(void *fd)
{
	pid_t me = getpid();

	return write((int)(intptr_t)fd, &me, sizeof(me)) == sizeof(me) ? 0 : 1;
}

START_TEST(getpid_pid_namespaces)
{
	char nspid[128], want[64];
	struct echo e;
	pid_t pid, inner, sub;
	int p[2], cfd;

	make_pipe(p);
	pid = spawn_fd(CLONE_FD | CLONE_NEWPID | SIGCHLD, O_CLOEXEC, &cfd,
		       child_report_getpid, (void *)(intptr_t)p[1]);
	ck_assert_int_eq(read(p[0], &inner, sizeof(inner)), sizeof(inner));
	ck_assert_int_eq(inner, 1);
	ck_assert_int_eq(raw_getpid(cfd), pid);
	ck_assert_int_eq(read_info(cfd).status, 0);
	ck_assert_int_eq(raw_getpid(cfd), pid);		/* zombie */
	fdinfo_str(cfd, "NSpid", nspid, sizeof(nspid));
	snprintf(want, sizeof(want), "%d\t1", pid);
	ck_assert_str_eq(nspid, want);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	close(cfd);
	close(p[0]);
	close(p[1]);

	spawn_echo(AUTOREAP, &e);
	sub = fork();
	if (sub == 0) {
		pid_t init;
		int st;

		if (unshare(CLONE_NEWPID))
			_exit(2);
		init = fork();
		if (init == 0)
			_exit(raw_getpid(e.cfd) == 0 ? 0 : 3);
		if (init < 0 || waitpid(init, &st, 0) != init || !WIFEXITED(st))
			_exit(4);
		_exit(WEXITSTATUS(st));
	}
	ck_assert_msg(helper_status(sub) == 0, "GET_PID in another pid namespace is not 0");
	ck_assert_int_eq(raw_getpid(e.cfd), e.pid);
	echo_release(&e);
	ck_assert_int_eq(read_info(e.cfd).status, 0);
	close(e.cfd);
}
END_TEST

/* ================= CLONEFD_IOC_SEND_SIGNAL ================= */

struct sigrep {
	int signo, code;
	pid_t pid;
	uid_t uid;
};

/* Waits for SIGUSR1 (blocked since its creation) and reports its siginfo. */
static int child_sigwait(void *fd)
{
	struct sigrep r;
	siginfo_t si;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigwaitinfo(&set, &si) != SIGUSR1)
		return 1;
	r.signo = si.si_signo;
	r.code = si.si_code;
	r.pid = si.si_pid;
	r.uid = si.si_uid;
	return write((int)(intptr_t)fd, &r, sizeof(r)) == sizeof(r) ? 0 : 2;
}

static void block_signal(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &set, NULL), 0);
}

/*
 * pidfd_test.c's "simple success": the signal arrives, from us, as kill(2)
 * sends it (SI_USER, our pid and uid); signal 0 only checks; SIGKILL kills.
 * _i: the api x { CLONE_FD, CLONE_FD | CLONE_AUTOREAP }.
 */
START_TEST(signal_simple_success)
{
	const struct api *a = &apis[_i / 2];
	uint64_t flags = _i % 2 ? AUTOREAP : CLONE_FD | SIGCHLD;
	struct clonefd_info info;
	struct sigrep r;
	struct echo e;
	int p[2], cfd;
	pid_t pid;

	block_signal(SIGUSR1);		/* the child starts with it blocked */
	make_pipe(p);
	pid = spawn_fd(flags, O_CLOEXEC, &cfd, child_sigwait, (void *)(intptr_t)p[1]);
	ck_assert_int_eq(a->kill(cfd, 0), 0);
	ck_assert_int_eq(a->kill(cfd, SIGUSR1), 0);
	ck_assert_int_eq(read(p[0], &r, sizeof(r)), sizeof(r));
	ck_assert_int_eq(r.signo, SIGUSR1);
	ck_assert_int_eq(r.code, SI_USER);
	ck_assert_int_eq(r.pid, getpid());
	ck_assert_int_eq(r.uid, getuid());
	info = read_info(cfd);
	ck_assert_int_eq(info.code, CLD_EXITED);
	ck_assert_int_eq(info.status, 0);
	if (!(flags & CLONE_AUTOREAP))
		ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	close(cfd);
	close(p[0]);
	close(p[1]);

	/* SIGKILL, and a signal the child does not ignore: SIGTERM by default */
	spawn_echo(flags, &e);
	ck_assert_int_eq(a->kill(e.cfd, SIGKILL), 0);
	info = read_info(e.cfd);
	ck_assert_int_eq(info.code, CLD_KILLED);
	ck_assert_int_eq(info.status, SIGKILL);
	ck_assert(echo_dead(&e));
	if (!(flags & CLONE_AUTOREAP))
		ck_assert_int_eq(waitpid(e.pid, NULL, 0), e.pid);
	echo_release(&e);
	close(e.cfd);
}
END_TEST

/*
 * pidfd_test.c's "exited fail", and a kill after the exit but before the
 * record is read: ESRCH for every signal (0 included) once the child has
 * exited - also while it is a zombie, which kill(2) would still reach -
 * and the record is untouched.  _i: the api x { zombie, reaped, autoreaped }.
 */
START_TEST(signal_exited_fail)
{
	const struct api *a = &apis[_i / 3];
	int how = _i % 3, cfd;
	struct clonefd_info info;
	pid_t pid;

	pid = spawn_fd(how == 2 ? AUTOREAP : CLONE_FD | SIGCHLD, O_CLOEXEC, &cfd,
		       child_exit, (void *)5);
	ck_assert(wait_readable(cfd, TIMEOUT_MS));
	if (how == 0)
		ck_assert_int_eq(kill(pid, 0), 0);		/* a zombie */
	if (how == 1)
		ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	ck_assert_int_eq(ERR(a->kill(cfd, 0)), -ESRCH);
	ck_assert_int_eq(ERR(a->kill(cfd, SIGKILL)), -ESRCH);
	ck_assert_int_eq(ERR(a->kill(cfd, SIGTERM)), -ESRCH);
	info = read_info(cfd);
	ck_assert_int_eq(info.code, CLD_EXITED);
	ck_assert_int_eq(info.status, 5);
	ck_assert_int_eq(ERR(a->kill(cfd, SIGKILL)), -ESRCH);
	if (how == 0) {
		int st;

		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 5);
	}
	close(cfd);
}
END_TEST

/*
 * pidfd_test.c's "recycled pid fail", in a fresh pid namespace (we are its
 * init, nobody else forks there): child A exits and is released, then
 * ns_last_pid (or clone3()'s set_tid) makes the next fork reuse A's pid
 * for B.  A's clonefd must
 * not reach B (ESRCH from SEND_SIGNAL, GET_PID and PIDFD; B answers
 * afterwards), nor must a pidfd taken from it while A lived.
 * _i: A reaped by waitpid(), A autoreaped.
 */
enum {
	RC_OK, RC_PIPE, RC_CLONE, RC_PIDFD, RC_POLL, RC_RECORD, RC_REAP, RC_STILL_THERE,
	RC_LAST_PID, RC_FORK, RC_NOT_RECYCLED, RC_SIGNAL_KILL, RC_SIGNAL_0, RC_GETPID,
	RC_NEW_PIDFD, RC_OLD_PIDFD, RC_FDINFO, RC_B_KILLED, RC_B_WAIT, RC_RECORD_AFTER,
	RC_UNSHARE, RC_INIT,
};

static const char *const rc_names[] = {
	"ok", "pipe", "clone4", "PIDFD while alive", "poll", "record", "waitpid(A)",
	"A still there when readable", "ns_last_pid", "fork B",
	"pid not recycled", "SEND_SIGNAL(SIGKILL) reached B or not ESRCH",
	"SEND_SIGNAL(0) not ESRCH", "GET_PID not ESRCH", "PIDFD not ESRCH",
	"old pidfd reached B or not ESRCH", "fdinfo Pid: not -1", "B was killed",
	"waitpid(B)", "record changed", "unshare(CLONE_NEWPID)", "pid namespace init",
};

static int child_echo_plain(int cmd, int ans)
{
	char c;

	while (read(cmd, &c, 1) == 1)
		if (write(ans, &c, 1) != 1)
			return 2;
	return 0;
}

/*
 * fork() with pid @want in our (fresh) pid namespace: through ns_last_pid,
 * or, on kernels without it (CONFIG_CHECKPOINT_RESTORE=n, like the debug
 * kernel), clone3()'s set_tid.  -2 if neither could be used.
 */
static pid_t fork_as(pid_t want)
{
	struct {				/* struct clone_args, VER1 */
		uint64_t flags, pidfd, child_tid, parent_tid;
		uint64_t exit_signal, stack, stack_size, tls;
		uint64_t set_tid, set_tid_size;
	} args = { .exit_signal = SIGCHLD, .set_tid = (uintptr_t)&want, .set_tid_size = 1 };
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		printf("signal_recycled_pid_fail: pid %d again through clone3(set_tid)\n", want);
		fflush(stdout);
		return syscall(SYS_clone3, &args, sizeof(args));
	}
	if (dprintf(fd, "%d", want - 1) < 0)
		return -2;
	close(fd);
	printf("signal_recycled_pid_fail: pid %d again through ns_last_pid\n", want);
	fflush(stdout);
	return fork();
}

static int recycle_init(int autoreap)
{
	int go[2], cmd[2], ans[2], cfd = -1, pfd, fd, n;
	struct clone4_args args = { .clonefd = &cfd, .clonefd_flags = O_CLOEXEC };
	struct pollfd pl;
	struct clonefd_info info;
	char buf[1024], c = 'x';
	pid_t a, b;

	if (pipe2(go, O_CLOEXEC) || pipe2(cmd, O_CLOEXEC) || pipe2(ans, O_CLOEXEC))
		return RC_PIPE;
	a = clone4(CLONE_FD | (autoreap ? CLONE_AUTOREAP : SIGCHLD), sizeof(args), &args,
		   child_wait_fd, (void *)(intptr_t)go[0]);
	if (a <= 0)
		return RC_CLONE;
	pfd = ioctl(cfd, CLONEFD_IOC_PIDFD, (unsigned long)O_CLOEXEC);
	if (pfd < 0)
		return RC_PIDFD;
	if (write(go[1], "x", 1) != 1)
		return RC_PIPE;
	pl = (struct pollfd){ .fd = cfd, .events = POLLIN };
	if (poll(&pl, 1, TIMEOUT_MS) != 1)
		return RC_POLL;
	if (read(cfd, &info, sizeof(info)) != sizeof(info) || info.code != CLD_EXITED ||
	    info.status != 0)
		return RC_RECORD;
	if (!autoreap && waitpid(a, NULL, 0) != a)
		return RC_REAP;
	if (autoreap && kill(a, 0) == 0)
		return RC_STILL_THERE;

	b = fork_as(a);
	if (b == -2)
		return RC_LAST_PID;
	if (b == 0) {
		close(cmd[1]);
		close(ans[0]);
		_exit(child_echo_plain(cmd[0], ans[1]));
	}
	if (b < 0)
		return RC_FORK;
	close(cmd[0]);
	close(ans[1]);
	if (b != a) {
		kill(b, SIGKILL);
		waitpid(b, NULL, 0);
		return RC_NOT_RECYCLED;
	}

	if (ioctl(cfd, CLONEFD_IOC_SEND_SIGNAL, (unsigned long)SIGKILL) != -1 || errno != ESRCH)
		return RC_SIGNAL_KILL;
	if (ioctl(cfd, CLONEFD_IOC_SEND_SIGNAL, 0UL) != -1 || errno != ESRCH)
		return RC_SIGNAL_0;
	if (ioctl(cfd, CLONEFD_IOC_GET_PID, 0UL) != -1 || errno != ESRCH)
		return RC_GETPID;
	n = ioctl(cfd, CLONEFD_IOC_PIDFD, 0UL);
	if (n != -1 || errno != ESRCH)
		return RC_NEW_PIDFD;
	if (sys_pidfd_send_signal(pfd, SIGKILL) != -1 || errno != ESRCH)
		return RC_OLD_PIDFD;
	snprintf(buf, sizeof(buf), "/proc/self/fdinfo/%d", cfd);
	fd = open(buf, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return RC_FDINFO;
	buf[n] = '\0';
	close(fd);
	if (!strstr(buf, "Pid:\t-1\n"))
		return RC_FDINFO;
	/* B answers: no SIGKILL of ours is pending for it */
	if (write(cmd[1], &c, 1) != 1 || read(ans[0], &c, 1) != 1)
		return RC_B_KILLED;
	close(cmd[1]);
	if (waitpid(b, &n, 0) != b || !WIFEXITED(n) || WEXITSTATUS(n) != 0)
		return RC_B_WAIT;
	if (read(cfd, &info, sizeof(info)) != sizeof(info) || info.code != CLD_EXITED ||
	    info.status != 0)
		return RC_RECORD_AFTER;
	return RC_OK;
}

START_TEST(signal_recycled_pid_fail)
{
	pid_t sub = fork();
	int rc;

	if (sub == 0) {
		pid_t init;
		int st;

		if (unshare(CLONE_NEWPID))
			_exit(RC_UNSHARE);
		init = fork();
		if (init == 0)
			_exit(recycle_init(_i));
		if (init < 0 || waitpid(init, &st, 0) != init || !WIFEXITED(st))
			_exit(RC_INIT);
		_exit(WEXITSTATUS(st));
	}
	rc = helper_status(sub);
	ck_assert_msg(rc == RC_OK, "%s: step %d: %s", _i ? "autoreaped" : "reaped", rc,
		      rc < (int)(sizeof(rc_names) / sizeof(rc_names[0])) ? rc_names[rc] : "?");
}
END_TEST

/*
 * kill(2)'s permission rules: an unprivileged holder of a root child's
 * clonefd gets EPERM (signal 0 included), though it may still ask for the
 * pid and a pidfd (pidfd_open(2) needs no permission either, and that
 * pidfd cannot signal either); its own children it may signal.
 */
enum {
	PE_OK, PE_IDS, PE_KILL, PE_KILL0, PE_GETPID, PE_PIDFD, PE_PIDFD_SIGNAL,
	PE_OWN_SPAWN, PE_OWN_KILL, PE_OWN_RECORD,
};

static int unprivileged_signaller(const struct api *a, const struct echo *e)
{
	struct clone4_args args;
	struct clonefd_info info;
	int cfd = -1, pfd, go[2];

	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return PE_IDS;
	if (a->kill(e->cfd, SIGKILL) != -1 || errno != EPERM)
		return PE_KILL;
	if (a->kill(e->cfd, 0) != -1 || errno != EPERM)
		return PE_KILL0;
	if (a->getpid(e->cfd) != e->pid)
		return PE_GETPID;
	pfd = a->pidfd(e->cfd, O_CLOEXEC);
	if (pfd < 0)
		return PE_PIDFD;
	if (sys_pidfd_send_signal(pfd, SIGKILL) != -1 || errno != EPERM)
		return PE_PIDFD_SIGNAL;
	close(pfd);
	if (pipe2(go, O_CLOEXEC))
		return PE_OWN_SPAWN;
	args = (struct clone4_args){ .clonefd = &cfd, .clonefd_flags = O_CLOEXEC };
	if (clone4(AUTOREAP, sizeof(args), &args, child_wait_fd, (void *)(intptr_t)go[0]) <= 0)
		return PE_OWN_SPAWN;
	if (a->kill(cfd, SIGTERM))
		return PE_OWN_KILL;
	if (read(cfd, &info, sizeof(info)) != sizeof(info) || info.code != CLD_KILLED ||
	    info.status != SIGTERM)
		return PE_OWN_RECORD;
	return PE_OK;
}

START_TEST(signal_permission_eperm)
{
	const struct api *a = &apis[_i];
	struct echo e;
	pid_t sub;
	int rc;

	spawn_echo(AUTOREAP, &e);
	sub = fork();
	if (sub == 0)
		_exit(unprivileged_signaller(a, &e));
	rc = helper_status(sub);
	ck_assert_msg(rc == PE_OK, "uid 65534: step %d", rc);
	ck_assert(echo_alive(&e));
	echo_release(&e);
	ck_assert_int_eq(read_info(e.cfd).status, 0);
	close(e.cfd);
}
END_TEST

/*
 * An invalid signal is EINVAL and reaches nobody: negative, past the last
 * real-time signal, or a valid number in the upper half of the unsigned
 * long argument (no truncation to int).  The last real-time signal is valid.
 */
START_TEST(signal_invalid_einval)
{
	static const unsigned long bad[] = {
		(unsigned long)-1, (unsigned long)-SIGKILL, _NSIG, _NSIG + 1, 1000,
		INT_MAX, (unsigned long)INT_MAX + 1 + SIGKILL, (1UL << 32) | SIGKILL,
		(1UL << 32), ~0UL << 8 | SIGKILL,
	};
	struct clonefd_info info;
	struct echo e;
	size_t i;

	spawn_echo(AUTOREAP, &e);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(ERR(ioctl(e.cfd, CLONEFD_IOC_SEND_SIGNAL, bad[i])) == -EINVAL,
			      "signal %#lx: %s", bad[i], strerror(errno));
	ck_assert_int_eq(ERR(clonefd_kill(e.cfd, -1)), -EINVAL);
	ck_assert_int_eq(ERR(clonefd_kill(e.cfd, _NSIG)), -EINVAL);
	ck_assert_int_eq(ERR(clonefd_kill(e.cfd, -SIGKILL)), -EINVAL);
	ck_assert(echo_alive(&e));
	ck_assert_int_eq(raw_kill(e.cfd, _NSIG - 1), 0);	/* SIGRTMAX, ignored */
	ck_assert(echo_alive(&e));
	echo_release(&e);
	info = read_info(e.cfd);
	ck_assert_int_eq(info.code, CLD_EXITED);
	ck_assert_int_eq(info.status, 0);
	close(e.cfd);
}
END_TEST

/*
 * The whole process: its leader has exited (a zombie leader, another
 * thread running) and the signal still reaches the group.
 */
static int child_leader_first(void *fd)
{
	char arg[16];

	snprintf(arg, sizeof(arg), "%d", (int)(intptr_t)fd);
	exec_helper("leader-first", arg, NULL);
	return 127;
}

START_TEST(signal_whole_process)
{
	struct clonefd_info info;
	int p[2], cfd;
	pid_t pid;

	make_pipe(p);
	ck_assert_int_eq(fcntl(p[0], F_SETFD, 0), 0);
	pid = spawn_fd(CLONE_FD | SIGCHLD, O_CLOEXEC, &cfd, child_leader_first,
		       (void *)(intptr_t)p[0]);
	ck_assert_msg(wait_state(pid, 'Z'), "leader never became a zombie");
	ck_assert_int_eq(wait_readable(cfd, 0), 0);
	ck_assert_int_eq(raw_getpid(cfd), pid);
	ck_assert_int_eq(raw_kill(cfd, 0), 0);
	ck_assert_int_eq(raw_kill(cfd, SIGTERM), 0);
	info = read_info(cfd);
	ck_assert_int_eq(info.code, CLD_KILLED);
	ck_assert_int_eq(info.status, SIGTERM);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	close(cfd);
	close(p[0]);
	close(p[1]);
}
END_TEST

/*
 * A non-leader thread exec()s: it takes over the leader's pid (de_thread()
 * swaps them), and the handle follows - same pid, a pidfd for it, signals
 * reach the new program.
 */
struct nl_exec {
	int go, ready;
};

static void *nl_exec_thread(void *arg)
{
	const struct nl_exec *x = arg;
	char fdarg[16];

	if (dup2(x->go, 0) < 0)
		syscall(SYS_exit_group, 126);
	snprintf(fdarg, sizeof(fdarg), "%d", x->ready);
	exec_helper("exec-block", fdarg, NULL);
	syscall(SYS_exit_group, 127);
	return NULL;
}

static int child_nonleader_exec(void *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, nl_exec_thread, arg))
		return 125;
	for (;;)
		pause();
	return 0;
}

START_TEST(handle_after_nonleader_exec)
{
	struct clonefd_info info;
	struct nl_exec x;
	int go[2], ready[2], cfd, pfd, st;
	pid_t pid;
	char c;

	make_pipe(go);
	make_pipe(ready);
	x.go = go[0];
	x.ready = fcntl(ready[1], F_DUPFD, 3);	/* inherited by the new program */
	ck_assert_int_ge(x.ready, 0);
	pid = spawn_fd(CLONE_FD | SIGCHLD, O_CLOEXEC, &cfd, child_nonleader_exec, &x);
	close(x.ready);
	close(ready[1]);
	close(go[0]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);	/* exec-block runs */
	ck_assert_int_eq(wait_readable(cfd, 0), 0);
	ck_assert_int_eq(raw_getpid(cfd), pid);
	pfd = raw_pidfd(cfd, O_CLOEXEC);
	ck_assert_int_ge(pfd, 0);
	ck_assert(is_pidfd_of(pfd, pid));
	ck_assert_int_eq(raw_kill(cfd, 0), 0);
	ck_assert_int_eq(raw_kill(cfd, SIGUSR2), 0);	/* default action: terminate */
	info = read_info(cfd);
	ck_assert_int_eq(info.code, CLD_KILLED);
	ck_assert_int_eq(info.status, SIGUSR2);
	ck_assert(wait_readable(pfd, TIMEOUT_MS));
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR2);
	ck_assert_int_eq(ERR(raw_getpid(cfd)), -ESRCH);
	close(pfd);
	close(cfd);
	close(go[1]);
	close(ready[0]);
}
END_TEST

/* ================= CLONEFD_IOC_PIDFD ================= */

static int is_pidfd_of(int pfd, pid_t pid)
{
	return fdinfo_ll(pfd, "Pid") == pid;
}

/*
 * A real pidfd of the child: fdinfo's Pid:, pidfd_send_signal(2),
 * pidfd_getfd(2), poll (readable at exit, not before) and, for a child
 * that is not autoreaped, waitid(P_PIDFD) - which reaps it.
 * _i: the api x { CLONE_FD, CLONE_FD | CLONE_AUTOREAP }.
 */
START_TEST(pidfd_is_a_pidfd)
{
	const struct api *a = &apis[_i / 2];
	int autoreap = _i % 2, pfd, got, st;
	struct sigrep r;
	char c;
	siginfo_t si;
	int p[2], cfd;
	pid_t pid;

	block_signal(SIGUSR1);
	make_pipe(p);
	pid = spawn_fd(autoreap ? AUTOREAP : CLONE_FD | SIGCHLD, O_CLOEXEC, &cfd,
		       child_sigwait, (void *)(intptr_t)p[1]);
	pfd = a->pidfd(cfd, O_CLOEXEC);
	ck_assert_msg(pfd >= 0, "PIDFD: %m");
	ck_assert(is_pidfd_of(pfd, pid));
	ck_assert_int_eq(wait_readable(pfd, 0), 0);
	/* the child's own write end of p, through pidfd_getfd(2) */
	got = sys_pidfd_getfd(pfd, p[1]);
	ck_assert_msg(got >= 0, "pidfd_getfd: %m");
	ck_assert_int_eq(write(got, "!", 1), 1);
	close(got);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	ck_assert_int_eq(c, '!');
	ck_assert_int_eq(sys_pidfd_send_signal(pfd, SIGUSR1), 0);
	ck_assert_int_eq(read(p[0], &r, sizeof(r)), sizeof(r));
	ck_assert_int_eq(r.signo, SIGUSR1);
	ck_assert_int_eq(r.pid, getpid());
	ck_assert(wait_readable(pfd, TIMEOUT_MS));
	ck_assert(wait_readable(cfd, TIMEOUT_MS));
	memset(&si, 0, sizeof(si));
	if (autoreap) {
		ck_assert_int_eq(ERR(waitid(P_PIDFD, pfd, &si, WEXITED | WNOHANG)), -ECHILD);
	} else {
		ck_assert_int_eq(waitid(P_PIDFD, pfd, &si, WEXITED), 0);
		ck_assert_int_eq(si.si_pid, pid);
		ck_assert_int_eq(si.si_code, CLD_EXITED);
		ck_assert_int_eq(si.si_status, 0);
		ck_assert_int_eq(ERR(waitpid(pid, &st, WNOHANG)), -ECHILD);
	}
	ck_assert_int_eq(ERR(sys_pidfd_send_signal(pfd, 0)), -ESRCH);
	ck_assert_int_eq(fdinfo_ll(pfd, "Pid"), -1);
	ck_assert_int_eq(ERR(a->pidfd(cfd, 0)), -ESRCH);	/* reaped now */
	ck_assert_int_eq(read_info(cfd).status, 0);
	close(pfd);
	close(cfd);
	close(p[0]);
	close(p[1]);
}
END_TEST

/*
 * pidfd_send_signal(2) and waitid(P_PIDFD) with the pidfd of a killed
 * child; a pidfd taken from a zombie still works and reaps it.
 */
START_TEST(pidfd_of_zombie)
{
	const struct api *a = &apis[_i];
	struct echo e;
	siginfo_t si;
	int pfd, pfd2;

	spawn_echo(CLONE_FD | SIGCHLD, &e);
	pfd = a->pidfd(e.cfd, 0);
	ck_assert_int_ge(pfd, 0);
	ck_assert_int_eq(sys_pidfd_send_signal(pfd, SIGKILL), 0);
	ck_assert_int_eq(read_info(e.cfd).status, SIGKILL);
	ck_assert(wait_state(e.pid, 'Z'));
	pfd2 = a->pidfd(e.cfd, O_NONBLOCK);		/* from a zombie */
	ck_assert_int_ge(pfd2, 0);
	ck_assert(is_pidfd_of(pfd2, e.pid));
	ck_assert(wait_readable(pfd2, 0));
	memset(&si, 0, sizeof(si));
	ck_assert_int_eq(waitid(P_PIDFD, pfd2, &si, WEXITED), 0);
	ck_assert_int_eq(si.si_pid, e.pid);
	ck_assert_int_eq(si.si_code, CLD_KILLED);
	ck_assert_int_eq(si.si_status, SIGKILL);
	ck_assert_int_eq(ERR(a->getpid(e.cfd)), -ESRCH);
	ck_assert_int_eq(ERR(a->pidfd(e.cfd, 0)), -ESRCH);
	ck_assert_int_eq(ERR(waitid(P_PIDFD, pfd, &si, WEXITED | WNOHANG)), -ECHILD);
	echo_release(&e);
	close(pfd);
	close(pfd2);
	close(e.cfd);
}
END_TEST

/*
 * O_CLOEXEC and O_NONBLOCK, each both ways; O_NONBLOCK is the pidfd's own
 * (waitid(P_PIDFD) on a running child: EAGAIN instead of blocking).  Any
 * other flag: EINVAL and no descriptor.  An exhausted descriptor table:
 * EMFILE, nothing leaked.
 */
START_TEST(pidfd_flags)
{
	static const unsigned long bad[] = {
		O_RDWR, O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_DIRECTORY, O_PATH,
		O_CLOEXEC | O_NONBLOCK | O_RDWR, 1UL << 31, 1UL << 32,
		(1UL << 32) | O_CLOEXEC, ~0UL,
	};
	static const unsigned good[] = { 0, O_CLOEXEC, O_NONBLOCK, O_CLOEXEC | O_NONBLOCK };
	const struct api *a = &apis[_i];
	struct rlimit rl, low;
	struct echo e;
	siginfo_t si;
	size_t i;
	int pfd, n;

	spawn_echo(CLONE_FD | SIGCHLD, &e);
	n = count_fds();
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		pfd = a->pidfd(e.cfd, good[i]);
		ck_assert_msg(pfd >= 0, "flags %#x: %m", good[i]);
		ck_assert(is_pidfd_of(pfd, e.pid));
		ck_assert_int_eq(!!(fcntl(pfd, F_GETFD) & FD_CLOEXEC), !!(good[i] & O_CLOEXEC));
		ck_assert_int_eq(!!(fcntl(pfd, F_GETFL) & O_NONBLOCK), !!(good[i] & O_NONBLOCK));
		if (good[i] & O_NONBLOCK)
			ck_assert_int_eq(ERR(waitid(P_PIDFD, pfd, &si, WEXITED)), -EAGAIN);
		close(pfd);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(ERR(ioctl(e.cfd, CLONEFD_IOC_PIDFD, bad[i])) == -EINVAL,
			      "flags %#lx: %s", bad[i], strerror(errno));
	ck_assert_int_eq(ERR(clonefd_pidfd(e.cfd, O_RDWR)), -EINVAL);
	ck_assert_int_eq(ERR(clonefd_pidfd(e.cfd, ~0U)), -EINVAL);
	ck_assert_int_eq(count_fds(), n);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	low = rl;
	low.rlim_cur = dup(e.cfd);	/* the lowest free descriptor: now out of reach */
	close(low.rlim_cur);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	ck_assert_int_eq(ERR(a->pidfd(e.cfd, O_CLOEXEC)), -EMFILE);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert_int_eq(count_fds(), n);
	ck_assert(echo_alive(&e));
	echo_release(&e);
	ck_assert_int_eq(read_info(e.cfd).status, 0);
	ck_assert_int_eq(waitpid(e.pid, NULL, 0), e.pid);
	close(e.cfd);
}
END_TEST

/* ================= CLONEFD_IOC_GET_RUSAGE ================= */

#define FAULT_MIB	64

/* Faults in FAULT_MIB MiB, small pages (no THP), then exits 0. */
static int child_fault(void *arg)
{
	size_t len = (size_t)FAULT_MIB << 20, page = sysconf(_SC_PAGESIZE), i;
	volatile char *p;

	(void)arg;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	madvise((void *)p, len, MADV_NOHUGEPAGE);
	for (i = 0; i < len; i += page)
		p[i] = 1;
	return 0;
}

static long long tv_ns(struct timeval tv)
{
	return (tv.tv_sec * 1000000ll + tv.tv_usec) * 1000;
}

static int within_pct(unsigned long long a, unsigned long long b, int pct)
{
	unsigned long long d = a > b ? a - b : b - a;

	return d * 100 <= b * pct;
}

/*
 * wait4(2)'s numbers: a child that faults in 64 MiB, with a clonefd and
 * not autoreaped, against wait4() of itself (maxrss and minor faults within
 * 10 %, CPU times within 20 ms); an identical autoreaped child against the
 * same wait4() figures.  The record survives the reap.
 */
START_TEST(rusage_64mib_like_wait4)
{
	const struct api *a = &apis[_i];
	struct clonefd_rusage ru, ru2, ar;
	unsigned long long pages = ((unsigned long long)FAULT_MIB << 20) / sysconf(_SC_PAGESIZE);
	struct rusage w;
	int cfd, st;
	pid_t pid;

	pid = spawn_fd(CLONE_FD | SIGCHLD, O_CLOEXEC, &cfd, child_fault, NULL);
	ck_assert_int_eq(read_info(cfd).status, 0);
	ck_assert_int_eq(a->rusage(cfd, &ru), 0);
	ck_assert_int_eq(wait4(pid, &st, 0, &w), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(a->rusage(cfd, &ru2), 0);		/* after the reap */
	ck_assert_mem_eq(&ru, &ru2, sizeof(ru));
	close(cfd);

	printf("rusage_64mib_like_wait4: wait4 maxrss %ld KiB minflt %ld utime %lld stime %lld ns;"
	       " clonefd maxrss %llu minflt %llu utime %llu stime %llu\n",
	       w.ru_maxrss, w.ru_minflt, tv_ns(w.ru_utime), tv_ns(w.ru_stime),
	       (unsigned long long)ru.maxrss, (unsigned long long)ru.minflt,
	       (unsigned long long)ru.utime, (unsigned long long)ru.stime);
	ck_assert_msg(w.ru_maxrss >= FAULT_MIB * 1024 && w.ru_minflt >= (long)pages,
		      "the child did not fault in %d MiB (wait4: maxrss %ld KiB, %ld faults)",
		      FAULT_MIB, w.ru_maxrss, w.ru_minflt);
	ck_assert_msg(within_pct(ru.maxrss, w.ru_maxrss, 10), "maxrss %llu KiB, wait4 %ld",
		      (unsigned long long)ru.maxrss, w.ru_maxrss);
	ck_assert_msg(within_pct(ru.minflt, w.ru_minflt, 10), "minflt %llu, wait4 %ld",
		      (unsigned long long)ru.minflt, w.ru_minflt);
	ck_assert_msg(llabs((long long)ru.utime - tv_ns(w.ru_utime)) <= 20ll * 1000 * 1000,
		      "utime %llu ns, wait4 %lld", (unsigned long long)ru.utime,
		      tv_ns(w.ru_utime));
	ck_assert_msg(llabs((long long)ru.stime - tv_ns(w.ru_stime)) <= 20ll * 1000 * 1000,
		      "stime %llu ns, wait4 %lld", (unsigned long long)ru.stime,
		      tv_ns(w.ru_stime));
	ck_assert_uint_le(ru.majflt, (unsigned long)w.ru_majflt + 10);

	pid = spawn_fd(AUTOREAP, O_CLOEXEC, &cfd, child_fault, NULL);
	ck_assert_int_eq(read_info(cfd).status, 0);
	ck_assert_int_eq(a->rusage(cfd, &ar), 0);
	ck_assert(wait_gone(pid, TIMEOUT_MS));
	close(cfd);
	printf("rusage_64mib_like_wait4: autoreaped maxrss %llu minflt %llu utime %llu stime %llu\n",
	       (unsigned long long)ar.maxrss, (unsigned long long)ar.minflt,
	       (unsigned long long)ar.utime, (unsigned long long)ar.stime);
	ck_assert_msg(within_pct(ar.maxrss, w.ru_maxrss, 10), "autoreaped: maxrss %llu KiB, wait4 %ld",
		      (unsigned long long)ar.maxrss, w.ru_maxrss);
	ck_assert_msg(within_pct(ar.minflt, w.ru_minflt, 10), "autoreaped: minflt %llu, wait4 %ld",
		      (unsigned long long)ar.minflt, w.ru_minflt);
	ck_assert_uint_gt(ar.utime + ar.stime, 0);
}
END_TEST

#define SPIN_MS	200

/* Forks a grandchild that burns SPIN_MS of CPU and faults in 64 MiB, reaps it. */
static int child_reaps_burner(void *arg)
{
	pid_t g;
	int st;

	(void)arg;
	signal(SIGCHLD, SIG_DFL);	/* the test may ignore it: not for our own wait */
	g = fork();
	if (g == 0) {
		burn_cpu_ms(SPIN_MS);
		_exit(child_fault(NULL));
	}
	if (g < 0 || waitpid(g, &st, 0) != g)
		return 1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 2;
}

/*
 * wait4(2) counts the reaped descendants: so does GET_RUSAGE (the
 * grandchild's CPU and maxrss), unlike the record (the child's own CPU).
 * _i: the api x { CLONE_FD (checked against wait4), CLONE_FD | CLONE_AUTOREAP,
 * CLONE_FD with SIGCHLD ignored here (the kernel reaps it at exit) }.
 */
START_TEST(rusage_includes_reaped_descendants)
{
	const struct api *a = &apis[_i / 3];
	int autoreap = _i % 3, cfd, st;
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct clonefd_info info;
	struct clonefd_rusage ru;
	struct rusage w;
	pid_t pid;

	if (autoreap == 2)
		ck_assert_int_eq(sigaction(SIGCHLD, &ign, NULL), 0);
	pid = spawn_fd(autoreap == 1 ? AUTOREAP : CLONE_FD | SIGCHLD, O_CLOEXEC, &cfd,
		       child_reaps_burner, NULL);
	info = read_info(cfd);
	ck_assert_int_eq(info.status, 0);
	ck_assert_int_eq(a->rusage(cfd, &ru), 0);
	ck_assert_msg(ru.utime + ru.stime >= (SPIN_MS - 10) * 1000000ull,
		      "utime %llu + stime %llu ns: the grandchild's %d ms are missing",
		      (unsigned long long)ru.utime, (unsigned long long)ru.stime, SPIN_MS);
	ck_assert_msg(info.utime + info.stime + (SPIN_MS / 2) * 1000000ull < ru.utime + ru.stime,
		      "record %llu ns vs rusage %llu ns: the record must exclude children",
		      (unsigned long long)(info.utime + info.stime),
		      (unsigned long long)(ru.utime + ru.stime));
	ck_assert_msg(ru.maxrss >= FAULT_MIB * 1024, "maxrss %llu KiB: the grandchild's is missing",
		      (unsigned long long)ru.maxrss);
	if (autoreap)
		ck_assert(wait_gone(pid, TIMEOUT_MS));
	if (!autoreap) {
		ck_assert_int_eq(wait4(pid, &st, 0, &w), pid);
		ck_assert_msg(within_pct(ru.maxrss, w.ru_maxrss, 10), "maxrss %llu, wait4 %ld",
			      (unsigned long long)ru.maxrss, w.ru_maxrss);
		ck_assert_msg(within_pct(ru.minflt, w.ru_minflt, 10), "minflt %llu, wait4 %ld",
			      (unsigned long long)ru.minflt, w.ru_minflt);
		ck_assert_msg(llabs((long long)(ru.utime + ru.stime) -
				    tv_ns(w.ru_utime) - tv_ns(w.ru_stime)) <= 20ll * 1000 * 1000,
			      "cpu %llu ns, wait4 %lld", (unsigned long long)(ru.utime + ru.stime),
			      tv_ns(w.ru_utime) + tv_ns(w.ru_stime));
	}
	close(cfd);
}
END_TEST

static int rusage_sized(int cfd, void *buf, size_t size)
{
	return ioctl(cfd, _IOC(_IOC_READ, CLONEFD_IOC_MAGIC,
			       _IOC_NR(CLONEFD_IOC_GET_RUSAGE), size), buf);
}

/*
 * EAGAIN while the child runs, blocking clonefd or not (never blocks);
 * sizes below CLONEFD_RUSAGE_SIZE_VER0 are EINVAL, larger ones get the
 * same 72 bytes and a zeroed tail; a bad buffer is EFAULT.
 */
START_TEST(rusage_eagain_sizes_efault)
{
	static const size_t small[] = { 0, 1, 8, 64, 71 };
	static const size_t large[] = { 73, 80, 128, 4096, (1 << _IOC_SIZEBITS) - 1 };
	size_t big = 1 << _IOC_SIZEBITS, i, j;
	struct clonefd_rusage ru;
	unsigned char *buf;
	struct echo e;
	void *ro;

	spawn_echo(AUTOREAP, &e);
	ck_assert_int_eq(ERR(raw_rusage(e.cfd, &ru)), -EAGAIN);
	ck_assert_int_eq(ERR(apis[NAPI - 1].rusage(e.cfd, &ru)), -EAGAIN);
	ck_assert_int_eq(ERR(rusage_sized(e.cfd, &ru, 4096)), -EAGAIN);
	echo_release(&e);
	ck_assert_int_eq(read_info(e.cfd).status, 0);

	ck_assert_int_eq(raw_rusage(e.cfd, &ru), 0);
	buf = malloc(big);
	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		memset(buf, 0xa5, big);
		ck_assert_msg(ERR(rusage_sized(e.cfd, buf, small[i])) == -EINVAL,
			      "size %zu: %s", small[i], strerror(errno));
		for (j = 0; j < big; j++)
			ck_assert_msg(buf[j] == 0xa5, "size %zu: byte %zu written", small[i], j);
	}
	for (i = 0; i < sizeof(large) / sizeof(large[0]); i++) {
		memset(buf, 0xa5, big);
		ck_assert_msg(rusage_sized(e.cfd, buf, large[i]) == 0, "size %zu: %m", large[i]);
		ck_assert_mem_eq(buf, &ru, sizeof(ru));
		for (j = sizeof(ru); j < large[i]; j++)
			ck_assert_msg(buf[j] == 0, "size %zu: tail byte %zu is %#x", large[i], j, buf[j]);
		for (; j < big; j++)
			ck_assert_msg(buf[j] == 0xa5, "size %zu: byte %zu past the end written",
				      large[i], j);
	}
	free(buf);
	ck_assert_int_eq(ERR(raw_rusage(e.cfd, NULL)), -EFAULT);
	ck_assert_int_eq(ERR(rusage_sized(e.cfd, (void *)16, 4096)), -EFAULT);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(ro, MAP_FAILED);
	ck_assert_int_eq(ERR(raw_rusage(e.cfd, ro)), -EFAULT);
	munmap(ro, 4096);
	ck_assert_int_eq(ERR(clonefd_rusage(e.cfd, NULL)), -EFAULT);
	close(e.cfd);
}
END_TEST

/* ================= fdinfo ================= */

static void assert_fdinfo_record(int cfd, const struct clonefd_info *info)
{
	char state[32];

	fdinfo_str(cfd, "State", state, sizeof(state));
	ck_assert_str_eq(state, "exited");
	ck_assert_int_eq(fdinfo_ll(cfd, "Code"), info->code);
	ck_assert_int_eq(fdinfo_ll(cfd, "Status"), info->status);
	ck_assert_int_eq(fdinfo_ll(cfd, "Utime"), (long long)info->utime);
	ck_assert_int_eq(fdinfo_ll(cfd, "Stime"), (long long)info->stime);
}

/*
 * Pid:, NSpid:, State: running with no record fields before the exit;
 * State: exited and the record (Code:, Status:, Utime:, Stime:) after it,
 * Pid: still the zombie's, -1 once reaped; the same in a forked copy.
 * _i: exit 7 then reaped, SIGKILL then reaped, autoreaped exit.
 */
START_TEST(fdinfo_before_and_after_exit)
{
	struct clonefd_info info;
	char state[32], nspid[64], want[32];
	struct echo e;
	pid_t sub;

	spawn_echo(_i == 2 ? AUTOREAP : CLONE_FD | SIGCHLD, &e);
	ck_assert_int_eq(fdinfo_ll(e.cfd, "Pid"), e.pid);
	fdinfo_str(e.cfd, "NSpid", nspid, sizeof(nspid));
	snprintf(want, sizeof(want), "%d", e.pid);
	ck_assert_str_eq(nspid, want);
	fdinfo_str(e.cfd, "State", state, sizeof(state));
	ck_assert_str_eq(state, "running");
	ck_assert(!fdinfo_has(e.cfd, "Code"));
	ck_assert(!fdinfo_has(e.cfd, "Status"));
	ck_assert(!fdinfo_has(e.cfd, "Utime"));
	ck_assert(!fdinfo_has(e.cfd, "Stime"));
	if (_i == 1)
		ck_assert_int_eq(raw_kill(e.cfd, SIGKILL), 0);
	echo_release(&e);
	info = read_info(e.cfd);
	ck_assert_int_eq(info.code, _i == 1 ? CLD_KILLED : CLD_EXITED);
	assert_fdinfo_record(e.cfd, &info);
	if (_i != 2) {
		ck_assert_int_eq(fdinfo_ll(e.cfd, "Pid"), e.pid);	/* zombie */
		ck_assert_int_eq(waitpid(e.pid, NULL, 0), e.pid);
	}
	ck_assert_int_eq(fdinfo_ll(e.cfd, "Pid"), -1);
	assert_fdinfo_record(e.cfd, &info);
	sub = fork();
	if (sub == 0) {
		char text[1024], v[64];

		fdinfo_text(e.cfd, text, sizeof(text));
		_exit(field_of(text, "Pid", v, sizeof(v)) && !strcmp(v, "-1") &&
		      field_of(text, "State", v, sizeof(v)) && !strcmp(v, "exited") ? 0 : 1);
	}
	ck_assert_int_eq(helper_status(sub), 0);
	close(e.cfd);
}
END_TEST

/* ================= CLONE_NNP ================= */

/* Reports prctl(PR_GET_NO_NEW_PRIVS) and /proc/self/status's NoNewPrivs:. */
static int child_report_nnp(void *fd)
{
	int v[2] = { prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), self_status_nnp() };

	return write((int)(intptr_t)fd, v, sizeof(v)) == sizeof(v) ? 0 : 1;
}

static const struct {
	uint64_t flags;
	int nnp;
	const char *name;
} nnp_cases[] = {
	{ CLONE_FD | CLONE_AUTOREAP | CLONE_NNP, 1, "CLONE_FD|CLONE_AUTOREAP|CLONE_NNP" },
	{ CLONE_FD | CLONE_NNP | SIGCHLD, 1, "CLONE_FD|CLONE_NNP|SIGCHLD" },
	{ CLONE_NNP | SIGCHLD, 1, "CLONE_NNP|SIGCHLD" },
	{ CLONE_AUTOREAP | CLONE_NNP, 1, "CLONE_AUTOREAP|CLONE_NNP" },
	{ AUTOKILL, 1, "CLONE_FD|CLONE_AUTOREAP|CLONE_PIDFD_AUTOKILL|CLONE_NNP" },
	{ CLONE_VM | CLONE_VFORK | CLONE_FD | CLONE_AUTOREAP | CLONE_NNP, 1,
	  "CLONE_VM|CLONE_VFORK|CLONE_FD|CLONE_AUTOREAP|CLONE_NNP" },
	{ CLONE_FD | CLONE_AUTOREAP, 0, "CLONE_FD|CLONE_AUTOREAP" },
	{ CLONE_FD | SIGCHLD, 0, "CLONE_FD|SIGCHLD" },
	{ CLONE_FD | CLONE_AUTOREAP | CLONE_PIDFD_AUTOKILL, 0,
	  "CLONE_FD|CLONE_AUTOREAP|CLONE_PIDFD_AUTOKILL (root)" },
};

/*
 * pidfd_autoreap_test.c's nnp_sets_no_new_privs and
 * autoreap_no_new_privs_unset: no_new_privs in the child exactly when
 * CLONE_NNP was given (prctl and /proc/self/status), never in the caller.
 */
START_TEST(nnp_in_child_only)
{
	uint64_t flags = nnp_cases[_i].flags;
	int p[2], v[2], cfd = -1, st;
	struct clone4_args args = { .clonefd = flags & CLONE_FD ? &cfd : NULL,
				    .clonefd_flags = flags & CLONE_FD ? O_CLOEXEC : 0 };
	pid_t pid;

	ck_assert_int_eq(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
	make_pipe(p);
	pid = clone4(flags, sizeof(args), &args, child_report_nnp, (void *)(intptr_t)p[1]);
	ck_assert_msg(pid > 0, "%s: %s", nnp_cases[_i].name, clonefd_strerror(errno));
	ck_assert_int_eq(read(p[0], v, sizeof(v)), sizeof(v));
	ck_assert_msg(v[0] == nnp_cases[_i].nnp && v[1] == nnp_cases[_i].nnp,
		      "%s: child prctl %d, NoNewPrivs: %d, want %d", nnp_cases[_i].name,
		      v[0], v[1], nnp_cases[_i].nnp);
	ck_assert_int_eq(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
	ck_assert_int_eq(self_status_nnp(), 0);
	if (flags & CLONE_FD) {
		struct clonefd_info info = read_info(cfd);

		ck_assert_int_eq(info.code, CLD_EXITED);
		ck_assert_int_eq(info.status, 0);
		close(cfd);
	} else {
		ck_assert_int_eq(cfd, -1);
	}
	if (!(flags & CLONE_AUTOREAP)) {
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	} else {
		ck_assert(wait_gone(pid, TIMEOUT_MS));
	}
	close(p[0]);
	close(p[1]);
}
END_TEST

/* no_new_privs is inherited by the child's own children and survives exec. */
static int child_fork_exec_report(void *fd)
{
	char arg[16];
	pid_t g;
	int st;

	g = fork();
	if (g == 0) {
		snprintf(arg, sizeof(arg), "%d", (int)(intptr_t)fd);
		execl("/proc/self/exe", "check_clonefd", "--helper", "handle-nnp", arg,
		      (char *)NULL);
		_exit(127);
	}
	if (g < 0 || waitpid(g, &st, 0) != g)
		return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}

START_TEST(nnp_inherited_across_fork_exec)
{
	int p[2], v[2], cfd;

	make_pipe(p);
	ck_assert_int_eq(fcntl(p[1], F_SETFD, 0), 0);
	spawn_fd(CLONE_FD | CLONE_AUTOREAP | CLONE_NNP, O_CLOEXEC, &cfd,
		 child_fork_exec_report, (void *)(intptr_t)p[1]);
	ck_assert_int_eq(read(p[0], v, sizeof(v)), sizeof(v));
	ck_assert_int_eq(v[0], 1);
	ck_assert_int_eq(v[1], 1);
	ck_assert_int_eq(read_info(cfd).status, 0);
	close(cfd);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* ================= flag rules (CLONE_NNP, CLONE_PIDFD_AUTOKILL) ================= */

static int autokill_spawn_exit(uint64_t flags, int *err);

/*
 * clone4() with a stack of its own (CLONE_THREAD needs CLONE_VM): pid or
 * -errno.  The clonefd fields only with CLONE_FD (else EINVAL for them).
 */
static long clone4_on_stack(uint64_t flags, int *cfd)
{
	static char stack[64 << 10] __attribute__((aligned(16)));
	struct clone4_args args = {
		.stack_start = (unsigned long)stack, .stack_size = sizeof(stack),
		.clonefd = flags & CLONE_FD ? cfd : NULL,
		.clonefd_flags = flags & CLONE_FD ? O_CLOEXEC : 0,
	};

	return ERR(clone4(flags, sizeof(args), &args, child_exit, NULL));
}

/* The raw request on /dev/clonefd: pid or -errno; a created child exits at once. */
static long raw_clone4(uint64_t flags, int *cfd)
{
	struct clonefd_clone4_args req = {
		.flags = flags,
		.clonefd = flags & CLONE_FD ? (uintptr_t)cfd : 0,
		.clonefd_flags = flags & CLONE_FD ? O_CLOEXEC : 0,
	};
	int dev = open("/dev/clonefd", O_RDONLY | O_CLOEXEC);
	long ret;

	ck_assert_int_ge(dev, 0);
	ret = ioctl(dev, CLONEFD_IOC_CLONE4, &req);
	if (ret == 0)
		_exit(0);
	ret = ret < 0 ? -errno : ret;
	close(dev);
	return ret;
}

/*
 * pidfd_autoreap_test.c's rejections: CLONE_PIDFD_AUTOKILL without
 * CLONE_FD or without CLONE_AUTOREAP, and with CLONE_THREAD; CLONE_NNP
 * with CLONE_THREAD.  EINVAL, through the library and the raw ioctl,
 * nothing created, no descriptor.
 */
START_TEST(flags_rejected_einval)
{
	static const uint64_t bad[] = {
		CLONE_AUTOREAP | CLONE_PIDFD_AUTOKILL | CLONE_NNP,		/* no CLONE_FD */
		CLONE_AUTOREAP | CLONE_PIDFD_AUTOKILL,
		CLONE_FD | CLONE_PIDFD_AUTOKILL | CLONE_NNP | SIGCHLD,		/* no CLONE_AUTOREAP */
		CLONE_FD | CLONE_PIDFD_AUTOKILL | CLONE_NNP,			/* ... exit signal 0 */
		CLONE_FD | CLONE_PIDFD_AUTOKILL,
		CLONE_PIDFD_AUTOKILL | SIGCHLD,
		CLONE_PIDFD_AUTOKILL | CLONE_NNP,
	};
	static const uint64_t thread[] = {
		CLONE_NNP,
		CLONE_NNP | CLONE_FD,
		AUTOKILL,
		CLONE_FD | CLONE_AUTOREAP | CLONE_PIDFD_AUTOKILL,
		CLONE_PIDFD_AUTOKILL | CLONE_NNP,
	};
	size_t i;
	int cfd, err;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct clone4_args a = { .clonefd = bad[i] & CLONE_FD ? &cfd : NULL };

		cfd = -1;
		ck_assert_msg(ERR(clone4(bad[i], sizeof(a), &a, child_exit, NULL)) == -EINVAL,
			      "clone4(%#llx): %s", (unsigned long long)bad[i], strerror(errno));
		ck_assert_msg(raw_clone4(bad[i], &cfd) == -EINVAL, "ioctl(%#llx): %s",
			      (unsigned long long)bad[i], strerror(errno));
	}
	for (i = 0; i < sizeof(thread) / sizeof(thread[0]); i++) {
		uint64_t f = thread[i] | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;

		cfd = -1;
		ck_assert_msg(clone4_on_stack(f, &cfd) == -EINVAL, "clone4(%#llx): %s",
			      (unsigned long long)f, strerror(errno));
		ck_assert_int_eq(cfd, -1);
	}
	/* the same flags, valid, work: the rules above were the reason */
	ck_assert_int_eq(autokill_spawn_exit(AUTOKILL, &err), 0);
	ck_assert_int_eq(autokill_spawn_exit(CLONE_FD | CLONE_AUTOREAP | CLONE_NNP, &err), 0);
}
END_TEST

/*
 * CLONE_PIDFD_AUTOKILL without CLONE_NNP needs CAP_SYS_ADMIN in the
 * caller's user namespace: EPERM for uid 65534 and for root without
 * CAP_SYS_ADMIN; with CLONE_NNP both may.  In a user namespace of its own
 * uid 65534 has CAP_SYS_ADMIN (where the kernel lets it make one).
 */
enum {
	AP_OK, AP_IDS, AP_CAPS, AP_FDS, AP_NOT_EPERM, AP_LEAK, AP_NNP_SPAWN,
	AP_NNP_RECORD, AP_USERNS_SPAWN, AP_USERNS_RECORD,
};

static int autokill_spawn_exit(uint64_t flags, int *err)
{
	struct clone4_args args;
	struct clonefd_info info;
	int cfd = -1;
	pid_t pid;

	args = (struct clone4_args){ .clonefd = &cfd, .clonefd_flags = O_CLOEXEC };
	pid = clone4(flags, sizeof(args), &args, child_exit, (void *)3);
	*err = pid < 0 ? errno : 0;
	if (pid < 0)
		return -1;
	if (read(cfd, &info, sizeof(info)) != sizeof(info) || info.code != CLD_EXITED ||
	    info.status != 3)
		return 1;
	close(cfd);
	return 0;
}

static int fds_of_self(void)
{
	int fd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC), n = 0;
	char buf[4096];
	long got;
	long off;

	if (fd < 0)
		return -1;
	while ((got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (off = 0; off < got; off += *(unsigned short *)(buf + off + 16))
			n++;
	close(fd);
	return n;
}

static int drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	data[CAP_SYS_ADMIN / 32].permitted &= ~(1u << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &hdr, data);
}

static int autokill_unprivileged(int how)
{
	int n, err;

	if (how == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			return AP_IDS;
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);	/* our own /proc/self/fd */
	} else if (drop_cap_sys_admin()) {
		return AP_CAPS;
	}
	n = fds_of_self();
	if (n < 0)
		return AP_FDS;
	if (autokill_spawn_exit(CLONE_FD | CLONE_AUTOREAP | CLONE_PIDFD_AUTOKILL, &err) != -1 ||
	    err != EPERM)
		return AP_NOT_EPERM;
	if (fds_of_self() != n || waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
		return AP_LEAK;
	if (autokill_spawn_exit(AUTOKILL, &err))
		return AP_NNP_SPAWN;
	if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD || fds_of_self() != n)
		return AP_NNP_RECORD;
	if (how == 0 && unshare(CLONE_NEWUSER)) {
		printf("autokill_needs_cap_sys_admin: uid 65534 cannot unshare(CLONE_NEWUSER)"
		       " (%m): the user namespace case is not run\n");
		fflush(stdout);
	} else if (how == 0) {
		if (autokill_spawn_exit(CLONE_FD | CLONE_AUTOREAP | CLONE_PIDFD_AUTOKILL,
					&err))
			return AP_USERNS_SPAWN;
		if (fds_of_self() != n)
			return AP_USERNS_RECORD;
	}
	return AP_OK;
}

START_TEST(autokill_needs_cap_sys_admin)
{
	pid_t sub;
	int rc, err;

	/* root may, without CLONE_NNP (autokill_without_nnp_with_cap) */
	ck_assert_int_eq(autokill_spawn_exit(CLONE_FD | CLONE_AUTOREAP | CLONE_PIDFD_AUTOKILL,
					     &err), 0);
	sub = fork();
	if (sub == 0)
		_exit(autokill_unprivileged(_i));
	rc = helper_status(sub);
	ck_assert_msg(rc == AP_OK, "%s: step %d", _i ? "root without CAP_SYS_ADMIN" : "uid 65534",
		      rc);
}
END_TEST

/* ================= CLONE_PIDFD_AUTOKILL ================= */

/*
 * Optional evidence on 6.15+: the pidfd's own exit information; 1 if the
 * kernel had it.  (Without it: the child ignores every catchable signal.)
 */
static int assert_pidfd_exit_sigkill(int pfd)
{
	struct pidfd_info_v0 pi = { .mask = PIDFD_INFO_EXIT_BIT };

	if (ioctl(pfd, PIDFD_GET_INFO_V0, &pi) < 0 || !(pi.mask & PIDFD_INFO_EXIT_BIT))
		return 0;	/* a kernel before 6.15 */
	ck_assert_msg(WIFSIGNALED(pi.exit_code) && WTERMSIG(pi.exit_code) == SIGKILL,
		      "PIDFD_GET_INFO: exit code %#x, not SIGKILL", pi.exit_code);
	return 1;
}

/* Dead, gone and reaped by the kernel or the module: nobody's zombie. */
static int assert_autokilled(pid_t pid, int pfd)
{
	int seen;

	ck_assert_msg(wait_readable(pfd, TIMEOUT_MS), "child %d not killed", pid);
	ck_assert(wait_gone(pid, TIMEOUT_MS));
	ck_assert_int_eq(ERR(sys_pidfd_send_signal(pfd, 0)), -ESRCH);
	seen = assert_pidfd_exit_sigkill(pfd);
	close(pfd);
	return seen;
}

/*
 * pidfd_autoreap_test.c's autokill_basic: closing the clonefd kills the
 * child, which then is autoreaped.  The child ignores every catchable
 * signal: only SIGKILL ends it.  _i: the api used for the observer pidfd.
 */
START_TEST(autokill_on_close)
{
	struct echo e;
	int pfd;

	spawn_echo(AUTOKILL, &e);
	pfd = apis[_i].pidfd(e.cfd, O_CLOEXEC);
	ck_assert_int_ge(pfd, 0);
	ck_assert(echo_alive(&e));
	close(e.cfd);
	ck_assert(echo_dead(&e));
	if (!_i)
		printf("autokill_on_close: %s\n", assert_autokilled(e.pid, pfd) ?
		       "PIDFD_GET_INFO confirms SIGKILL" :
		       "no PIDFD_GET_INFO exit code (before 6.15): only SIGKILL could end it");
	else
		assert_autokilled(e.pid, pfd);
	echo_release(&e);
}
END_TEST

/* An exit before the close: the record as usual, nothing to kill later. */
START_TEST(autokill_after_exit)
{
	struct clonefd_info info;
	struct echo e;

	spawn_echo(AUTOKILL, &e);
	echo_release(&e);
	info = read_info(e.cfd);
	ck_assert_int_eq(info.code, CLD_EXITED);
	ck_assert_int_eq(info.status, 0);
	ck_assert_int_eq(ERR(raw_kill(e.cfd, SIGKILL)), -ESRCH);
	close(e.cfd);
	ck_assert(wait_gone(e.pid, TIMEOUT_MS));
}
END_TEST

/*
 * The holder is SIGKILLed: its descriptors go, so does the child.  The
 * test watches through pidfd_open(2); the child was the holder's.
 */
START_TEST(autokill_holder_sigkilled)
{
	int p[2], pfd;
	pid_t holder, pid;

	make_pipe(p);
	holder = fork();
	if (holder == 0) {
		struct clone4_args args;
		int cfd = -1;

		args = (struct clone4_args){ .clonefd = &cfd };
		pid = clone4(AUTOKILL, sizeof(args), &args, child_forever, NULL);
		if (write(p[1], &pid, sizeof(pid)) != sizeof(pid))
			_exit(1);
		for (;;)
			pause();
	}
	ck_assert_int_eq(read(p[0], &pid, sizeof(pid)), sizeof(pid));
	ck_assert_int_gt(pid, 0);
	pfd = sys_pidfd_open(pid, 0);
	ck_assert_int_ge(pfd, 0);
	ck_assert_int_eq(wait_readable(pfd, 0), 0);
	ck_assert_int_eq(kill(holder, SIGKILL), 0);
	ck_assert_int_eq(waitpid(holder, NULL, 0), holder);
	assert_autokilled(pid, pfd);
	close(p[0]);
	close(p[1]);
}
END_TEST

/*
 * Every reference to the clonefd file counts: dup()s, fork()ed copies and
 * one in flight in an SCM_RIGHTS message.  The child lives (answers) until
 * the last one is gone, then dies.
 */
static int send_fd(int sock, int fd)
{
	char data = 'f', cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &data, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char data, cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &data, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

START_TEST(autokill_last_reference)
{
	int pfd, d1, d2, sv[2], go[2], r;
	struct echo e;
	pid_t sub;
	char c;

	spawn_echo(AUTOKILL, &e);
	pfd = raw_pidfd(e.cfd, O_CLOEXEC);
	ck_assert_int_ge(pfd, 0);

	/* dup()s */
	d1 = dup(e.cfd);
	d2 = fcntl(e.cfd, F_DUPFD_CLOEXEC, 10);
	ck_assert(d1 >= 0 && d2 >= 0);
	close(e.cfd);
	ck_assert(echo_alive(&e));
	close(d1);
	ck_assert(echo_alive(&e));

	/* in flight: sent on a socket, closed here, received back */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(send_fd(sv[0], d2), 0);
	close(d2);
	ck_assert(echo_alive(&e));
	r = recv_fd(sv[1]);
	ck_assert_int_ge(r, 0);
	ck_assert_int_eq(raw_getpid(r), e.pid);
	close(sv[0]);
	close(sv[1]);

	/* a fork()ed copy outlives ours */
	make_pipe(go);
	sub = fork();
	if (sub == 0) {
		close(go[1]);
		_exit(read(go[0], &c, 1) == 0 ? 0 : 1);
	}
	close(go[0]);
	close(r);
	ck_assert(echo_alive(&e));
	close(go[1]);			/* the last holder exits */
	ck_assert_int_eq(helper_status(sub), 0);
	ck_assert(echo_dead(&e));
	assert_autokilled(e.pid, pfd);
	echo_release(&e);
}
END_TEST

/*
 * pidfd_autoreap_test.c's autokill_pidfd_open_no_effect: pidfds - from
 * CLONEFD_IOC_PIDFD or pidfd_open(2) - neither trigger the kill when closed
 * nor keep the child alive once the clonefd is closed.
 */
START_TEST(autokill_pidfds_do_not_count)
{
	const struct api *a = &apis[_i];
	int p1, p2, p3;
	struct echo e;

	spawn_echo(AUTOKILL, &e);
	p1 = a->pidfd(e.cfd, 0);
	p2 = sys_pidfd_open(e.pid, 0);
	ck_assert(p1 >= 0 && p2 >= 0);
	close(p1);
	close(p2);
	ck_assert(echo_alive(&e));
	ck_assert_int_eq(wait_readable(e.cfd, 0), 0);
	p3 = a->pidfd(e.cfd, O_CLOEXEC);
	ck_assert_int_ge(p3, 0);
	close(e.cfd);			/* only the pidfd remains */
	ck_assert(echo_dead(&e));
	assert_autokilled(e.pid, p3);
	echo_release(&e);
}
END_TEST

/*
 * The whole process dies: a child whose leader has already exited (a
 * zombie leader and a live thread) is killed all the same.
 */
START_TEST(autokill_whole_process)
{
	int p[2], cfd, pfd;
	pid_t pid;

	make_pipe(p);
	ck_assert_int_eq(fcntl(p[0], F_SETFD, 0), 0);
	pid = spawn_fd(AUTOKILL, O_CLOEXEC, &cfd, child_leader_first, (void *)(intptr_t)p[0]);
	ck_assert_msg(wait_state(pid, 'Z'), "leader never became a zombie");
	pfd = raw_pidfd(cfd, O_CLOEXEC);
	ck_assert_int_ge(pfd, 0);
	ck_assert_int_eq(wait_readable(pfd, 0), 0);
	close(cfd);
	assert_autokilled(pid, pfd);
	close(p[0]);
	close(p[1]);
}
END_TEST

/*
 * exec(2) closes an O_CLOEXEC copy: when it was the last reference the
 * child dies before the new program runs; a copy without close-on-exec
 * lives on in the exec'd program.  _i: the copy is close-on-exec, it is not.
 */
START_TEST(autokill_holder_execs)
{
	int go[2], ready[2], doexec[2], pfd;
	struct echo e;
	pid_t sub;
	char c;

	spawn_echo(AUTOKILL, &e);
	pfd = raw_pidfd(e.cfd, O_CLOEXEC);
	ck_assert_int_ge(pfd, 0);
	make_pipe(go);
	make_pipe(ready);
	make_pipe(doexec);
	sub = fork();
	if (sub == 0) {
		char fdarg[16];

		if (_i && fcntl(e.cfd, F_SETFD, 0))
			_exit(125);
		if (read(doexec[0], &c, 1) != 1 || dup2(go[0], 0) < 0)
			_exit(126);
		snprintf(fdarg, sizeof(fdarg), "%d", fcntl(ready[1], F_DUPFD, 3));
		exec_helper("exec-block", fdarg, NULL);
	}
	close(go[0]);
	close(ready[1]);
	close(e.cfd);			/* the sub's copy is the last one */
	ck_assert(echo_alive(&e));
	poke(doexec[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);	/* the new program runs */
	if (_i) {
		ck_assert(echo_alive(&e));
		close(go[1]);		/* the exec'd holder exits */
		ck_assert_int_eq(helper_status(sub), 0);
		ck_assert(echo_dead(&e));
	} else {
		ck_assert(echo_dead(&e));
		close(go[1]);
		ck_assert_int_eq(helper_status(sub), 0);
	}
	assert_autokilled(e.pid, pfd);
	echo_release(&e);
	close(ready[0]);
	close(doexec[0]);
	close(doexec[1]);
}
END_TEST

/* ================= a lost exit ================= */

static int write_knob(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, value, strlen(value)) != (ssize_t)strlen(value))
		err = errno;
	close(fd);
	return err;
}

/*
 * The hooks disarmed (kprobes off) while a waitable child exits: the
 * module never sees the exit, only, re-armed, the reap.  Then the clonefd
 * polls POLLIN|POLLERR and read() and GET_RUSAGE fail with EIO (no record
 * to give), clonefd_wait() too; the child is gone for GET_PID, PIDFD and
 * SEND_SIGNAL (ESRCH); fdinfo has State: exited and no record fields.
 */
START_TEST(lost_exit_eio)
{
	static const char knob[] = "/sys/kernel/debug/kprobes/enabled";
	struct clonefd_rusage ru;
	struct clonefd_info info;
	struct pollfd pl;
	char state[32];
	int off, zombie, on, st;
	struct echo e;

	if (access(knob, W_OK))
		ck_assert_int_eq(mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL), 0);
	spawn_echo(CLONE_FD | SIGCHLD, &e);
	/* no assertion may leave the hooks disarmed: check after re-arming */
	off = write_knob(knob, "0");
	echo_release(&e);
	zombie = wait_state(e.pid, 'Z');
	on = write_knob(knob, "1");
	ck_assert_msg(!off && !on, "%s: %s, %s", knob, strerror(off), strerror(on));
	ck_assert_msg(zombie, "the child did not exit");
	ck_assert_int_eq(waitpid(e.pid, &st, 0), e.pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pl = (struct pollfd){ .fd = e.cfd, .events = POLLIN };
	ck_assert_int_eq(poll(&pl, 1, TIMEOUT_MS), 1);
	ck_assert_int_eq(pl.revents, POLLIN | POLLERR);
	ck_assert_int_eq(ERR(read(e.cfd, &info, sizeof(info))), -EIO);
	ck_assert_int_eq(ERR(raw_rusage(e.cfd, &ru)), -EIO);
	ck_assert_int_eq(ERR(apis[NAPI - 1].rusage(e.cfd, &ru)), -EIO);
	ck_assert_int_eq(ERR(clonefd_wait(e.cfd, &info, 0)), -EIO);
	ck_assert_int_eq(ERR(raw_getpid(e.cfd)), -ESRCH);
	ck_assert_int_eq(ERR(raw_kill(e.cfd, 0)), -ESRCH);
	ck_assert_int_eq(ERR(raw_pidfd(e.cfd, 0)), -ESRCH);
	ck_assert_int_eq(fdinfo_ll(e.cfd, "Pid"), -1);
	fdinfo_str(e.cfd, "State", state, sizeof(state));
	ck_assert_str_eq(state, "exited");
	ck_assert(!fdinfo_has(e.cfd, "Code"));
	close(e.cfd);
}
END_TEST

/* ================= pidfd_poll_test.c ================= */

#define POLL_ROUNDS	10000
#define POLL_BATCH	8

/* A CLONE_VM child on a stack of its own: system calls only, forever. */
static int child_block_raw(void *arg)
{
	(void)arg;
	for (;;)
		syscall(SYS_ppoll, NULL, 0UL, NULL, NULL, 0UL);
	return 0;
}

/*
 * 10 000 rounds of spawn, signal, poll: each child is killed through its
 * clonefd right after its creation and its clonefd must poll readable with
 * that child's own SIGKILL record.  POLL_BATCH children are in flight at a
 * time (one poll() over their clonefds; under TCG a round trip per child
 * costs three times as much, all waiting): per batch one fork-like child,
 * the others CLONE_VM ones on stacks of their own, alternately waitable
 * (then reaped: WTERMSIG 9) and autoreaped (then gone: GET_PID's ESRCH),
 * signalled through the ioctl and clonefd_kill() in turn.
 */
START_TEST(poll_spawn_signal_rounds)
{
	static char stacks[POLL_BATCH][16384] __attribute__((aligned(64)));
	struct pollfd pfd[POLL_BATCH];
	int cfd[POLL_BATCH], open_n, i, j, n, st;
	pid_t pid[POLL_BATCH];
	long start = now_ms(), ms;

	for (i = 0; i < POLL_ROUNDS; i += POLL_BATCH) {
		for (j = 0; j < POLL_BATCH; j++) {
			const struct api *a = &apis[((i + j) / 2) % NAPI];
			struct clone4_args args = { .clonefd = &cfd[j], .clonefd_flags = O_CLOEXEC };
			uint64_t flags = CLONE_FD | ((i + j) & 1 ? CLONE_AUTOREAP : SIGCHLD);

			if (j) {
				args.stack_start = (unsigned long)stacks[j];
				args.stack_size = sizeof(stacks[j]);
				flags |= CLONE_VM;
			}
			cfd[j] = -1;
			pid[j] = clone4(flags, sizeof(args), &args, j ? child_block_raw : NULL, NULL);
			if (pid[j] == 0)
				for (;;)
					pause();
			if (pid[j] < 0)
				ck_abort_msg("round %d: clone4: %m", i + j);
			if (a->kill(cfd[j], SIGKILL))
				ck_abort_msg("round %d: %s kill: %m", i + j, a->name);
			pfd[j] = (struct pollfd){ .fd = cfd[j], .events = POLLIN };
		}
		for (open_n = POLL_BATCH; open_n; ) {
			do
				n = poll(pfd, POLL_BATCH, TIMEOUT_MS);
			while (n < 0 && errno == EINTR);
			if (n <= 0)
				ck_abort_msg("rounds %d-%d: poll %d (%m): %d children not seen dead",
					     i, i + POLL_BATCH - 1, n, open_n);
			for (j = 0; j < POLL_BATCH; j++) {
				struct clonefd_info info;

				if (pfd[j].fd < 0 || !pfd[j].revents)
					continue;
				if (pfd[j].revents != POLLIN)
					ck_abort_msg("round %d: revents %#x", i + j, pfd[j].revents);
				if (read(cfd[j], &info, sizeof(info)) != sizeof(info) ||
				    info.code != CLD_KILLED || info.status != SIGKILL)
					ck_abort_msg("round %d: record %u/%u, want killed/9", i + j,
						     info.code, info.status);
				if ((i + j) & 1) {
					if (raw_getpid(cfd[j]) != -1 || errno != ESRCH)
						ck_abort_msg("round %d: autoreaped child %d not gone",
							     i + j, pid[j]);
				} else if (waitpid(pid[j], &st, __WALL) != pid[j] ||
					   !WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL) {
					ck_abort_msg("round %d: waitpid(%d): status %#x, %m", i + j,
						     pid[j], st);
				}
				close(cfd[j]);
				pfd[j].fd = -1;
				open_n--;
			}
		}
	}
	ms = now_ms() - start;
	printf("poll_spawn_signal_rounds: %d rounds in %ld.%03ld s\n", POLL_ROUNDS,
	       ms / 1000, ms % 1000);
}
END_TEST

/* ================= bad input everywhere ================= */

/*
 * The new requests on what is not a clonefd (ENOTTY; EBADF for no
 * descriptor); other numbers of type 0xCF on a clonefd, CLONE4's included
 * (ENOTTY); the known ones with another direction or size (ENOTTY).
 */
START_TEST(bad_requests_enotty)
{
	static const unsigned long reqs[] = {
		CLONEFD_IOC_GET_PID, CLONEFD_IOC_SEND_SIGNAL, CLONEFD_IOC_PIDFD,
		CLONEFD_IOC_GET_RUSAGE,
	};
	static const unsigned long others[] = {
		CLONEFD_IOC_CLONE4, _IO(CLONEFD_IOC_MAGIC, 0x05), _IO(CLONEFD_IOC_MAGIC, 0xff),
		_IOR(CLONEFD_IOC_MAGIC, 0x01, int), _IOW(CLONEFD_IOC_MAGIC, 0x02, int),
		_IOWR(CLONEFD_IOC_MAGIC, 0x03, int), _IO(CLONEFD_IOC_MAGIC + 1, 0x01),
		FIONREAD,
	};
	struct clonefd_rusage ru;
	int p[2], dev, null, cfd, i;
	size_t k;
	pid_t pid;

	make_pipe(p);
	dev = open("/dev/clonefd", O_RDONLY | O_CLOEXEC);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert(dev >= 0 && null >= 0);
	for (k = 0; k < sizeof(reqs) / sizeof(reqs[0]); k++) {
		int fds[] = { p[0], dev, null };

		for (i = 0; i < 3; i++)
			ck_assert_msg(ERR(ioctl(fds[i], reqs[k], &ru)) == -ENOTTY,
				      "request %#lx on fd %d: %s", reqs[k], i, strerror(errno));
		ck_assert_int_eq(ERR(ioctl(-1, reqs[k], &ru)), -EBADF);
	}
	ck_assert_int_eq(ERR(clonefd_getpid(p[0])), -ENOTTY);
	ck_assert_int_eq(ERR(clonefd_kill(dev, SIGKILL)), -ENOTTY);
	ck_assert_int_eq(ERR(clonefd_pidfd(null, 0)), -ENOTTY);
	ck_assert_int_eq(ERR(clonefd_rusage(p[0], &ru)), -ENOTTY);
	ck_assert_int_eq(ERR(clonefd_getpid(-1)), -EBADF);
	ck_assert_int_eq(ERR(clonefd_kill(-1, 0)), -EBADF);
	ck_assert_int_eq(ERR(clonefd_pidfd(-1, 0)), -EBADF);
	ck_assert_int_eq(ERR(clonefd_rusage(-1, &ru)), -EBADF);
	pid = spawn_fd(AUTOREAP, O_CLOEXEC, &cfd, child_forever, NULL);
	for (k = 0; k < sizeof(others) / sizeof(others[0]); k++) {
		char buf[256] = { 0 };

		ck_assert_msg(ERR(ioctl(cfd, others[k], buf)) == -ENOTTY,
			      "request %#lx on a clonefd: %s", others[k], strerror(errno));
	}
	ck_assert_int_eq(raw_getpid(cfd), pid);		/* nothing happened to it */
	ck_assert_int_eq(raw_kill(cfd, SIGKILL), 0);
	ck_assert_int_eq(read_info(cfd).status, SIGKILL);
	close(cfd);
	close(dev);
	close(null);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* ================= libclonefd: clonefd_wait() and the spawn attributes ================= */

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * clonefd_wait(): ETIMEDOUT while the child runs (0 ms: just a look),
 * EINTR when a handler interrupts it, then the record (info may be NULL),
 * on blocking and O_NONBLOCK clonefds; EBADF without a descriptor.
 */
START_TEST(wrapper_clonefd_wait)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;	/* no SA_RESTART */
	/* repeating: a tick before clonefd_wait() blocks has a successor */
	struct itimerval it = { .it_value = { 0, 50 * 1000 }, .it_interval = { 0, 50 * 1000 } },
			 stop = { { 0, 0 }, { 0, 0 } };
	struct clonefd_info info;
	struct echo e;

	spawn_echo(_i ? AUTOREAP : CLONE_FD | SIGCHLD, &e);
	if (_i)
		ck_assert_int_eq(fcntl(e.cfd, F_SETFL, O_NONBLOCK), 0);
	ck_assert_int_eq(ERR(clonefd_wait(e.cfd, &info, 0)), -ETIMEDOUT);
	ck_assert_int_eq(ERR(clonefd_wait(e.cfd, NULL, 20)), -ETIMEDOUT);
	ck_assert_int_eq(sigaction(SIGALRM, &sa, &old), 0);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
	ck_assert_int_eq(ERR(clonefd_wait(e.cfd, &info, -1)), -EINTR);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &stop, NULL), 0);
	ck_assert_int_eq(sigaction(SIGALRM, &old, NULL), 0);
	ck_assert_int_eq(clonefd_kill(e.cfd, SIGKILL), 0);
	memset(&info, 0, sizeof(info));
	ck_assert_int_eq(clonefd_wait(e.cfd, &info, TIMEOUT_MS), 0);
	ck_assert_int_eq(info.code, CLD_KILLED);
	ck_assert_int_eq(info.status, SIGKILL);
	ck_assert_int_eq(clonefd_wait(e.cfd, NULL, 0), 0);
	ck_assert_int_eq(clonefd_wait(e.cfd, &info, -1), 0);
	if (!_i)
		ck_assert_int_eq(waitpid(e.pid, NULL, 0), e.pid);
	echo_release(&e);
	close(e.cfd);
	ck_assert_int_eq(ERR(clonefd_wait(e.cfd, &info, 0)), -EBADF);
	ck_assert_int_eq(ERR(clonefd_wait(-1, &info, 0)), -EBADF);
}
END_TEST

/*
 * clonefd_spawn() with CLONEFD_SPAWN_NNP and/or CLONEFD_SPAWN_AUTOKILL: the
 * exec'd helper "handle-report" writes its no_new_privs on stdout, then
 * waits for EOF on stdin.  With AUTOKILL, closing the clonefd kills it.
 * _i: NNP, AUTOKILL|NNP, AUTOKILL (root).
 */
static const unsigned spawn_flag_cases[] = {
	CLONEFD_SPAWN_NNP, CLONEFD_SPAWN_AUTOKILL | CLONEFD_SPAWN_NNP, CLONEFD_SPAWN_AUTOKILL,
};

START_TEST(wrapper_spawn_nnp_autokill)
{
	unsigned flags = spawn_flag_cases[_i];
	char *argv[] = { "check_clonefd", "--helper", "handle-report", NULL };
	clonefd_spawn_actions_t fa;
	clonefd_spawnattr_t attr;
	struct clonefd_info info;
	int in[2], out[2], cfd = -1, pfd, v[2];
	pid_t pid;

	make_pipe(in);
	make_pipe(out);
	ck_assert_int_eq(clonefd_spawn_actions_init(&fa), 0);
	ck_assert_int_eq(clonefd_spawn_actions_adddup2(&fa, in[0], 0), 0);
	ck_assert_int_eq(clonefd_spawn_actions_adddup2(&fa, out[1], 1), 0);
	ck_assert_int_eq(clonefd_spawnattr_init(&attr), 0);
	ck_assert_int_eq(clonefd_spawnattr_setflags(&attr, flags), 0);
	ck_assert_int_eq(clonefd_spawn(&cfd, &pid, "/proc/self/exe", &fa, &attr, argv, environ), 0);
	clonefd_spawn_actions_destroy(&fa);
	clonefd_spawnattr_destroy(&attr);
	close(in[0]);
	close(out[1]);
	ck_assert_int_eq(read(out[0], v, sizeof(v)), sizeof(v));
	ck_assert_int_eq(v[0], !!(flags & CLONEFD_SPAWN_NNP));
	ck_assert_int_eq(v[1], !!(flags & CLONEFD_SPAWN_NNP));
	ck_assert_int_eq(clonefd_getpid(cfd), pid);
	if (flags & CLONEFD_SPAWN_AUTOKILL) {
		pfd = clonefd_pidfd(cfd, O_CLOEXEC);
		ck_assert_int_ge(pfd, 0);
		close(cfd);
		ck_assert_int_eq(read(out[0], v, 1), 0);	/* killed */
		assert_autokilled(pid, pfd);
	} else {
		close(in[1]);
		in[1] = -1;
		ck_assert_int_eq(clonefd_wait(cfd, &info, TIMEOUT_MS), 0);
		ck_assert_int_eq(info.code, CLD_EXITED);
		ck_assert_int_eq(info.status, 0);
		close(cfd);
		ck_assert(wait_gone(pid, TIMEOUT_MS));
	}
	if (in[1] >= 0)
		close(in[1]);
	close(out[0]);
}
END_TEST

/*
 * The attribute rules: AUTOKILL with a waitable child (exit signal SIGCHLD)
 * is EINVAL; AUTOKILL without NNP is EPERM for uid 65534, NNP makes it
 * allowed.  Nothing is created or left open when refused.
 */
static int spawn_rule(unsigned flags, int exit_signal)
{
	char *argv[] = { "check_clonefd", "--helper", "lifecycle-exit", "0", NULL };
	clonefd_spawnattr_t attr;
	struct clonefd_info info;
	int cfd = -1, err;
	pid_t pid;

	clonefd_spawnattr_init(&attr);
	if (clonefd_spawnattr_setflags(&attr, flags) ||
	    clonefd_spawnattr_setexitsignal(&attr, exit_signal))
		return -1;
	err = clonefd_spawn(&cfd, &pid, "/proc/self/exe", NULL, &attr, argv, environ);
	clonefd_spawnattr_destroy(&attr);
	if (err)
		return err;
	if (clonefd_wait(cfd, &info, TIMEOUT_MS) || info.code != CLD_EXITED || info.status)
		return -2;
	close(cfd);
	if (exit_signal && waitpid(pid, NULL, 0) != pid)
		return -3;
	return 0;
}

START_TEST(wrapper_spawn_rules)
{
	int n = count_fds(), rc;
	pid_t sub;

	ck_assert_int_eq(spawn_rule(CLONEFD_SPAWN_AUTOKILL, SIGCHLD), EINVAL);
	ck_assert_int_eq(spawn_rule(CLONEFD_SPAWN_AUTOKILL | CLONEFD_SPAWN_NNP, SIGCHLD), EINVAL);
	ck_assert_int_eq(count_fds(), n);
	assert_no_children();
	ck_assert_int_eq(spawn_rule(CLONEFD_SPAWN_NNP, SIGCHLD), 0);	/* NNP alone may */
	sub = fork();
	if (sub == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(1);
		if (spawn_rule(CLONEFD_SPAWN_AUTOKILL, 0) != EPERM)
			_exit(2);
		if (spawn_rule(CLONEFD_SPAWN_AUTOKILL | CLONEFD_SPAWN_NNP, 0) != 0)
			_exit(3);
		_exit(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD ? 0 : 4);
	}
	rc = helper_status(sub);
	ck_assert_msg(rc == 0, "uid 65534: step %d", rc);
}
END_TEST

/* ================= helpers exec'd by the tests ================= */

int handle_helper(int argc, char **argv)
{
	int v[2] = { prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), self_status_nnp() };
	char c;

	/* nnp_inherited_across_fork_exec: no_new_privs on fd argv[3] */
	if (argc >= 4 && !strcmp(argv[2], "handle-nnp"))
		return write(atoi(argv[3]), v, sizeof(v)) == sizeof(v) ? 0 : 1;
	/* wrapper_spawn_nnp_autokill: no_new_privs on stdout, then EOF on stdin */
	if (!strcmp(argv[2], "handle-report")) {
		if (write(1, v, sizeof(v)) != sizeof(v))
			return 1;
		while (read(0, &c, 1) == 1)
			;
		return 0;
	}
	return 126;
}

Suite *handle_suite(void)
{
	Suite *s = suite_create("handle");
	TCase *tc = tcase_create("handle"), *poll_tc = tcase_create("poll");

	tcase_add_checked_fixture(tc, handle_setup, handle_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, getpid_running_zombie_reaped, 0, NAPI);
	tcase_add_loop_test(tc, getpid_autoreap, 0, NAPI);
	tcase_add_test(tc, getpid_pid_namespaces);
	tcase_add_loop_test(tc, signal_simple_success, 0, NAPI * 2);
	tcase_add_loop_test(tc, signal_exited_fail, 0, NAPI * 3);
	tcase_add_loop_test(tc, signal_recycled_pid_fail, 0, 2);
	tcase_add_loop_test(tc, signal_permission_eperm, 0, NAPI);
	tcase_add_test(tc, signal_invalid_einval);
	tcase_add_test(tc, signal_whole_process);
	tcase_add_test(tc, handle_after_nonleader_exec);
	tcase_add_loop_test(tc, pidfd_is_a_pidfd, 0, NAPI * 2);
	tcase_add_loop_test(tc, pidfd_of_zombie, 0, NAPI);
	tcase_add_loop_test(tc, pidfd_flags, 0, NAPI);
	tcase_add_loop_test(tc, rusage_64mib_like_wait4, 0, NAPI);
	tcase_add_loop_test(tc, rusage_includes_reaped_descendants, 0, NAPI * 3);
	tcase_add_test(tc, rusage_eagain_sizes_efault);
	tcase_add_loop_test(tc, fdinfo_before_and_after_exit, 0, 3);
	tcase_add_loop_test(tc, nnp_in_child_only, 0, sizeof(nnp_cases) / sizeof(nnp_cases[0]));
	tcase_add_test(tc, nnp_inherited_across_fork_exec);
	tcase_add_test(tc, flags_rejected_einval);
	tcase_add_loop_test(tc, autokill_needs_cap_sys_admin, 0, 2);
	tcase_add_loop_test(tc, autokill_on_close, 0, NAPI);
	tcase_add_test(tc, autokill_after_exit);
	tcase_add_test(tc, autokill_holder_sigkilled);
	tcase_add_test(tc, autokill_last_reference);
	tcase_add_loop_test(tc, autokill_pidfds_do_not_count, 0, NAPI);
	tcase_add_loop_test(tc, autokill_holder_execs, 0, 2);
	tcase_add_test(tc, autokill_whole_process);
	tcase_add_test(tc, bad_requests_enotty);
	tcase_add_test(tc, lost_exit_eio);
	tcase_add_loop_test(tc, wrapper_clonefd_wait, 0, 2);
	tcase_add_loop_test(tc, wrapper_spawn_nnp_autokill, 0, 3);
	tcase_add_test(tc, wrapper_spawn_rules);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(poll_tc, handle_setup, handle_teardown);
	tcase_set_timeout(poll_tc, 120);
	tcase_add_test(poll_tc, poll_spawn_signal_rounds);
	suite_add_tcase(s, poll_tc);
	return s;
}
