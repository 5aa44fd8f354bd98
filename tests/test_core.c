// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/* CLONE_FD: spawning, the clonefd file, poll/read, exit records. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

static void assert_waitpid_exit(pid_t pid, int status)
{
	int st;

	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == status,
		      "wait status %#x, want exit %d", st, status);
}

START_TEST(fork_like_returns_twice)
{
	pid_t pid = clone4(SIGCHLD, 0, NULL, NULL, NULL);

	if (pid == 0)
		_exit(42);
	ck_assert_int_gt(pid, 0);
	assert_waitpid_exit(pid, 42);
}
END_TEST

START_TEST(fn_return_is_exit_status)
{
	pid_t pid = clone4(SIGCHLD, 0, NULL, child_exit, (void *)7);

	ck_assert_int_gt(pid, 0);
	assert_waitpid_exit(pid, 7);
}
END_TEST

START_TEST(clonefd_is_a_clonefd)
{
	char path[64], target[64] = "";
	int cfd, fdflags, flflags;
	pid_t pid;

	pid = spawn_fd(SIGCHLD, 0, &cfd, child_exit, (void *)0);
	fdflags = fcntl(cfd, F_GETFD);
	flflags = fcntl(cfd, F_GETFL);
	ck_assert_int_eq(fdflags & FD_CLOEXEC, 0);
	ck_assert_int_eq(flflags & O_NONBLOCK, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", cfd);
	ck_assert_int_gt(readlink(path, target, sizeof(target) - 1), 0);
	ck_assert_str_eq(target, "anon_inode:[clonefd]");
	ck_assert_int_eq(lseek(cfd, 0, SEEK_SET), -1);
	ck_assert_int_eq(errno, ESPIPE);
	assert_waitpid_exit(pid, 0);
	close(cfd);
}
END_TEST

START_TEST(clonefd_flags_honoured)
{
	int cfd;
	pid_t pid;

	pid = spawn_fd(SIGCHLD, O_CLOEXEC | O_NONBLOCK, &cfd, child_exit, (void *)0);
	ck_assert_int_ne(fcntl(cfd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_ne(fcntl(cfd, F_GETFL) & O_NONBLOCK, 0);
	assert_waitpid_exit(pid, 0);
	close(cfd);
}
END_TEST

START_TEST(poll_ready_only_after_exit)
{
	int p[2], cfd;
	pid_t pid;

	make_pipe(p);
	pid = spawn_fd(SIGCHLD, 0, &cfd, child_wait_fd, (void *)(intptr_t)p[0]);
	ck_assert_int_eq(wait_readable(cfd, 200), 0);
	poke(p[1]);
	ck_assert_int_eq(wait_readable(cfd, TIMEOUT_MS), 1);
	ck_assert_int_eq(read_info(cfd).code, CLD_EXITED);
	assert_waitpid_exit(pid, 0);
}
END_TEST

START_TEST(epoll_ready_only_after_exit)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int p[2], cfd, ep;

	make_pipe(p);
	spawn_fd(SIGCHLD, 0, &cfd, child_wait_fd, (void *)(intptr_t)p[0]);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.data.fd = cfd;
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev), 0);
	ck_assert_int_eq(epoll_wait(ep, &out, 1, 200), 0);
	poke(p[1]);
	ck_assert_int_eq(epoll_wait(ep, &out, 1, TIMEOUT_MS), 1);
	ck_assert_int_eq(out.data.fd, cfd);
	ck_assert_int_eq(out.events, EPOLLIN);
	close(ep);
}
END_TEST

struct reader {
	int cfd;
	volatile int done;
	struct clonefd_info info;
};

static void *reader_thread(void *arg)
{
	struct reader *r = arg;

	r->info = read_info(r->cfd);
	r->done = 1;
	return NULL;
}

