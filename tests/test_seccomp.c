// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * seccomp: the caller's filter judges clone4() as the equivalent clone(2).
 * Each case runs in a subprocess that installs a filter and reports
 * through its exit status.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

/*
 * The native system call ABI, as seccomp and a tracer at a seccomp stop see
 * it.  clone(2)'s flags are its first argument on both architectures.
 *   x86_64:  number in orig_rax, first argument rdi, return value rax.
 *   aarch64: number in the NT_ARM_SYSTEM_CALL regset; x0 is both the first
 *            argument (at entry) and the return value.
 * A tracer skips the call by setting the number to -1 and the return value.
 */
#if defined(__x86_64__)
#define AUDIT_ARCH_NATIVE	AUDIT_ARCH_X86_64

struct tracee_regs {
	struct user_regs_struct r;
};

#define TRACEE_NR(t)		((t).r.orig_rax)
#define TRACEE_ARG0(t)		((t).r.rdi)
#define TRACEE_RET(t)		((t).r.rax)

static void tracee_getregs(pid_t pid, struct tracee_regs *t)
{
	ck_assert_int_eq(ptrace(PTRACE_GETREGS, pid, NULL, &t->r), 0);
}

static void tracee_setregs(pid_t pid, struct tracee_regs *t)
{
	ck_assert_int_eq(ptrace(PTRACE_SETREGS, pid, NULL, &t->r), 0);
}
#elif defined(__aarch64__)
#define AUDIT_ARCH_NATIVE	AUDIT_ARCH_AARCH64

struct tracee_regs {
	struct user_regs_struct r;
	int nr;
};

#define TRACEE_NR(t)		((t).nr)
#define TRACEE_ARG0(t)		((t).r.regs[0])
#define TRACEE_RET(t)		((t).r.regs[0])

/* ptrace()'s address argument: the regset's note type. */
#define REGSET(type)		((void *)(uintptr_t)(type))

static void tracee_getregs(pid_t pid, struct tracee_regs *t)
{
	struct iovec r = { &t->r, sizeof(t->r) }, nr = { &t->nr, sizeof(t->nr) };

	ck_assert_int_eq(ptrace(PTRACE_GETREGSET, pid, REGSET(NT_PRSTATUS), &r), 0);
	ck_assert_int_eq(ptrace(PTRACE_GETREGSET, pid, REGSET(NT_ARM_SYSTEM_CALL), &nr), 0);
}

static void tracee_setregs(pid_t pid, struct tracee_regs *t)
{
	struct iovec r = { &t->r, sizeof(t->r) }, nr = { &t->nr, sizeof(t->nr) };

	ck_assert_int_eq(ptrace(PTRACE_SETREGSET, pid, REGSET(NT_PRSTATUS), &r), 0);
	ck_assert_int_eq(ptrace(PTRACE_SETREGSET, pid, REGSET(NT_ARM_SYSTEM_CALL), &nr), 0);
}
#else
#error "tests/test_seccomp.c: no system call ABI for this architecture"
#endif

#define RET(v)		BPF_STMT(BPF_RET | BPF_K, (v))
#define LD(field)	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define JEQ(v, t, f)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (v), (t), (f))
#define ERRNO(e)	(SECCOMP_RET_ERRNO | (e))

static long install(struct sock_filter *f, unsigned short n, unsigned int flags)
{
	struct sock_fprog prog = { .len = n, .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

/* clone -> @on_clone, clone3 -> @on_clone3, anything else allowed. */
static long install_clone_filter(uint32_t on_clone, uint32_t on_clone3, unsigned int flags)
{
	struct sock_filter f[] = {
		LD(arch),
		JEQ(AUDIT_ARCH_NATIVE, 1, 0),
		RET(SECCOMP_RET_KILL_PROCESS),
		LD(nr),
		JEQ(__NR_clone, 2, 0),
		JEQ(__NR_clone3, 2, 0),
		RET(SECCOMP_RET_ALLOW),
		RET(on_clone),
		RET(on_clone3),
	};

	return install(f, sizeof(f) / sizeof(f[0]), flags);
}

/* Like a container default: clone3 -> ENOSYS, clone with NEWUSER -> EPERM. */
static long install_newuser_filter(void)
{
	struct sock_filter f[] = {
		LD(arch),
		JEQ(AUDIT_ARCH_NATIVE, 1, 0),
		RET(SECCOMP_RET_KILL_PROCESS),
		LD(nr),
		JEQ(__NR_clone3, 0, 1),
		RET(ERRNO(ENOSYS)),
		JEQ(__NR_clone, 0, 3),
		LD(args[0]),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1),
		RET(ERRNO(EPERM)),
		RET(SECCOMP_RET_ALLOW),
	};

	return install(f, sizeof(f) / sizeof(f[0]), 0);
}

/* Runs @body in a subprocess; returns its wait status. */
static int in_subprocess(int (*body)(int), int arg)
{
	int st;
	pid_t sub = fork();

	if (sub == 0)
		_exit(body(arg));
	ck_assert_int_eq(waitpid(sub, &st, 0), sub);
	return st;
}

static void assert_sub_ok(int st)
{
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "subprocess status %#x (exit %d)", st, WEXITSTATUS(st));
}

