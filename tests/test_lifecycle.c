// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * No tracked state outlives a child, for every way a process can end.
 *
 * Each test runs one "ending shape" (how the child's threads end: which
 * thread exits first, exit, exit_group(), a fatal signal, exec by a
 * non-leader thread) in a child created with one of four flag sets (CLONE_FD,
 * CLONE_FD|CLONE_AUTOREAP, CLONE_AUTOREAP, neither) under one parent-side
 * variation (plain, SIGCHLD SIG_IGN, SA_NOCLDWAIT, reparented to a subreaper
 * or to init, traced by another process or by another thread of the parent,
 * init of a new pid namespace, CLONE_VFORK).  Each variation is a loop test
 * over its shapes x the flag sets; the failure message names all three.
 *
 * After the child is gone: the exit record (CLONE_FD) and any wait status are
 * those of the shape (fork_reference checks the table against fork()), the
 * pid no longer exists, this process has no child left, and the module's
 * refcnt, its tracked count and our descriptors are back to what they were
 * before the child.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

/* --- the child side: no Check assertions, a wrong exit status tells --- */

static int lc_block[2] = { -1, -1 };	/* never written: blocked threads read it */
static int lc_ready[2] = { -1, -1 };	/* each started helper thread writes a byte */

static void lc_die(int status)
{
	syscall(SYS_exit_group, status);
}

static void lc_block_forever(void)
{
	char c;

	for (;;)
		if (read(lc_block[0], &c, 1) == 0)
			lc_die(94);
}

/* Waits until the group leader is a zombie (it exited before us). */
static void lc_wait_leader_zombie(void)
{
	struct timespec ts = { 0, 1000 * 1000 };
	char buf[256], *p;
	ssize_t n;
	int fd, i;

	for (i = 0; i < 20000; i++) {
		fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = 0;
			p = strrchr(buf, ')');
			if (p && p[1] == ' ' && p[2] == 'Z')
				return;
		}
		nanosleep(&ts, NULL);
	}
	lc_die(97);
}

static void *lc_thread_block(void *arg)
{
	(void)arg;
	if (write(lc_ready[1], "x", 1) != 1)
		lc_die(93);
	lc_block_forever();
	return NULL;
}

static void *lc_thread_spin(void *arg)
{
	(void)arg;
	if (write(lc_ready[1], "x", 1) != 1)
		lc_die(93);
	for (;;)
		sched_yield();
	return NULL;
}

/* Starts @n threads running @fn and waits until each runs. */
static void lc_start(void *(*fn)(void *), int n)
{
	pthread_attr_t attr;
	pthread_t t;
	char c;
	int i;

	if (lc_block[0] < 0 && (pipe2(lc_block, O_CLOEXEC) || pipe2(lc_ready, O_CLOEXEC)))
		lc_die(92);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 0; i < n; i++)
		if (pthread_create(&t, &attr, fn, NULL))
			lc_die(91);
	for (i = 0; i < n; i++)
		if (read(lc_ready[0], &c, 1) != 1)
			lc_die(91);
	pthread_attr_destroy(&attr);
}

/* What one more thread does, optionally once the leader is a zombie. */
enum lc_what { ACT_EXIT, ACT_EXIT_GROUP, ACT_KILL, ACT_EXEC };

struct lc_act {
	enum lc_what what;
	int val;		/* exit status or signal */
	int after_leader;
};

/*
 * exec_helper("lifecycle-exit", @status): through /proc/thread-self, as
 * /proc/self/exe is gone once the leader is a zombie.
 */
static void lc_exec(const char *status)
{
	char *argv[] = { "check_clonefd", "--helper", "lifecycle-exit", (char *)status, NULL };

	execv("/proc/thread-self/exe", argv);
	lc_die(127);
}