START_TEST(read_blocks_until_exit)
{
	struct reader r = { 0 };
	pthread_t t;
	int p[2];

	make_pipe(p);
	spawn_fd(SIGCHLD, 0, &r.cfd, child_wait_fd, (void *)(intptr_t)p[0]);
	ck_assert_int_eq(pthread_create(&t, NULL, reader_thread, &r), 0);
	usleep(300 * 1000);
	ck_assert_int_eq(r.done, 0);
	poke(p[1]);
	pthread_join(t, NULL);
	ck_assert_int_eq(r.done, 1);
	ck_assert_int_eq(r.info.code, CLD_EXITED);
	ck_assert_int_eq(r.info.status, 0);
}
END_TEST

static void on_alarm(int sig)
{
	(void)sig;
}

START_TEST(read_is_interruptible)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval it = { .it_value = { 0, 200 * 1000 } };
	struct clonefd_info info;
	int p[2], cfd;

	make_pipe(p);
	spawn_fd(SIGCHLD, 0, &cfd, child_wait_fd, (void *)(intptr_t)p[0]);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	ck_assert_int_eq(read(cfd, &info, sizeof(info)), -1);
	ck_assert_int_eq(errno, EINTR);
	poke(p[1]);
}
END_TEST

START_TEST(read_nonblock_eagain)
{
	struct clonefd_info info;
	int p[2], cfd;

	make_pipe(p);
	spawn_fd(SIGCHLD, O_NONBLOCK, &cfd, child_wait_fd, (void *)(intptr_t)p[0]);
	ck_assert_int_eq(read(cfd, &info, sizeof(info)), -1);
	ck_assert_int_eq(errno, EAGAIN);
	poke(p[1]);
	ck_assert_int_eq(wait_readable(cfd, TIMEOUT_MS), 1);
	ck_assert_int_eq(read(cfd, &info, sizeof(info)), sizeof(info));
}
END_TEST