/* A test case whose whole body runs in a subprocess that must exit 0. */
#define SUBPROCESS_TEST(name, body)			\
	START_TEST(name)				\
	{						\
		assert_sub_ok(in_subprocess(body, 0));	\
	}						\
	END_TEST

/* clone4 with CLONE_FD; returns 0 and the record's status, or -errno. */
static int try_spawn(uint64_t flags, int *status)
{
	int cfd = -1;
	struct clone4_args args = { .clonefd = &cfd };
	struct clonefd_info info;
	pid_t pid;

	pid = clone4(flags | CLONE_FD | SIGCHLD, sizeof(args), &args, child_exit, (void *)0);
	if (pid < 0)
		return -errno;
	if (read(cfd, &info, sizeof(info)) != sizeof(info))
		return -1001;
	waitpid(pid, NULL, 0);
	close(cfd);
	*status = info.status;
	return 0;
}

/* No child and no clonefd may be left behind by a refused request. */
static int nothing_left(void)
{
	char path[64], target[64];
	int fd;

	if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
		return 0;
	for (fd = 0; fd < 64; fd++) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n > 0 && !strncmp(target, "anon_inode:[clonefd]", n))
			return 0;
	}
	return 1;
}

static int body_deny(int unused)
{
	int status;

	(void)unused;
	if (install_clone_filter(ERRNO(EPERM), ERRNO(EPERM), 0))
		return 90;
	if (try_spawn(0, &status) != -EPERM)
		return 1;
	if (clone4(SIGCHLD, 0, NULL, child_exit, NULL) != -1 || errno != EPERM)
		return 2;
	return nothing_left() ? 0 : 3;
}

SUBPROCESS_TEST(seccomp_deny_clone_eperm, body_deny)

static int body_allow(int unused)
{
	struct sock_filter f[] = { RET(SECCOMP_RET_ALLOW) };
	int status = -1;

	(void)unused;
	if (install(f, 1, 0))
		return 90;
	return try_spawn(0, &status) == 0 && status == 0 ? 0 : 1;
}

SUBPROCESS_TEST(seccomp_allow_all, body_allow)

static int body_log(int unused)
{
	int status = -1;

	(void)unused;
	if (install_clone_filter(SECCOMP_RET_LOG, ERRNO(ENOSYS), 0))
		return 90;
	return try_spawn(0, &status) == 0 && status == 0 ? 0 : 1;
}

SUBPROCESS_TEST(seccomp_log_allows, body_log)

/* ERRNO(0) would make clone(2) "return 0": never a fake child here. */
static int body_errno0(int unused)
{
	int status;

	(void)unused;
	if (install_clone_filter(ERRNO(0), ERRNO(0), 0))
		return 90;
	if (try_spawn(0, &status) != -ENOSYS)
		return 1;
	return nothing_left() ? 0 : 3;
}

SUBPROCESS_TEST(seccomp_errno0_is_enosys, body_errno0)

static int body_newuser(int unused)
{
	int status = -1;

	(void)unused;
	if (install_newuser_filter())
		return 90;
	if (try_spawn(0, &status) != 0 || status != 0)
		return 1;
	if (try_spawn(CLONE_NEWUSER, &status) != -EPERM)
		return 2;
	return nothing_left() ? 0 : 3;
}

SUBPROCESS_TEST(seccomp_deny_newuser_by_flags, body_newuser)

static int body_kill_process(int unused)
{
	struct rlimit rl = { 0, 0 };
	int status;

	(void)unused;
	setrlimit(RLIMIT_CORE, &rl);
	if (install_clone_filter(SECCOMP_RET_KILL_PROCESS, ERRNO(ENOSYS), 0))
		return 90;
	try_spawn(0, &status);
	return 1;	/* not reached */
}