static void *lc_thread_act(void *arg)
{
	const struct lc_act *act = arg;
	char buf[16];

	if (act->after_leader)
		lc_wait_leader_zombie();
	switch (act->what) {
	case ACT_EXIT:
		syscall(SYS_exit, act->val);
		break;
	case ACT_EXIT_GROUP:
		lc_die(act->val);
		break;
	case ACT_KILL:
		kill(getpid(), act->val);
		for (;;)	/* a tracer may hold the signal a while */
			pause();
	case ACT_EXEC:
		snprintf(buf, sizeof(buf), "%d", act->val);
		lc_exec(buf);
		break;
	}
	lc_die(90);
	return NULL;
}

static void lc_act(enum lc_what what, int val, int after_leader)
{
	static struct lc_act acts[4];
	static int nacts;
	struct lc_act *act = &acts[nacts++];
	pthread_t t;

	act->what = what;
	act->val = val;
	act->after_leader = after_leader;
	if (pthread_create(&t, NULL, lc_thread_act, act))
		lc_die(91);
}

/*
 * The shapes.  Each runs in the child (after its "go" byte, if any) and
 * ends the process as its table entry says; a return is SYS_exit of the
 * calling thread (clone4()'s rule for fn, and fork_reference's).
 */
static int sh_exit(void)
{
	return 11;
}

static int sh_signal(void)
{
	kill(getpid(), SIGUSR1);
	return 99;
}

static int sh_exec(void)
{
	lc_exec("12");
	return 99;
}

/* exit_group() by the leader, the other threads blocked. */
static int sh_group_exit_blocked(void)
{
	lc_start(lc_thread_block, 2);
	lc_die(13);
	return 99;
}

/* exit_group() by another thread, two more running, the leader blocked. */
static int sh_group_exit_by_thread(void)
{
	lc_start(lc_thread_spin, 2);
	lc_act(ACT_EXIT_GROUP, 14, 0);
	lc_block_forever();
	return 99;
}

/* A fatal signal sent by a thread, every thread blocked. */
static int sh_signal_blocked(void)
{
	lc_start(lc_thread_block, 2);
	lc_act(ACT_KILL, SIGUSR1, 0);
	lc_block_forever();
	return 99;
}

/* SIGKILL from the leader, the other threads running. */
static int sh_sigkill_running(void)
{
	lc_start(lc_thread_spin, 2);
	kill(getpid(), SIGKILL);
	return 99;
}

/*
 * SYS_exit by the leader, then by each of the others, all with 15: which
 * thread's status waitpid() reports differs between kernels (the leader's
 * on 5.10, the last thread's on 6.1 and later); the record must match it
 * either way.
 */
static int sh_leader_first(void)
{
	lc_act(ACT_EXIT, 15, 1);
	lc_act(ACT_EXIT, 15, 1);
	syscall(SYS_exit, 15);
	return 99;
}

static int sh_leader_first_group_exit(void)
{
	lc_start(lc_thread_block, 1);
	lc_act(ACT_EXIT_GROUP, 16, 1);
	syscall(SYS_exit, 3);
	return 99;
}

static int sh_leader_first_signal(void)
{
	lc_start(lc_thread_block, 1);
	lc_act(ACT_KILL, SIGKILL, 1);
	syscall(SYS_exit, 3);
	return 99;
}

/* exec by a non-leader thread (de_thread() kills the leader). */
static int sh_exec_by_thread(void)
{
	lc_start(lc_thread_block, 1);
	lc_act(ACT_EXEC, 17, 0);
	lc_block_forever();
	return 99;
}

/* exec by a non-leader thread once the leader is a zombie. */
static int sh_exec_by_thread_leader_dead(void)
{
	lc_start(lc_thread_block, 1);
	lc_act(ACT_EXEC, 18, 1);
	syscall(SYS_exit, 3);
	return 99;
}

enum {
	SH_EXIT, SH_SIGNAL, SH_EXEC, SH_GROUP_EXIT_BLOCKED, SH_GROUP_EXIT_BY_THREAD,
	SH_SIGNAL_BLOCKED, SH_SIGKILL_RUNNING, SH_LEADER_FIRST,
	SH_LEADER_FIRST_GROUP_EXIT, SH_LEADER_FIRST_SIGNAL, SH_EXEC_BY_THREAD,
	SH_EXEC_BY_THREAD_LEADER_DEAD, NSHAPES
};