START_TEST(read_short_buffer_einval)
{
	char buf[sizeof(struct clonefd_info) + 8];
	int cfd;

	spawn_fd(SIGCHLD, 0, &cfd, child_exit, (void *)1);
	ck_assert_int_eq(read(cfd, buf, sizeof(struct clonefd_info) - 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(read(cfd, buf, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* A larger buffer gets exactly one record. */
	ck_assert_int_eq(read(cfd, buf, sizeof(buf)), sizeof(struct clonefd_info));
}
END_TEST

START_TEST(read_repeatable_dup_shared)
{
	struct clonefd_info a, b, c;
	int cfd, dfd, st;
	pid_t other;

	spawn_fd(SIGCHLD, 0, &cfd, child_exit, (void *)33);
	a = read_info(cfd);
	b = read_info(cfd);
	ck_assert_mem_eq(&a, &b, sizeof(a));
	dfd = dup(cfd);
	close(cfd);
	c = read_info(dfd);
	ck_assert_mem_eq(&a, &c, sizeof(a));
	/* Another process reading the shared fd sees the same record. */
	other = fork();
	if (other == 0) {
		struct clonefd_info d;

		_exit(read(dfd, &d, sizeof(d)) == sizeof(d) &&
		      !memcmp(&a, &d, sizeof(d)) ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(other, &st, 0), other);
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(a.code, CLD_EXITED);
	ck_assert_int_eq(a.status, 33);
}
END_TEST

START_TEST(exit_status_recorded)
{
	int cfd;
	pid_t pid;
	struct clonefd_info info;

	pid = spawn_fd(SIGCHLD, 0, &cfd, child_exit, (void *)(intptr_t)_i);
	info = read_info(cfd);
	ck_assert_int_eq(info.code, CLD_EXITED);
	ck_assert_int_eq(info.status, _i);
	assert_waitpid_exit(pid, _i);
}
END_TEST

START_TEST(exit_status_255)
{
	int cfd;

	spawn_fd(SIGCHLD, 0, &cfd, child_exit, (void *)255);
	ck_assert_int_eq(read_info(cfd).status, 255);
}
END_TEST

START_TEST(sigkill_recorded)
{
	struct clonefd_info info;
	int p[2], cfd, st;
	pid_t pid;

	make_pipe(p);
	pid = spawn_fd(SIGCHLD, 0, &cfd, child_wait_fd, (void *)(intptr_t)p[0]);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	info = read_info(cfd);
	ck_assert_int_eq(info.code, CLD_KILLED);
	ck_assert_int_eq(info.status, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}
END_TEST

static int child_segv(void *arg)
{
	struct rlimit rl = { 0, 0 };
	int *bad;

	/* Hide the NULL from the optimiser: a real fault, not UB folded away. */
	__asm__ volatile("" : "=r"(bad) : "0"(arg));
	setrlimit(RLIMIT_CORE, &rl);
	*bad = 1;
	return 0;
}

START_TEST(sigsegv_recorded)
{
	struct clonefd_info info;
	int cfd, st;
	pid_t pid;

	pid = spawn_fd(SIGCHLD, 0, &cfd, child_segv, NULL);
	info = read_info(cfd);
	ck_assert_int_eq(info.code, CLD_KILLED);
	ck_assert_int_eq(info.status, SIGSEGV);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && !WCOREDUMP(st));
}
END_TEST

static int child_dump(void *arg)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	(void)arg;
	if (chdir("/tmp") || setrlimit(RLIMIT_CORE, &rl))
		return 98;
	signal(SIGQUIT, SIG_DFL);	/* the caller may have it ignored */
	kill(getpid(), SIGQUIT);
	return 99;
}

START_TEST(core_dump_recorded)
{
	struct clonefd_info info;
	int cfd, st;
	pid_t pid;

	pid = spawn_fd(SIGCHLD, 0, &cfd, child_dump, NULL);
	info = read_info(cfd);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFSIGNALED(st) && WCOREDUMP(st), "no core dump: status %#x", st);
	ck_assert_int_eq(info.code, CLD_DUMPED);
	ck_assert_int_eq(info.status, SIGQUIT);
	system("rm -f /tmp/core*");
}
END_TEST

static int child_exec_helper(void *arg)
{
	const char **v = arg;

	exec_helper(v[0], v[1], NULL);
	return 127;
}

START_TEST(group_exit_from_non_leader)
{
	const char *v[] = { "group-exit", NULL };
	struct clonefd_info info;
	int cfd, st;
	pid_t pid;

	pid = spawn_fd(SIGCHLD, 0, &cfd, child_exec_helper, v);
	info = read_info(cfd);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 5, "status %#x", st);
	ck_assert_int_eq(info.code, CLD_EXITED);
	ck_assert_int_eq(info.status, 5);	/* the group's, not the leader's 3 */
}
END_TEST

START_TEST(leader_exits_before_threads)
{
	const char *v[] = { "leader-first", NULL };
	char fdarg[16];
	struct clonefd_info info;
	int p[2], cfd, i;
	pid_t pid;

	make_pipe(p);
	snprintf(fdarg, sizeof(fdarg), "%d", p[0]);
	fcntl(p[0], F_SETFD, 0);
	v[1] = fdarg;
	pid = spawn_fd(SIGCHLD, 0, &cfd, child_exec_helper, v);
	for (i = 0; i < 1000 && proc_state(pid) != 'Z'; i++)
		usleep(10 * 1000);
	ck_assert_msg(proc_state(pid) == 'Z', "leader never became a zombie");
	ck_assert_int_eq(wait_readable(cfd, 300), 0);
	poke(p[1]);
	info = read_info(cfd);
	ck_assert_int_eq(info.code, CLD_EXITED);
	ck_assert_int_eq(info.status, 7);
	assert_waitpid_exit(pid, 7);
}
END_TEST

static int child_sleep_exit(void *status)
{
	usleep(200 * 1000);
	return (int)(intptr_t)status;
}

/* Burns 200 ms of CPU in user mode. */
static int child_spin(void *arg)
{
	(void)arg;
	burn_cpu_ms(200);
	return 0;
}

START_TEST(cpu_times_in_nanoseconds)
{
	struct clonefd_info info;
	struct rusage ru;
	int cfd, st;
	pid_t pid;
	long long ru_ns;

	pid = spawn_fd(SIGCHLD, 0, &cfd, child_spin, NULL);
	info = read_info(cfd);
	ck_assert_int_eq(wait4(pid, &st, 0, &ru), pid);
	ck_assert_msg(info.utime > 1000 * 1000, "utime %llu ns", (unsigned long long)info.utime);
	ck_assert_msg(info.utime + info.stime >= 190ull * 1000 * 1000 &&
		      info.utime + info.stime < 60ull * 1000 * 1000 * 1000,
		      "utime %llu + stime %llu ns", (unsigned long long)info.utime,
		      (unsigned long long)info.stime);
	/* Same accounting as wait4() (microseconds), within 20 ms. */
	ru_ns = (ru.ru_utime.tv_sec * 1000000ll + ru.ru_utime.tv_usec) * 1000;
	ck_assert_msg(llabs((long long)info.utime - ru_ns) <= 20ll * 1000 * 1000,
		      "utime %llu ns vs wait4 %lld ns", (unsigned long long)info.utime, ru_ns);
}
END_TEST

/*
 * The same for an autoreaped child (reaped by the kernel itself on 7.1+):
 * no wait4() to compare with, but the record must hold its 200 ms of CPU.
 */
START_TEST(cpu_times_autoreap)
{
	struct clonefd_info info;
	int cfd;
	pid_t pid;

	pid = spawn_fd(CLONE_AUTOREAP, 0, &cfd, child_spin, NULL);
	info = read_info(cfd);
	ck_assert(wait_gone(pid, TIMEOUT_MS));
	ck_assert_uint_eq(info.code, CLD_EXITED);
	ck_assert_msg(info.utime > 1000 * 1000, "utime %llu ns", (unsigned long long)info.utime);
	ck_assert_msg(info.utime + info.stime >= 190ull * 1000 * 1000 &&
		      info.utime + info.stime < 60ull * 1000 * 1000 * 1000,
		      "utime %llu + stime %llu ns", (unsigned long long)info.utime,
		      (unsigned long long)info.stime);
}
END_TEST

START_TEST(vfork_parent_waits)
{
	long start = now_ms();
	int cfd;
	pid_t pid;

	/* The parent resumes when the child releases its mm (here: exits). */
	pid = spawn_fd(CLONE_VFORK | SIGCHLD, 0, &cfd, child_sleep_exit, (void *)4);
	ck_assert_int_ge(now_ms() - start, 200);
	ck_assert_int_eq(wait_readable(cfd, TIMEOUT_MS), 1);
	ck_assert_int_eq(read_info(cfd).status, 4);
	assert_waitpid_exit(pid, 4);
}
END_TEST

START_TEST(exit_before_read_and_after_reap)
{
	struct clonefd_info info;
	int cfd;
	pid_t pid;

	pid = spawn_fd(SIGCHLD, 0, &cfd, child_exit, (void *)3);
	assert_waitpid_exit(pid, 3);	/* reaped before the first read */
	usleep(100 * 1000);
	info = read_info(cfd);
	ck_assert_int_eq(info.code, CLD_EXITED);
	ck_assert_int_eq(info.status, 3);
}
END_TEST

START_TEST(close_fd_before_exit)
{
	int p[2], cfd;
	pid_t pid;

	make_pipe(p);
	pid = spawn_fd(SIGCHLD, 0, &cfd, child_wait_fd, (void *)(intptr_t)p[0]);
	close(cfd);
	poke(p[1]);
	assert_waitpid_exit(pid, 0);
}
END_TEST

START_TEST(spawn_without_clonefd)
{
	int before = count_fds();
	pid_t pid = clone4(SIGCHLD, 0, NULL, child_exit, (void *)11);

	ck_assert_int_gt(pid, 0);
	assert_waitpid_exit(pid, 11);
	/* Only the library's cached /dev/clonefd descriptor is new. */
	ck_assert_int_eq(count_fds(), before + 1);
}
END_TEST

START_TEST(many_spawns_no_fd_growth)
{
	int i, cfd, before;
	pid_t pid;

	pid = spawn_fd(SIGCHLD, O_CLOEXEC, &cfd, child_exit, (void *)0);
	assert_waitpid_exit(pid, 0);
	close(cfd);
	before = count_fds();
	for (i = 0; i < 200; i++) {
		pid = spawn_fd(SIGCHLD, O_CLOEXEC, &cfd, child_exit, (void *)(intptr_t)(i & 0x7f));
		ck_assert_int_eq(read_info(cfd).status, (unsigned)(i & 0x7f));
		assert_waitpid_exit(pid, i & 0x7f);
		close(cfd);
	}
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

START_TEST(unprivileged_caller)
{
	int st;
	pid_t sub = fork();

	if (sub == 0) {
		struct clone4_args args;
		struct clonefd_info info;
		int cfd = -1;
		pid_t pid;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		args = (struct clone4_args){ .clonefd = &cfd };
		pid = clone4(CLONE_FD | SIGCHLD, sizeof(args), &args, child_exit, (void *)9);
		if (pid < 0 || cfd < 0)
			_exit(3);
		if (read(cfd, &info, sizeof(info)) != sizeof(info))
			_exit(4);
		_exit(info.code == CLD_EXITED && info.status == 9 ? 0 : 5);
	}
	ck_assert_int_eq(waitpid(sub, &st, 0), sub);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
}
END_TEST

/* A 32-bit caller, through compat_ptr_ioctl: tests/compat32/ beside us. */
START_TEST(compat32_caller)
{
	char path[PATH_MAX], *slash;
	ssize_t n;
	int st;
	pid_t pid;

	n = readlink("/proc/self/exe", path, sizeof(path) - sizeof("/compat32"));
	ck_assert_int_gt(n, 0);
	path[n] = '\0';
	slash = strrchr(path, '/');
	ck_assert_ptr_nonnull(slash);
	strcpy(slash, "/compat32");
	pid = fork();
	if (pid == 0) {
		execl(path, "compat32", (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "%s: status %#x (127: not found next to the suite)", path, st);
}
END_TEST

Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("clone_fd");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fork_like_returns_twice);
	tcase_add_test(tc, fn_return_is_exit_status);
	tcase_add_test(tc, clonefd_is_a_clonefd);
	tcase_add_test(tc, clonefd_flags_honoured);
	tcase_add_test(tc, poll_ready_only_after_exit);
	tcase_add_test(tc, epoll_ready_only_after_exit);
	tcase_add_test(tc, read_blocks_until_exit);
	tcase_add_test(tc, read_is_interruptible);
	tcase_add_test(tc, read_nonblock_eagain);
	tcase_add_test(tc, read_short_buffer_einval);
	tcase_add_test(tc, read_repeatable_dup_shared);
	tcase_add_loop_test(tc, exit_status_recorded, 0, 3);
	tcase_add_test(tc, exit_status_255);
	tcase_add_test(tc, sigkill_recorded);
	tcase_add_test(tc, sigsegv_recorded);
	tcase_add_test(tc, core_dump_recorded);
	tcase_add_test(tc, group_exit_from_non_leader);
	tcase_add_test(tc, leader_exits_before_threads);
	tcase_add_test(tc, cpu_times_in_nanoseconds);
	tcase_add_test(tc, cpu_times_autoreap);
	tcase_add_test(tc, vfork_parent_waits);
	tcase_add_test(tc, exit_before_read_and_after_reap);
	tcase_add_test(tc, close_fd_before_exit);
	tcase_add_test(tc, spawn_without_clonefd);
	tcase_add_test(tc, many_spawns_no_fd_growth);
	tcase_add_test(tc, unprivileged_caller);
	tcase_add_test(tc, compat32_caller);
	suite_add_tcase(s, tc);
	return s;
}
