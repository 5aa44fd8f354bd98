// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/* CLONE_AUTOREAP, library isolation, module lifetime. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define AUTOREAP	(CLONE_FD | CLONE_AUTOREAP)

static void block_sigchld(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* 1 if a SIGCHLD arrives within @ms (SIGCHLD must be blocked). */
static int got_sigchld(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	return sigtimedwait(&set, NULL, &ts) == SIGCHLD;
}

static void assert_no_child(pid_t pid)
{
	ck_assert_int_eq(waitpid(pid, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}

START_TEST(autoreap_no_zombie_no_signal)
{
	struct clonefd_info info;
	int cfd;
	pid_t pid;

	block_sigchld();
	pid = spawn_fd(AUTOREAP, 0, &cfd, child_exit, (void *)6);
	info = read_info(cfd);
	ck_assert_int_eq(info.code, CLD_EXITED);
	ck_assert_int_eq(info.status, 6);
	ck_assert_msg(wait_gone(pid, TIMEOUT_MS), "autoreap child %d still exists", pid);
	assert_no_child(pid);
	ck_assert_int_eq(got_sigchld(200), 0);
	/* The record outlives the process. */
	usleep(100 * 1000);
	ck_assert_int_eq(read_info(cfd).status, 6);
}
END_TEST

START_TEST(autoreap_without_clonefd)
{
	int p[2];
	pid_t pid;

	block_sigchld();
	make_pipe(p);
	pid = clone4(CLONE_AUTOREAP, 0, NULL, child_wait_fd, (void *)(intptr_t)p[0]);
	ck_assert_int_gt(pid, 0);
	poke(p[1]);
	ck_assert(wait_gone(pid, TIMEOUT_MS));
	assert_no_child(pid);
	ck_assert_int_eq(got_sigchld(200), 0);
}
END_TEST

START_TEST(autoreap_killed)
{
	struct clonefd_info info;
	int p[2], cfd;
	pid_t pid;

	block_sigchld();
	make_pipe(p);
	pid = spawn_fd(AUTOREAP, 0, &cfd, child_wait_fd, (void *)(intptr_t)p[0]);
	kill(pid, SIGKILL);
	info = read_info(cfd);
	ck_assert_int_eq(info.code, CLD_KILLED);
	ck_assert_int_eq(info.status, SIGKILL);
	ck_assert(wait_gone(pid, TIMEOUT_MS));
	assert_no_child(pid);
	ck_assert_int_eq(got_sigchld(200), 0);
}
END_TEST

START_TEST(autoreap_fd_closed_first)
{
	int p[2], cfd;
	pid_t pid;

	block_sigchld();
	make_pipe(p);
	pid = spawn_fd(AUTOREAP, 0, &cfd, child_wait_fd, (void *)(intptr_t)p[0]);
	close(cfd);
	poke(p[1]);
	ck_assert(wait_gone(pid, TIMEOUT_MS));
	assert_no_child(pid);
	ck_assert_int_eq(got_sigchld(200), 0);
}
END_TEST

/* The parent execs between spawning and the child's exit. */
START_TEST(autoreap_after_parent_exec)
{
	char cfdarg[16], pipearg[16];
	int p[2], st;
	pid_t sub;

	sub = fork();
	if (sub == 0) {
		int cfd;

		make_pipe(p);
		block_sigchld();	/* the mask survives exec */
		spawn_fd(AUTOREAP, 0, &cfd, child_wait_fd, (void *)(intptr_t)p[0]);
		fcntl(p[1], F_SETFD, 0);
		snprintf(cfdarg, sizeof(cfdarg), "%d", cfd);
		snprintf(pipearg, sizeof(pipearg), "%d", p[1]);
		exec_helper("exec-waiter", cfdarg, pipearg);
	}
	ck_assert_int_eq(waitpid(sub, &st, 0), sub);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "after exec: status %#x (2: no record, 3: SIGCHLD, 4: zombie)", st);
}
END_TEST

START_TEST(autoreap_survives_reparenting)
{
	int go[2], gone[2], info[2], st;
	pid_t sub, pid = 0;
	char c;

	block_sigchld();
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	make_pipe(go);
	make_pipe(gone);
	make_pipe(info);
	sub = fork();
	if (sub == 0) {
		int cfd;

		close(gone[0]);
		pid = spawn_fd(AUTOREAP, 0, &cfd, child_wait_fd, (void *)(intptr_t)go[0]);
		_exit(write(info[1], &pid, sizeof(pid)) == sizeof(pid) ? 0 : 1);
	}
	close(gone[1]);
	ck_assert_int_eq(read(info[0], &pid, sizeof(pid)), sizeof(pid));
	ck_assert_int_eq(waitpid(sub, &st, 0), sub);
	ck_assert_int_eq(st, 0);
	while (got_sigchld(0))
		;
	/* The child is ours now (subreaper); let it exit. */
	poke(go[1]);
	ck_assert_int_eq(read(gone[0], &c, 1), 0);	/* its copy closed at exit */
	ck_assert_msg(wait_gone(pid, TIMEOUT_MS), "reparented autoreap child not reaped");
	assert_no_child(pid);
	ck_assert_int_eq(got_sigchld(200), 0);
}
END_TEST

/*
 * A traced autoreap child is not autoreaped under its tracer: the tracer
 * (here the parent itself) sees its exit and reaps it.
 */
START_TEST(autoreap_traced_by_parent)
{
	struct clonefd_info info;
	int p[2], cfd, st;
	pid_t pid;

	block_sigchld();
	make_pipe(p);
	pid = spawn_fd(AUTOREAP, 0, &cfd, child_wait_fd, (void *)(intptr_t)p[0]);
	ck_assert_int_eq(ptrace(PTRACE_SEIZE, pid, NULL, NULL), 0);
	poke(p[1]);
	ck_assert_int_eq(waitpid(pid, &st, __WALL), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	info = read_info(cfd);
	ck_assert_int_eq(info.code, CLD_EXITED);
	ck_assert(wait_gone(pid, TIMEOUT_MS));
	assert_no_child(pid);
}
END_TEST

/*
 * Traced by another process: the tracer reaps it for itself, then the
 * autoreap applies - the parent never sees a zombie or a signal.
 */
START_TEST(autoreap_traced_by_other)
{
	int p[2], ready[2], cfd, st;
	pid_t pid, tracer;
	char c;

	block_sigchld();
	make_pipe(p);
	make_pipe(ready);
	pid = spawn_fd(AUTOREAP, 0, &cfd, child_wait_fd, (void *)(intptr_t)p[0]);
	tracer = fork();
	if (tracer == 0) {
		if (ptrace(PTRACE_SEIZE, pid, NULL, NULL))
			_exit(1);
		poke(ready[1]);
		if (waitpid(pid, &st, __WALL) != pid || !WIFEXITED(st))
			_exit(2);
		_exit(0);
	}
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	poke(p[1]);
	ck_assert_int_eq(waitpid(tracer, &st, 0), tracer);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "tracer status %#x", st);
	while (got_sigchld(0))	/* the tracer's own */
		;
	ck_assert_int_eq(read_info(cfd).code, CLD_EXITED);
	ck_assert(wait_gone(pid, TIMEOUT_MS));
	assert_no_child(pid);
	ck_assert_int_eq(got_sigchld(200), 0);
}
END_TEST

/* The child's own children are ordinary: it can wait for them. */
static int child_forks_and_waits(void *arg)
{
	int st;
	pid_t g;

	(void)arg;
	g = fork();
	if (g == 0)
		_exit(3);
	if (g < 0 || waitpid(g, &st, 0) != g)
		return 1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 3 ? 0 : 2;
}

START_TEST(autoreap_not_inherited)
{
	struct clonefd_info info;
	int cfd;

	spawn_fd(AUTOREAP, 0, &cfd, child_forks_and_waits, NULL);
	info = read_info(cfd);
	ck_assert_int_eq(info.code, CLD_EXITED);
	ck_assert_int_eq(info.status, 0);
}
END_TEST

START_TEST(autoreap_rules)
{
	int cfd = -1, before = count_fds();
	struct clone4_args args = { .clonefd = &cfd };

	ck_assert_int_eq(clone4(CLONE_AUTOREAP | SIGCHLD, 0, NULL, child_exit, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(clone4(CLONE_AUTOREAP | CLONE_PARENT, 0, NULL, child_exit, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(clone4(CLONE_AUTOREAP | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM,
				0, NULL, child_exit, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(clone4(CLONE_FD | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM,
				sizeof(args), &args, child_exit, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(cfd, -1);
	assert_no_child(-1);
	ck_assert_int_eq(count_fds(), before + 1);	/* the device fd */
}
END_TEST

/*
 * The mission: an application with its own SIGCHLD handler and
 * waitpid(-1) loop, and a library spawning with CLONE_FD|CLONE_AUTOREAP in
 * the same process.  Each sees exactly its own children.
 */
#define NAPP 3
#define NLIB 3
static volatile sig_atomic_t app_nreaped;
static volatile pid_t app_reaped[16];

static void app_sigchld(int sig)
{
	int saved = errno, st;
	pid_t p;

	(void)sig;
	while ((p = waitpid(-1, &st, WNOHANG)) > 0)
		app_reaped[app_nreaped++] = p;
	errno = saved;
}

static int child_sleep_exit(void *arg)
{
	usleep(50 * 1000);
	return (int)(intptr_t)arg;
}

START_TEST(library_isolation)
{
	struct sigaction sa = { .sa_handler = app_sigchld, .sa_flags = SA_RESTART };
	pid_t app[NAPP], lib[NLIB];
	int cfd[NLIB], i, j, waited;

	sigaction(SIGCHLD, &sa, NULL);
	for (i = 0; i < NAPP; i++) {
		app[i] = fork();
		if (app[i] == 0) {
			usleep(50 * 1000);
			_exit(10 + i);
		}
	}
	for (i = 0; i < NLIB; i++)
		lib[i] = spawn_fd(AUTOREAP, O_CLOEXEC, &cfd[i], child_sleep_exit,
				  (void *)(intptr_t)(20 + i));
	for (i = 0; i < NLIB; i++) {
		struct clonefd_info info = read_info(cfd[i]);

		ck_assert_int_eq(info.code, CLD_EXITED);
		ck_assert_int_eq(info.status, 20 + i);
	}
	for (waited = 0; app_nreaped < NAPP && waited < TIMEOUT_MS; waited += 10)
		usleep(10 * 1000);
	usleep(100 * 1000);
	ck_assert_int_eq(app_nreaped, NAPP);
	for (i = 0; i < NAPP; i++) {
		int found = 0;

		for (j = 0; j < app_nreaped; j++)
			found |= app_reaped[j] == app[i];
		ck_assert_msg(found, "application child %d not reaped by its handler", app[i]);
	}
	for (i = 0; i < NLIB; i++) {
		for (j = 0; j < app_nreaped; j++)
			ck_assert_int_ne(app_reaped[j], lib[i]);
		ck_assert(wait_gone(lib[i], TIMEOUT_MS));
	}
	assert_no_child(-1);
}
END_TEST

START_TEST(rmmod_refused_while_fd_open)
{
	int cfd;
	pid_t pid;

	pid = spawn_fd(SIGCHLD, 0, &cfd, child_exit, NULL);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);	/* leave no zombie behind */
	ck_assert_int_eq(syscall(SYS_delete_module, "clonefd", O_NONBLOCK), -1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	ck_assert_int_ge(module_refcnt(), 2);	/* device fd and clonefd */
}
END_TEST

struct detached {
	int go;		/* read end: the child waits for a byte */
	int ready;	/* write end: closed once the child closed everything */
};

/*
 * A child that closes every descriptor but its "go" pipe (its copy of the
 * library's /dev/clonefd descriptor included), then closes "ready" - EOF
 * there tells the parent those descriptors are really gone - and waits on
 * "go".
 */
static int child_detached_wait(void *arg)
{
	const struct detached *d = arg;
	char c;

	if (dup2(d->go, 0) < 0 || dup2(d->ready, 1) < 0 ||
	    close_range(2, ~0U, 0) || close(1))
		return 1;
	return read(0, &c, 1) == 1 ? 0 : 2;
}

/*
 * Leaves a child created with @flags (CLONE_AUTOREAP, CLONE_FD) by a process
 * that then exits: no clonefd and no /dev/clonefd descriptor is open
 * anywhere once this returns.  *go releases the child.
 */
static pid_t spawn_detached(uint64_t flags, int *go)
{
	int gop[2], info[2], ready[2], st, cfd;
	struct clone4_args args = { .clonefd = flags & CLONE_FD ? &cfd : NULL };
	struct detached d;
	pid_t sub, pid;
	char c;

	make_pipe(gop);
	make_pipe(info);
	make_pipe(ready);
	d.go = gop[0];
	d.ready = ready[1];
	sub = fork();
	if (sub == 0) {
		pid = clone4(flags, sizeof(args), &args, child_detached_wait, &d);
		_exit(write(info[1], &pid, sizeof(pid)) == sizeof(pid) ? 0 : 1);
	}
	ck_assert_int_eq(read(info[0], &pid, sizeof(pid)), sizeof(pid));
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(sub, &st, 0), sub);
	/* The child may not have closed its descriptors yet: wait for it. */
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 0);
	*go = gop[1];
	return pid;
}

static void assert_rmmod_refused(void)
{
	ck_assert_int_eq(module_refcnt(), 1);
	ck_assert_int_eq(syscall(SYS_delete_module, "clonefd", O_NONBLOCK), -1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
}

/* A child whose clonefd is closed everywhere is still tracked. */
START_TEST(rmmod_refused_while_child_tracked)
{
	int go;
	pid_t pid;

	pid = spawn_detached(AUTOREAP, &go);
	assert_rmmod_refused();
	poke(go);
	ck_assert(wait_gone(pid, TIMEOUT_MS));
	ck_assert_int_eq(module_refcnt(), 0);
}
END_TEST

/*
 * An autoreap promise outlives everything: the child pins the module, which
 * keeps it invisible across exec on every kernel and reaps it where the
 * kernel does not (before Linux 7.1).
 */
START_TEST(autoreap_promise_kept)
{
	int go;
	pid_t pid;

	pid = spawn_detached(CLONE_AUTOREAP, &go);
	assert_rmmod_refused();
	poke(go);
	ck_assert(wait_gone(pid, TIMEOUT_MS));
	ck_assert_int_eq(module_refcnt(), 0);
}
END_TEST

/* The exit signal of @pid, field 38 of /proc/PID/stat; -1 if gone. */
static int exit_signal_of(pid_t pid)
{
	char buf[1024], *p, *save = NULL;
	const char *fields = proc_stat_fields(pid, buf, sizeof(buf));
	int field = 2;

	if (!fields)
		return -1;
	for (p = strtok_r((char *)fields, " ", &save); p; p = strtok_r(NULL, " ", &save))
		if (++field == 38)
			return atoi(p);
	ck_abort_msg("no exit signal in /proc/%d/stat", pid);
	return -1;
}

/*
 * A fork-like child that execs this binary as helper "exec-block": it says
 * "ready" on @ready once the new program runs, then waits for EOF on @go.
 */
static pid_t spawn_exec_block(uint64_t flags, int *cfd, int *go)
{
	struct clone4_args args = { .clonefd = flags & CLONE_FD ? cfd : NULL };
	int gop[2], ready[2];
	char fd[16], c;
	pid_t pid;

	make_pipe(gop);
	make_pipe(ready);
	pid = clone4(flags, sizeof(args), &args, NULL, NULL);
	if (pid == 0) {
		if (dup2(gop[0], 0) < 0)
			_exit(126);
		snprintf(fd, sizeof(fd), "%d", fcntl(ready[1], F_DUPFD, 3));
		exec_helper("exec-block", fd, NULL);
	}
	ck_assert_int_gt(pid, 0);
	close(gop[0]);
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	*go = gop[1];
	return pid;
}

/*
 * execve() resets the exit signal to SIGCHLD; an autoreaped child must stay
 * invisible to waitpid() all the same, on hook and native kernels alike,
 * with and without a clonefd.  _i: CLONE_FD | CLONE_AUTOREAP, CLONE_AUTOREAP.
 */
START_TEST(autoreap_invisible_after_exec)
{
	uint64_t flags = _i ? CLONE_AUTOREAP : AUTOREAP;
	long tracked = module_tracked();
	int cfd = -1, go;
	pid_t pid;

	printf("autoreap_invisible_after_exec: %s, autoreap by the %s\n",
	       _i ? "no clonefd" : "clonefd", kernel_has_autoreap() ? "kernel" : "module");
	pid = spawn_exec_block(flags, &cfd, &go);
	ck_assert_int_eq(exit_signal_of(pid), 0);
	assert_no_child(pid);
	assert_no_children();
	close(go);
	if (cfd >= 0) {
		struct clonefd_info info = read_info(cfd);

		ck_assert_int_eq(info.code, CLD_EXITED);
		ck_assert_int_eq(info.status, 0);
		ck_assert_int_eq(kill(pid, 0), -1);
		close(cfd);
	}
	ck_assert(wait_gone(pid, TIMEOUT_MS));
	assert_no_children();
	ck_assert_int_eq(module_tracked(), tracked);
}
END_TEST

static void *waitpid_loop(void *arg)
{
	int *statuses = arg, st, n = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &st, 0)) > 0)
		statuses[n++] = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	statuses[n] = errno == ECHILD ? -ECHILD : -errno;
	return NULL;
}

/*
 * An application's waitpid(-1) loop collects its own children and then
 * gets ECHILD, while a library's autoreaped helpers, exec'd around it, still
 * run: they never hold the loop up.
 */
START_TEST(app_waitpid_loop_ignores_exec_helpers)
{
	int own[3], helper_go[3], cfd[3], statuses[8] = { 0 }, i;
	pid_t own_pid[3], helper[3];
	pthread_t loop;

	for (i = 0; i < 3; i++)
		helper[i] = spawn_exec_block(AUTOREAP, &cfd[i], &helper_go[i]);
	for (i = 0; i < 3; i++) {
		int p[2];

		make_pipe(p);
		own_pid[i] = fork();
		if (own_pid[i] == 0) {
			char c;
			int j;

			for (j = 0; j < i; j++)
				close(own[j]);
			close(p[1]);
			_exit(read(p[0], &c, 1) == 0 ? 10 + i : 99);
		}
		close(p[0]);
		own[i] = p[1];
	}
	ck_assert_int_eq(pthread_create(&loop, NULL, waitpid_loop, statuses), 0);
	/* more helpers exec while the loop waits */
	for (i = 0; i < 3; i++) {
		close(helper_go[i]);
		close(cfd[i]);
		helper[i] = spawn_exec_block(AUTOREAP, &cfd[i], &helper_go[i]);
		close(own[i]);
	}
	ck_assert_int_eq(pthread_join(loop, NULL), 0);
	/* its own three, in any order, then ECHILD */
	ck_assert_int_eq(statuses[0] + statuses[1] + statuses[2], 10 + 11 + 12);
	for (i = 0; i < 3; i++)
		ck_assert(statuses[i] >= 10 && statuses[i] <= 12);
	ck_assert_int_eq(statuses[3], -ECHILD);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(kill(helper[i], 0), 0);	/* still running */
		close(helper_go[i]);
		ck_assert_int_eq(read_info(cfd[i]).code, CLD_EXITED);
		close(cfd[i]);
	}
	assert_no_children();
}
END_TEST

/*
 * Readable means gone: once an autoreaped child's clonefd is readable, its
 * pid is released, for every reader.  _i: CLONE_FD | CLONE_AUTOREAP, or a
 * CLONE_FD child of a parent ignoring SIGCHLD (released at exit too).
 */
START_TEST(readable_means_gone)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	int i, cfd, alive = 0;
	pid_t pid;

	if (_i)
		ck_assert_int_eq(sigaction(SIGCHLD, &ign, NULL), 0);
	for (i = 0; i < 500; i++) {
		pid = spawn_fd(_i ? SIGCHLD : CLONE_AUTOREAP, O_CLOEXEC, &cfd,
			       child_exit, (void *)(intptr_t)(i & 0x7f));
		ck_assert(wait_readable(cfd, TIMEOUT_MS));
		alive += kill(pid, 0) == 0;
		ck_assert_int_eq(read_info(cfd).status, i & 0x7f);
		close(cfd);
	}
	ck_assert_msg(!alive, "%d of 500 pids still there when the clonefd was readable", alive);
	assert_no_children();
}
END_TEST

/* Reports what clone(CLONE_PARENT) returned (pid or -errno) on fd. */
static int child_clone_parent(void *fd)
{
	long r = syscall(SYS_clone, CLONE_PARENT, 0, NULL, NULL, 0);

	if (r == 0)
		_exit(0);
	if (r < 0)
		r = -errno;
	return write((int)(intptr_t)fd, &r, sizeof(r)) == sizeof(r) ? 0 : 1;
}

/*
 * Linux 7.1 forbids an autoreap process clone(CLONE_PARENT): the new child
 * would inherit exit signal 0 without being autoreaped.  Where the kernel
 * implements CLONE_AUTOREAP, clonefd passes the flag through and the rule
 * holds for its children too; before 7.1 nothing can enforce it (clone4(3),
 * BUGS), and the grandchild is the caller's child with exit signal 0.
 */
START_TEST(autoreap_clone_parent)
{
	int p[2], cfd, st;
	long r;

	make_pipe(p);
	spawn_fd(AUTOREAP, 0, &cfd, child_clone_parent, (void *)(intptr_t)p[1]);
	ck_assert_int_eq(read(p[0], &r, sizeof(r)), sizeof(r));
	ck_assert_int_eq(read_info(cfd).status, 0);
	if (kernel_has_autoreap()) {
		ck_assert_int_eq(r, -EINVAL);
	} else {
		ck_assert_int_gt(r, 0);
		ck_assert_int_eq(waitpid(r, &st, __WALL), r);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	assert_no_child(-1);
}
END_TEST

Suite *autoreap_suite(void)
{
	Suite *s = suite_create("autoreap");
	TCase *tc = tcase_create("autoreap");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, autoreap_no_zombie_no_signal);
	tcase_add_test(tc, autoreap_without_clonefd);
	tcase_add_test(tc, autoreap_killed);
	tcase_add_test(tc, autoreap_fd_closed_first);
	tcase_add_test(tc, autoreap_after_parent_exec);
	tcase_add_test(tc, autoreap_survives_reparenting);
	tcase_add_test(tc, autoreap_not_inherited);
	tcase_add_test(tc, autoreap_traced_by_parent);
	tcase_add_test(tc, autoreap_traced_by_other);
	tcase_add_test(tc, autoreap_rules);
	tcase_add_test(tc, autoreap_clone_parent);
	tcase_add_test(tc, library_isolation);
	tcase_add_test(tc, rmmod_refused_while_fd_open);
	tcase_add_test(tc, rmmod_refused_while_child_tracked);
	tcase_add_test(tc, autoreap_promise_kept);
	tcase_add_loop_test(tc, autoreap_invisible_after_exec, 0, 2);
	tcase_add_test(tc, app_waitpid_loop_ignores_exec_helpers);
	tcase_add_loop_test(tc, readable_means_gone, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