struct shape {
	const char *name;
	int (*fn)(void);
	int code, status;	/* as waitpid() reports the end (CLD_*) */
};

static const struct shape lc_shapes[NSHAPES] = {
	[SH_EXIT] = { "exit", sh_exit, CLD_EXITED, 11 },
	[SH_SIGNAL] = { "signal", sh_signal, CLD_KILLED, SIGUSR1 },
	[SH_EXEC] = { "exec", sh_exec, CLD_EXITED, 12 },
	[SH_GROUP_EXIT_BLOCKED] = { "mt exit_group, others blocked",
				    sh_group_exit_blocked, CLD_EXITED, 13 },
	[SH_GROUP_EXIT_BY_THREAD] = { "mt exit_group by a thread, others running",
				      sh_group_exit_by_thread, CLD_EXITED, 14 },
	[SH_SIGNAL_BLOCKED] = { "mt fatal signal, all blocked", sh_signal_blocked,
				CLD_KILLED, SIGUSR1 },
	[SH_SIGKILL_RUNNING] = { "mt SIGKILL, others running", sh_sigkill_running,
				 CLD_KILLED, SIGKILL },
	[SH_LEADER_FIRST] = { "mt leader exits first, then each thread",
			      sh_leader_first, CLD_EXITED, 15 },
	[SH_LEADER_FIRST_GROUP_EXIT] = { "mt leader exits first, then exit_group",
					 sh_leader_first_group_exit, CLD_EXITED, 16 },
	[SH_LEADER_FIRST_SIGNAL] = { "mt leader exits first, then SIGKILL",
				     sh_leader_first_signal, CLD_KILLED, SIGKILL },
	[SH_EXEC_BY_THREAD] = { "mt exec by a non-leader thread",
				sh_exec_by_thread, CLD_EXITED, 17 },
	[SH_EXEC_BY_THREAD_LEADER_DEAD] = { "mt exec by a thread, leader dead",
					    sh_exec_by_thread_leader_dead, CLD_EXITED, 18 },
};

struct lc_arg {
	int go;			/* read end: wait for a byte first, or -1 */
	const struct shape *shape;
};