START_TEST(seccomp_kill_process)
{
	int st = in_subprocess(body_kill_process, 0);

	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "status %#x", st);
	assert_no_children();
}
END_TEST

static void *kill_thread_body(void *arg)
{
	int status;

	(void)arg;
	if (install_clone_filter(SECCOMP_RET_KILL_THREAD, ERRNO(ENOSYS), 0))
		return (void *)90;
	try_spawn(0, &status);
	return (void *)1;	/* not reached: this thread dies */
}

static int body_kill_thread(int unused)
{
	void *ret = NULL;
	pthread_t t;

	(void)unused;
	if (pthread_create(&t, NULL, kill_thread_body, NULL))
		return 91;
	pthread_join(t, &ret);
	return ret ? 2 : 0;
}

START_TEST(seccomp_kill_thread_leaks_nothing)
{
	long ref, tracked;

	assert_sub_ok(in_subprocess(body_kill_thread, 0));
	assert_no_children();
	/* Nothing pins the module any more (the fput may be deferred). */
	wait_module_baseline(0, 0, &ref, &tracked);
	ck_assert_int_eq(ref, 0);
}
END_TEST

static volatile sig_atomic_t sigsys_nr = -1, sigsys_code = -1;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	sigsys_nr = si->si_syscall;
	sigsys_code = si->si_code;
}

static int body_trap(int unused)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	int status;

	(void)unused;
	sigaction(SIGSYS, &sa, NULL);
	if (install_clone_filter(SECCOMP_RET_TRAP, ERRNO(ENOSYS), 0))
		return 90;
	if (try_spawn(0, &status) != -ENOSYS)
		return 1;
	if (sigsys_nr != __NR_clone || sigsys_code != 1 /* SYS_SECCOMP */)
		return 2;
	return nothing_left() ? 0 : 3;
}

SUBPROCESS_TEST(seccomp_trap, body_trap)

static int body_trace_untraced(int unused)
{
	int status;

	(void)unused;
	if (install_clone_filter(SECCOMP_RET_TRACE, ERRNO(ENOSYS), 0))
		return 90;
	if (try_spawn(0, &status) != -ENOSYS)
		return 1;
	return nothing_left() ? 0 : 3;
}

SUBPROCESS_TEST(seccomp_trace_without_tracer, body_trace_untraced)

enum { TRACER_CONTINUE, TRACER_ERROR, TRACER_CHANGE_ARG };

/* Traced by the test process, which decides at the seccomp stop. */
static int body_traced(int mode)
{
	int status = -1, ret;

	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
		return 91;
	kill(getpid(), SIGSTOP);
	if (install_clone_filter(SECCOMP_RET_TRACE, ERRNO(ENOSYS), 0))
		return 90;
	ret = try_spawn(0, &status);
	switch (mode) {
	case TRACER_CONTINUE:
		return ret == 0 && status == 0 ? 0 : 1;
	case TRACER_ERROR:
		return ret == -EPERM && nothing_left() ? 0 : 2;
	default:
		return ret == -ENOSYS && nothing_left() ? 0 : 3;
	}
}

START_TEST(seccomp_trace_with_tracer)
{
	struct tracee_regs regs;
	int st, sig, stops = 0;
	pid_t sub = fork();

	if (sub == 0)
		_exit(body_traced(_i));
	for (;;) {
		ck_assert_int_eq(waitpid(sub, &st, 0), sub);
		if (!WIFSTOPPED(st))
			break;
		sig = WSTOPSIG(st);
		if (sig == SIGSTOP && !stops++) {
			ptrace(PTRACE_SETOPTIONS, sub, NULL, PTRACE_O_TRACESECCOMP);
			sig = 0;
		} else if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8))) {
			tracee_getregs(sub, &regs);
			ck_assert_int_eq(TRACEE_NR(regs), __NR_clone);
			ck_assert_int_eq(TRACEE_ARG0(regs), SIGCHLD);
			if (_i == TRACER_ERROR) {
				TRACEE_NR(regs) = -1;
				TRACEE_RET(regs) = -EPERM;
			} else if (_i == TRACER_CHANGE_ARG) {
				TRACEE_ARG0(regs) |= CLONE_FILES;
			}
			tracee_setregs(sub, &regs);
			stops++;
			sig = 0;
		}
		ptrace(PTRACE_CONT, sub, NULL, sig);
	}
	ck_assert_int_eq(stops, 2);
	assert_sub_ok(st);
}
END_TEST