static int lc_child(void *arg)
{
	const struct lc_arg *a = arg;
	sigset_t set;
	char c;

	/* The shapes' fatal signal must be fatal here. */
	signal(SIGUSR1, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	if (a->go >= 0) {
		while (read(a->go, &c, 1) != 1)
			if (errno != EINTR)
				return 95;
	}
	return a->shape->fn();
}

/* Init of a new pid namespace, with two children of its own. */
static int lc_newpid_init(void *arg)
{
	pid_t g;
	int i;

	if (getpid() != 1)
		return 96;
	for (i = 0; i < 2; i++) {
		g = fork();
		if (g < 0)
			return 96;
		if (g == 0)
			for (;;)
				pause();
	}
	return lc_child(arg);
}

/* --- the parent side --- */

static const struct flagset {
	const char *name;
	uint64_t flags;
} lc_flags[] = {
	{ "CLONE_FD", CLONE_FD | SIGCHLD },
	{ "CLONE_FD|CLONE_AUTOREAP", CLONE_FD | CLONE_AUTOREAP },
	{ "CLONE_AUTOREAP", CLONE_AUTOREAP },
	{ "neither", SIGCHLD },
};
#define NFLAGS	((int)(sizeof(lc_flags) / sizeof(lc_flags[0])))

enum lc_mode {
	M_PLAIN, M_SIG_IGN, M_NOCLDWAIT, M_SUBREAPER, M_INIT, M_TRACER,
	M_TRACER_THREAD, M_NEWPID, M_VFORK, M_VFORK_VM, NMODES
};

#define S(x)	(1u << (x))
#define ALL	(S(NSHAPES) - 1)

static const struct mode {
	const char *name;
	uint64_t flags;		/* added to the flag set's */
	unsigned shapes;	/* the shapes that run in this variation */
} lc_modes[NMODES] = {
	[M_PLAIN] = { "plain parent", 0, ALL },
	[M_SIG_IGN] = { "parent SIGCHLD SIG_IGN", 0,
			S(SH_EXIT) | S(SH_SIGNAL) | S(SH_GROUP_EXIT_BY_THREAD) |
			S(SH_LEADER_FIRST) | S(SH_LEADER_FIRST_SIGNAL) |
			S(SH_EXEC_BY_THREAD_LEADER_DEAD) },
	[M_NOCLDWAIT] = { "parent SA_NOCLDWAIT", 0,
			  S(SH_EXIT) | S(SH_GROUP_EXIT_BLOCKED) | S(SH_LEADER_FIRST) |
			  S(SH_EXEC_BY_THREAD) },
	[M_SUBREAPER] = { "reparented to a subreaper", 0,
			  S(SH_EXIT) | S(SH_GROUP_EXIT_BY_THREAD) | S(SH_LEADER_FIRST) },
	[M_INIT] = { "reparented to init", 0,
		     S(SH_EXIT) | S(SH_SIGKILL_RUNNING) | S(SH_LEADER_FIRST_GROUP_EXIT) },
	/* Traced: the tracer attaches to the leader; no exec under a tracer. */
	[M_TRACER] = { "PTRACE_ATTACH by another process", 0,
		       S(SH_EXIT) | S(SH_SIGNAL) | S(SH_SIGNAL_BLOCKED) | S(SH_LEADER_FIRST) },
	[M_TRACER_THREAD] = { "PTRACE_ATTACH by another thread of the parent", 0,
			      S(SH_EXIT) | S(SH_LEADER_FIRST) },
	/* A signal from inside the namespace does not kill its init. */
	[M_NEWPID] = { "CLONE_NEWPID init with children", CLONE_NEWPID,
		       S(SH_EXIT) | S(SH_EXEC) | S(SH_GROUP_EXIT_BLOCKED) |
		       S(SH_LEADER_FIRST) | S(SH_EXEC_BY_THREAD_LEADER_DEAD) },
	[M_VFORK] = { "CLONE_VFORK", CLONE_VFORK,
		      S(SH_EXIT) | S(SH_EXEC) | S(SH_SIGKILL_RUNNING) |
		      S(SH_LEADER_FIRST) | S(SH_EXEC_BY_THREAD) },
	/* Sharing our memory: single-threaded only. */
	[M_VFORK_VM] = { "CLONE_VFORK|CLONE_VM", CLONE_VFORK | CLONE_VM,
			 S(SH_EXIT) | S(SH_SIGNAL) | S(SH_EXEC) },
};

static int lc_count(enum lc_mode mode)
{
	return __builtin_popcount(lc_modes[mode].shapes) * NFLAGS;
}

/* One run: a shape x a flag set under a parent-side variation. */
struct lc {
	enum lc_mode mode;
	const struct shape *shape;
	uint64_t flags;		/* clone4()'s */
	char ctx[128];		/* names all three, for the messages */
	long ref0, tracked0;	/* the module before the child */
	int fds0;
	pid_t pid;
	int cfd;
	int go[2];		/* the child waits for a byte on go[0] */
};

static void lc_pick(struct lc *t, enum lc_mode mode, int i)
{
	const struct flagset *fs = &lc_flags[i % NFLAGS];
	int k, n = i / NFLAGS;

	memset(t, 0, sizeof(*t));
	t->mode = mode;
	t->cfd = t->go[0] = t->go[1] = -1;
	for (k = 0; k < NSHAPES && !t->shape; k++)
		if ((lc_modes[mode].shapes & S(k)) && n-- == 0)
			t->shape = &lc_shapes[k];
	ck_assert_ptr_nonnull(t->shape);
	t->flags = fs->flags | lc_modes[mode].flags;
	snprintf(t->ctx, sizeof(t->ctx), "%s, %s, %s", lc_modes[mode].name,
		 t->shape->name, fs->name);
}

/*
 * The baseline is taken with the library's /dev/clonefd descriptor open: a
 * clone4() the module refuses opens (and caches) it and creates nothing.
 */
static void lc_baseline(struct lc *t)
{
	ck_assert_int_eq(clone4(CLONE_AUTOREAP | SIGCHLD, 0, NULL, child_exit, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	t->ref0 = module_refcnt();
	t->tracked0 = module_tracked();
	t->fds0 = count_fds();
	ck_assert_int_gt(t->ref0, 0);
}

/* Tracking ends right after the release: allow it TIMEOUT_MS to settle. */
static void lc_assert_baseline(const struct lc *t)
{
	long ref, tracked;

	wait_module_baseline(t->ref0, t->tracked0, &ref, &tracked);
	ck_assert_msg(ref == t->ref0, "%s: module refcnt %ld, %ld before the child",
		      t->ctx, ref, t->ref0);
	ck_assert_msg(tracked >= 0, "%s: no /sys/module/clonefd/parameters/tracked", t->ctx);
	ck_assert_msg(tracked == t->tracked0, "%s: tracked %ld, %ld before the child",
		      t->ctx, tracked, t->tracked0);
	ck_assert_msg(count_fds() == t->fds0, "%s: %d descriptors open, %d before",
		      t->ctx, count_fds(), t->fds0);
}

static void lc_assert_status(const struct lc *t, const char *who, int st)
{
	const struct shape *sh = t->shape;
	int ok;

	if (sh->code == CLD_EXITED)
		ok = WIFEXITED(st) && WEXITSTATUS(st) == sh->status;
	else
		ok = WIFSIGNALED(st) && WTERMSIG(st) == sh->status && !WCOREDUMP(st);
	ck_assert_msg(ok, "%s: %s wait status %#x, want %s %d", t->ctx, who, st,
		      sh->code == CLD_EXITED ? "exit" : "signal", sh->status);
}

static pid_t lc_clone4(struct lc *t, int (*fn)(void *), struct lc_arg *a)
{
	struct clone4_args args = { .clonefd = &t->cfd, .clonefd_flags = O_CLOEXEC };
	int fd = !!(t->flags & CLONE_FD);

	return clone4(t->flags, fd ? sizeof(args) : 0, fd ? &args : NULL, fn, a);
}

static void lc_spawn(struct lc *t, int (*fn)(void *), struct lc_arg *a)
{
	t->pid = lc_clone4(t, fn, a);
	ck_assert_msg(t->pid > 0, "%s: clone4: %s", t->ctx, clonefd_strerror(errno));
	ck_assert_msg(!(t->flags & CLONE_FD) || t->cfd >= 0, "%s: no clonefd", t->ctx);
}

/* A pid and (if @fd >= 0) a descriptor over a unix socket. */
static int lc_send(int sock, pid_t pid, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &pid, .iov_len = sizeof(pid) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;

	if (fd >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, 0) == sizeof(pid) ? 0 : -1;
}

static pid_t lc_recv(int sock, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	pid_t pid = -1;
	struct iovec iov = { .iov_base = &pid, .iov_len = sizeof(pid) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cmsg;

	ck_assert_int_eq(recvmsg(sock, &msg, MSG_CMSG_CLOEXEC), sizeof(pid));
	cmsg = CMSG_FIRSTHDR(&msg);
	if (cmsg && cmsg->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(cmsg), sizeof(int));
	return pid;
}

/*
 * The child is created by a process of ours that then exits: it is
 * reparented (to us if we are a subreaper, else to init), its clonefd
 * handed to us.
 */
static void lc_spawn_orphan(struct lc *t, struct lc_arg *a)
{
	int sv[2], st;
	pid_t mid, pid;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	mid = fork();
	ck_assert_int_ge(mid, 0);
	if (mid == 0) {
		pid = lc_clone4(t, lc_child, a);
		if (pid < 0)
			pid = -errno;
		_exit(lc_send(sv[1], pid, t->cfd) ? 1 : 0);
	}
	close(sv[1]);
	t->pid = lc_recv(sv[0], &t->cfd);
	close(sv[0]);
	ck_assert_int_eq(waitpid(mid, &st, 0), mid);
	ck_assert_int_eq(st, 0);
	ck_assert_msg(t->pid > 0, "%s: clone4: %s", t->ctx, clonefd_strerror(-t->pid));
	ck_assert_msg(!(t->flags & CLONE_FD) || t->cfd >= 0, "%s: no clonefd", t->ctx);
}

/*
 * As a tracer (process or thread; no Check assertions here): PTRACE_ATTACH
 * to @pid, let it go on without the attach SIGSTOP, write a byte to @ready,
 * then follow it, passing on each signal it stops for, until it ends.  The
 * zombie is left in place (WNOWAIT).  Returns its wait status, or < 0.
 */
static int lc_trace(pid_t pid, int ready)
{
	siginfo_t si;
	int st;

	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL))
		return -1;
	if (waitpid(pid, &st, __WALL) != pid || !WIFSTOPPED(st))
		return -2;
	if (ptrace(PTRACE_CONT, pid, NULL, WSTOPSIG(st) == SIGSTOP ? 0 : WSTOPSIG(st)))
		return -3;
	if (write(ready, "x", 1) != 1)
		return -4;
	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, pid, &si, WEXITED | WSTOPPED | WNOWAIT | __WALL)) {
			if (errno == EINTR)
				continue;
			return -5;
		}
		switch (si.si_code) {
		case CLD_EXITED:
			return W_EXITCODE(si.si_status, 0);
		case CLD_KILLED:
			return si.si_status;
		case CLD_DUMPED:
			return si.si_status | 0x80;
		}
		if (waitpid(pid, &st, __WALL) != pid || !WIFSTOPPED(st))
			return -6;
		if (ptrace(PTRACE_CONT, pid, NULL, WSTOPSIG(st)))
			return -7;
	}
}

/* Another process traces the child and reaps it for itself (as tracer). */
static void lc_traced_by_other(struct lc *t)
{
	int ready[2], report[2], st, rst, attached;
	pid_t tracer;
	char c;

	make_pipe(ready);
	make_pipe(report);
	tracer = fork();
	ck_assert_int_ge(tracer, 0);
	if (tracer == 0) {
		st = lc_trace(t->pid, ready[1]);
		if (st >= 0 && (waitpid(t->pid, &rst, __WALL) != t->pid || rst != st))
			st = -8;
		_exit(write(report[1], &st, sizeof(st)) == sizeof(st) ? 0 : 1);
	}
	close(ready[1]);
	close(report[1]);
	attached = read(ready[0], &c, 1) == 1;
	poke(t->go[1]);		/* either way: leave no child blocked */
	ck_assert_msg(attached, "%s: the tracer could not attach", t->ctx);
	ck_assert_int_eq(read(report[0], &st, sizeof(st)), sizeof(st));
	ck_assert_msg(st >= 0, "%s: tracer failed at step %d", t->ctx, -st);
	lc_assert_status(t, "the tracer's", st);
	ck_assert_int_eq(waitpid(tracer, &rst, 0), tracer);
	ck_assert_int_eq(rst, 0);
	close(ready[0]);
	close(report[0]);
}