enum { NOTIF_CONTINUE, NOTIF_ERROR, NOTIF_FAKE_PID, NOTIF_INTERRUPTED };

struct supervisor {
	int listener[2];	/* pipe carrying the listener fd number */
	int mode;
	int seen_nr;
	uint64_t seen_flags;
	int restarted;
};

static void on_alarm_restart(int sig)
{
	(void)sig;
}

static void *supervise(void *arg)
{
	struct supervisor *s = arg;
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	int listener;

	if (read(s->listener[0], &listener, sizeof(listener)) != sizeof(listener))
		return NULL;
	memset(&req, 0, sizeof(req));
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req))
		return NULL;
	if (s->mode == NOTIF_INTERRUPTED) {
		/* Leave it unanswered until a signal withdraws it... */
		while (!ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id))
			usleep(10 * 1000);
		/* ... and answer the restarted request. */
		memset(&req, 0, sizeof(req));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req))
			return NULL;
		s->restarted = 1;
	}
	s->seen_nr = req.data.nr;
	s->seen_flags = req.data.args[0];
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	if (s->mode == NOTIF_CONTINUE || s->mode == NOTIF_INTERRUPTED)
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else if (s->mode == NOTIF_ERROR)
		resp.error = -EPERM;
	else
		resp.val = 4242;
	ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	return NULL;
}

static int body_notif(int mode)
{
	struct supervisor s = { .mode = mode, .seen_nr = -1 };
	int status = -1, listener, ret;
	pthread_t t;

	if (pipe(s.listener) || pthread_create(&t, NULL, supervise, &s))
		return 91;
	/* The filter binds this thread only; the supervisor stays free. */
	listener = install_clone_filter(SECCOMP_RET_USER_NOTIF, ERRNO(ENOSYS),
					SECCOMP_FILTER_FLAG_NEW_LISTENER);
	if (listener < 0)
		return 90;
	if (write(s.listener[1], &listener, sizeof(listener)) != sizeof(listener))
		return 92;
	if (mode == NOTIF_INTERRUPTED) {
		struct sigaction sa = { .sa_handler = on_alarm_restart, .sa_flags = SA_RESTART };
		struct itimerval it = { .it_value = { 0, 200 * 1000 } };

		sigaction(SIGALRM, &sa, NULL);
		setitimer(ITIMER_REAL, &it, NULL);
	}
	ret = try_spawn(0, &status);
	pthread_join(t, NULL);
	if (s.seen_nr != __NR_clone || s.seen_flags != SIGCHLD)
		return 4;
	switch (mode) {
	case NOTIF_CONTINUE:
		return ret == 0 && status == 0 ? 0 : 1;
	case NOTIF_INTERRUPTED:
		return ret == 0 && status == 0 && s.restarted ? 0 : 5;
	case NOTIF_ERROR:
		return ret == -EPERM && nothing_left() ? 0 : 2;
	default:
		return ret == -ENOSYS && nothing_left() ? 0 : 3;
	}
}

START_TEST(seccomp_user_notif)
{
	assert_sub_ok(in_subprocess(body_notif, _i));
}
END_TEST

/* --- the rest of clone(2)'s policy comes from kernel_clone(); prove it --- */

static int become_nobody(void)
{
	return setgid(65534) || setuid(65534) ? -1 : 0;
}

/* clone4() and fork() must both be refused with EAGAIN, leaving nothing. */
static int spawn_and_fork_refused(void)
{
	int status;
	pid_t pid;

	if (try_spawn(0, &status) != -EAGAIN)
		return 1;
	pid = fork();
	if (pid == 0)
		_exit(0);
	return pid < 0 && errno == EAGAIN && nothing_left() ? 0 : 2;
}

static int body_nproc(int unused)
{
	struct rlimit rl = { 1, 1 };

	(void)unused;
	if (setrlimit(RLIMIT_NPROC, &rl) || become_nobody())
		return 90;
	return spawn_and_fork_refused();
}

SUBPROCESS_TEST(policy_rlimit_nproc, body_nproc)

#define TEST_CGROUP "/sys/fs/cgroup/clonefd-test"

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int body_pids_max(int unused)
{
	(void)unused;
	if (write_file(TEST_CGROUP "/cgroup.procs", "0"))
		return 90;
	return spawn_and_fork_refused();
}