struct lc_tracer {
	pid_t pid;
	int ready;
	int status;
};

static void *lc_tracer_thread(void *arg)
{
	struct lc_tracer *tr = arg;

	tr->status = lc_trace(tr->pid, tr->ready);
	if (tr->status < 0 && tr->status > -4 && write(tr->ready, "!", 1) != 1)
		tr->status = -9;	/* could not attach: unblock the parent */
	return NULL;	/* the thread's exit detaches it */
}

/*
 * Another thread of ours traces the child, sees it end (without reaping it)
 * and exits.  Its __ptrace_detach() does not notify a parent of its own
 * thread group: on 7.1+ the kernel releases an autoreap zombie right there,
 * before 7.1 the module never hears of it and the zombie (exit signal 0)
 * stays our child until waitpid(__WALL).  Returns 1 if we must reap it.
 */
static int lc_traced_by_thread(struct lc *t, int announce)
{
	struct lc_tracer tr = { .pid = t->pid };
	int ready[2], hook = !kernel_has_autoreap();
	pthread_t th;
	char c;

	if (announce) {
		printf("lifecycle: autoreap child traced by a parent's thread: %s\n", hook ?
		       "hook kernel, the zombie stays until waitpid(__WALL)" :
		       "native kernel, released when the tracer thread exits");
		fflush(stdout);
	}
	make_pipe(ready);
	tr.ready = ready[1];
	ck_assert_int_eq(pthread_create(&th, NULL, lc_tracer_thread, &tr), 0);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);	/* attached, or failed */
	poke(t->go[1]);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_msg(tr.status >= 0, "%s: tracer failed at step %d", t->ctx, -tr.status);
	lc_assert_status(t, "the tracer thread's", tr.status);
	close(ready[0]);
	close(ready[1]);
	return !(t->flags & CLONE_AUTOREAP) || hook;
}

/* The child ended: check how, that it is gone, and the baseline. */
static void lc_finish(struct lc *t, int we_reap)
{
	const struct shape *sh = t->shape;
	struct clonefd_info info;
	int st;

	if (t->cfd >= 0) {
		ck_assert_msg(wait_readable(t->cfd, TIMEOUT_MS), "%s: clonefd not readable",
			      t->ctx);
		info = read_info(t->cfd);
		ck_assert_msg(info.code == (unsigned)sh->code && info.status == (unsigned)sh->status,
			      "%s: record code %u status %u, want %d %d", t->ctx,
			      info.code, info.status, sh->code, sh->status);
		close(t->cfd);
	}
	if (we_reap) {
		ck_assert_msg(waitpid(t->pid, &st, __WALL) == t->pid, "%s: waitpid: %m", t->ctx);
		lc_assert_status(t, "our", st);
	} else {
		ck_assert_msg(wait_gone(t->pid, TIMEOUT_MS), "%s: pid %d still there, state %c",
			      t->ctx, t->pid, proc_state(t->pid));
	}
	ck_assert_msg(kill(t->pid, 0) < 0 && errno == ESRCH, "%s: pid %d still there, state %c",
		      t->ctx, t->pid, proc_state(t->pid));
	assert_no_children();
	lc_assert_baseline(t);
}

static void lc_run(enum lc_mode mode, int i)
{
	struct sigaction sa = { .sa_handler = SIG_DFL, .sa_flags = SA_NOCLDWAIT };
	int autoreap, we_reap;
	struct lc_arg a;
	struct lc t;

	lc_pick(&t, mode, i);
	autoreap = !!(t.flags & CLONE_AUTOREAP);
	switch (mode) {
	case M_SIG_IGN:
		sa.sa_handler = SIG_IGN;
		sa.sa_flags = 0;
		/* fall through */
	case M_NOCLDWAIT:
		ck_assert_int_eq(sigaction(SIGCHLD, &sa, NULL), 0);
		break;
	case M_SUBREAPER:
		ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
		break;
	default:
		break;
	}
	lc_baseline(&t);
	if (mode == M_SUBREAPER || mode == M_INIT || mode == M_TRACER ||
	    mode == M_TRACER_THREAD)
		make_pipe(t.go);
	a.go = t.go[0];
	a.shape = t.shape;
	if (mode == M_SUBREAPER || mode == M_INIT)
		lc_spawn_orphan(&t, &a);
	else
		lc_spawn(&t, mode == M_NEWPID ? lc_newpid_init : lc_child, &a);

	we_reap = !autoreap;
	switch (mode) {
	case M_SIG_IGN:
	case M_NOCLDWAIT:
	case M_INIT:
		we_reap = 0;
		/* fall through */
	case M_SUBREAPER:
		if (t.go[1] >= 0)
			poke(t.go[1]);
		break;
	case M_TRACER:
		lc_traced_by_other(&t);
		break;
	case M_TRACER_THREAD:
		we_reap = lc_traced_by_thread(&t, i == 0);
		break;
	default:
		break;
	}
	if (t.go[0] >= 0) {
		close(t.go[0]);
		close(t.go[1]);
	}
	lc_finish(&t, we_reap);
}