START_TEST(policy_pids_max)
{
	int st;

	ck_assert_msg(!access("/sys/fs/cgroup/cgroup.controllers", F_OK), "no cgroup2 mounted");
	ck_assert_int_eq(write_file("/sys/fs/cgroup/cgroup.subtree_control", "+pids"), 0);
	ck_assert(mkdir(TEST_CGROUP, 0755) == 0 || errno == EEXIST);
	ck_assert_int_eq(write_file(TEST_CGROUP "/pids.max", "1"), 0);
	st = in_subprocess(body_pids_max, 0);
	ck_assert_int_eq(rmdir(TEST_CGROUP), 0);
	assert_sub_ok(st);
}
END_TEST

/* clone(2) itself, fork-like; the child exits at once.  0 or -errno. */
static int raw_clone(unsigned long flags)
{
	long pid = syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return -errno;
	waitpid(pid, NULL, 0);
	return 0;
}

static int body_namespaces(int unused)
{
	static const unsigned long cases[] = {
		CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWUSER | CLONE_NEWPID,
		CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWUTS,
	};
	unsigned i;
	int status;

	(void)unused;
	if (become_nobody())
		return 90;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int native = raw_clone(cases[i]);
		int ours = try_spawn(cases[i], &status);

		if (native != ours) {
			fprintf(stderr, "flags %#lx: clone(2) %d, clone4 %d\n",
				cases[i], native, ours);
			return 1 + i;
		}
	}
	return nothing_left() ? 0 : 20;
}

SUBPROCESS_TEST(policy_unprivileged_namespaces, body_namespaces)

static int child_nnp(void *arg)
{
	(void)arg;
	return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 1;
}

static int body_nnp(int unused)
{
	int cfd = -1;
	struct clone4_args args = { .clonefd = &cfd };
	struct clonefd_info info;

	(void)unused;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return 90;
	if (clone4(CLONE_FD | CLONE_AUTOREAP, sizeof(args), &args, child_nnp, NULL) < 0)
		return 1;
	if (read(cfd, &info, sizeof(info)) != sizeof(info))
		return 2;
	return info.code == CLD_EXITED && info.status == 0 ? 0 : 3;
}

SUBPROCESS_TEST(policy_no_new_privs_inherited, body_nnp)

/* The record has no padding, and read() writes exactly the record. */
START_TEST(policy_read_writes_only_the_record)
{
	unsigned char buf[64];
	int cfd;
	size_t i;

	ck_assert_int_eq(sizeof(struct clonefd_info), 24);
	ck_assert_int_eq(offsetof(struct clonefd_info, utime), 8);
	memset(buf, 0xa5, sizeof(buf));
	spawn_fd(SIGCHLD, 0, &cfd, child_exit, (void *)1);
	ck_assert_int_eq(read(cfd, buf, sizeof(buf)), 24);
	for (i = 24; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], 0xa5);
	ck_assert_int_eq(((struct clonefd_info *)buf)->code, CLD_EXITED);
	ck_assert_int_eq(((struct clonefd_info *)buf)->status, 1);
}
END_TEST

Suite *seccomp_suite(void)
{
	Suite *s = suite_create("seccomp");
	TCase *tc = tcase_create("filters");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, seccomp_deny_clone_eperm);
	tcase_add_test(tc, seccomp_allow_all);
	tcase_add_test(tc, seccomp_log_allows);
	tcase_add_test(tc, seccomp_errno0_is_enosys);
	tcase_add_test(tc, seccomp_deny_newuser_by_flags);
	tcase_add_test(tc, seccomp_kill_process);
	tcase_add_test(tc, seccomp_kill_thread_leaks_nothing);
	tcase_add_test(tc, seccomp_trap);
	tcase_add_test(tc, seccomp_trace_without_tracer);
	tcase_add_loop_test(tc, seccomp_trace_with_tracer, TRACER_CONTINUE, TRACER_CHANGE_ARG + 1);
	tcase_add_loop_test(tc, seccomp_user_notif, NOTIF_CONTINUE, NOTIF_INTERRUPTED + 1);
	suite_add_tcase(s, tc);

	tc = tcase_create("policy");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, policy_rlimit_nproc);
	tcase_add_test(tc, policy_pids_max);
	tcase_add_test(tc, policy_unprivileged_namespaces);
	tcase_add_test(tc, policy_no_new_privs_inherited);
	tcase_add_test(tc, policy_read_writes_only_the_record);
	suite_add_tcase(s, tc);
	return s;
}