START_TEST(ending)
{
	lc_run(M_PLAIN, _i);
}
END_TEST

START_TEST(parent_sig_ign)
{
	lc_run(M_SIG_IGN, _i);
}
END_TEST

START_TEST(parent_nocldwait)
{
	lc_run(M_NOCLDWAIT, _i);
}
END_TEST

START_TEST(reparent_subreaper)
{
	lc_run(M_SUBREAPER, _i);
}
END_TEST

START_TEST(reparent_init)
{
	lc_run(M_INIT, _i);
}
END_TEST

START_TEST(traced_by_other)
{
	lc_run(M_TRACER, _i);
}
END_TEST

START_TEST(traced_by_parent_thread)
{
	lc_run(M_TRACER_THREAD, _i);
}
END_TEST

START_TEST(newpid_init)
{
	lc_run(M_NEWPID, _i);
}
END_TEST

START_TEST(clone_vfork)
{
	lc_run(M_VFORK, _i);
}
END_TEST

START_TEST(clone_vfork_vm)
{
	lc_run(M_VFORK_VM, _i);
}
END_TEST

/* The table is right: each shape ends so in a child made by fork(). */
START_TEST(fork_reference)
{
	struct lc t = { .shape = &lc_shapes[_i] };
	struct lc_arg a = { .go = -1, .shape = t.shape };
	pid_t pid;
	int st;

	snprintf(t.ctx, sizeof(t.ctx), "fork(), %s", t.shape->name);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		syscall(SYS_exit, lc_child(&a));
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	lc_assert_status(&t, "fork()'s", st);
	assert_no_children();
}
END_TEST

/*
 * Probe once, in the runner (an unchecked fixture): on 7.1+ the probe
 * leaves an autoreap child of the caller running for a moment, which a
 * test's "no child left" could see.  Each test inherits the answer.
 */
static void lc_probe(void)
{
	kernel_has_autoreap();
}

Suite *lifecycle_suite(void)
{
	Suite *s = suite_create("lifecycle");
	TCase *tc = tcase_create("lifecycle");

	tcase_add_unchecked_fixture(tc, lc_probe, NULL);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, fork_reference, 0, NSHAPES);
	tcase_add_loop_test(tc, ending, 0, lc_count(M_PLAIN));
	tcase_add_loop_test(tc, parent_sig_ign, 0, lc_count(M_SIG_IGN));
	tcase_add_loop_test(tc, parent_nocldwait, 0, lc_count(M_NOCLDWAIT));
	tcase_add_loop_test(tc, reparent_subreaper, 0, lc_count(M_SUBREAPER));
	tcase_add_loop_test(tc, reparent_init, 0, lc_count(M_INIT));
	tcase_add_loop_test(tc, traced_by_other, 0, lc_count(M_TRACER));
	tcase_add_loop_test(tc, traced_by_parent_thread, 0, lc_count(M_TRACER_THREAD));
	tcase_add_loop_test(tc, newpid_init, 0, lc_count(M_NEWPID));
	tcase_add_loop_test(tc, clone_vfork, 0, lc_count(M_VFORK));
	tcase_add_loop_test(tc, clone_vfork_vm, 0, lc_count(M_VFORK_VM));
	suite_add_tcase(s, tc);
	return s;
}
