// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * clonefd-stress - the hardening battery (issue 10), run as root in the test
 * VM with the module loaded.  Phases, in this order:
 *
 *  spawn    N spawns from T threads, a seeded random mix of flags
 *           (CLONE_FD, CLONE_AUTOREAP, exit signal SIGCHLD/0/SIGUSR1,
 *           O_CLOEXEC/O_NONBLOCK, CLONE_PARENT_SETTID, CLONE_CHILD_SETTID,
 *           CLONE_CLEAR_SIGHAND), child shapes (fork-like, fn on a copy of
 *           the stack, CLONE_VM on a stack of its own, CLONE_VM|CLONE_VFORK,
 *           each optionally exec()ing this program as a helper, 1-3 extra
 *           threads) and exit patterns (exit, return from fn, a fatal signal
 *           to itself, killed by the parent; with threads: a thread's
 *           exit_group, every thread exiting, a thread's kill, a non-leader
 *           exec, each optionally after the leader has exited).  Every
 *           record is checked against the pattern and against waitpid():
 *           for the child itself when it is waitable (and the record's CPU
 *           time against wait4()'s rusage), for an identical child made
 *           with fork()/clone() when it is autoreaped.
 *  kill     a (2-thread) process spawning back to back, SIGKILLed after a
 *           random 1-100 ms (wherever it is: in the ioctl, in CLONE_VFORK,
 *           reading a clonefd); its orphans come to us (child subreaper).
 *  vfork    a process SIGKILLed while suspended in CLONE_VFORK inside the
 *           ioctl (before or racing with its child's exit).
 *  recycle  in a new pid namespace: a dead child's pid handed to a new
 *           process (ns_last_pid) while its clonefd is open; the clonefd
 *           keeps the old record, the new process is unaffected.
 *  poll     the spawn/kill/poll loop of the kernel's pidfd_poll_test, on
 *           clonefds.
 *  leaks    tracked count back to its baseline (FAILS if the module has no
 *           tracked parameter), refcnt baseline, no zombie, descriptor count
 *           unchanged.
 *  rmmod    delete_module(O_NONBLOCK) in a loop while two threads open
 *           /dev/clonefd, spawn and close: always refused (EWOULDBLOCK,
 *           EBUSY) or a clean unload, never a crash.  Last, because a
 *           module unloaded in the guest cannot be loaded again.
 *
 * Seeded: --seed S replays the same choices (thread interleavings aside);
 * the seed is printed first.  Ends with
 *   stress: N spawns, M mismatches, L leaks, S s
 * and exits 0 only if M, L and every other failure count are 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <clonefd.h>

#include "common.h"

#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND	0x100000000ULL
#endif

enum shape { SH_FORK, SH_FN, SH_VM, SH_VFORK, NR_SHAPES };
static const char *const shape_names[] = { "fork", "fn", "vm+stack", "vfork" };

enum pattern {
	P_EXIT,		/* exit_group(code) */
	P_RETURN,	/* fn returns code (SYS_exit of its only thread) */
	P_SIGNAL,	/* kill(getpid(), sig) */
	P_PKILL,	/* pauses; the parent sends sig */
	P_MT_GROUP,	/* a thread calls exit_group(code) */
	P_MT_ALL,	/* every thread SYS_exit()s with code (the status is the
			   code of whichever thread exits last: all the same) */
	P_MT_KILL,	/* a thread sends sig to the process */
	P_MT_EXEC,	/* a non-leader thread execs a helper that exits code */
	NR_PATTERNS
};
static const char *const pattern_names[] = {
	"exit", "return", "signal", "parent-kill", "mt-exit_group", "mt-all-exit",
	"mt-kill", "mt-exec",
};

struct plan {
	uint64_t flags;
	unsigned fdflags;
	int shape, exec, threads, pattern, code, sig, leader_first, own_stack;
	char arg[48], arg2[48];		/* helper arguments: plan, then mt-exec's */
	char *argv[4], *argv2[4];
};

static char self_exe[256];
static char *empty_env[] = { NULL };
static char child_opt[] = "--child";

/* --- the child: raw system calls only (a fork of a threaded process) --- */

static __attribute__((noreturn)) void die_exit(int code)
{
	for (;;)
		syscall(SYS_exit_group, code);
}

static __attribute__((noreturn)) void thread_exit(int code)
{
	for (;;)
		syscall(SYS_exit, code);
}

static __attribute__((noreturn)) void pause_forever(void)
{
	for (;;)
		syscall(SYS_pause);
}

static void kill_self(int sig)
{
	syscall(SYS_kill, syscall(SYS_getpid), sig);
}

struct mt {
	const struct plan *p;
	volatile int leader_alive;	/* cleared by the kernel at the leader's exit */
	volatile int *go;		/* set once every thread exists */
	int idx;
};

#define MAX_THREADS	3
#define THREAD_STACK	(64 * 1024)

static void wait_leader_gone(struct mt *m)
{
	while (m->leader_alive)
		syscall(SYS_futex, &m->leader_alive, FUTEX_WAIT, 1, NULL, NULL, 0);
}

static int mt_thread(void *arg)
{
	struct mt *m = arg;
	const struct plan *p = m->p;

	/* nobody acts before every thread exists (an exec would cut it short) */
	while (!*m->go)
		syscall(SYS_futex, m->go, FUTEX_WAIT, 0, NULL, NULL, 0);
	if (m->idx != 0) {
		if (p->pattern == P_MT_ALL)
			thread_exit(p->code);
		pause_forever();
	}
	if (p->leader_first)
		wait_leader_gone(m);
	switch (p->pattern) {
	case P_MT_GROUP:
		die_exit(p->code);
	case P_MT_ALL:
		thread_exit(p->code);
	case P_MT_KILL:
		kill_self(p->sig);
		pause_forever();
	case P_MT_EXEC:
		syscall(SYS_execve, self_exe, p->argv2, empty_env);
		die_exit(125);
	}
	die_exit(124);
}

static __attribute__((noreturn)) void mt_run(const struct plan *p)
{
	struct mt m[MAX_THREADS];
	volatile int go = 0;
	int i;

	for (i = 0; i < p->threads; i++) {
		void *stack = mmap(NULL, THREAD_STACK, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

		if (stack == MAP_FAILED)
			die_exit(123);
		m[i].p = p;
		m[i].idx = i;
		m[i].go = &go;
		m[i].leader_alive = 1;
		if (clone(mt_thread, (char *)stack + THREAD_STACK,
			  CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			  CLONE_THREAD | CLONE_SYSVSEM, &m[i]) < 0) {
			char msg[] = "stress: child: thread creation failed: errno 000\n";
			int e = errno;

			msg[sizeof(msg) - 5] = '0' + e / 100 % 10;
			msg[sizeof(msg) - 4] = '0' + e / 10 % 10;
			msg[sizeof(msg) - 3] = '0' + e % 10;
			syscall(SYS_write, 1, msg, sizeof(msg) - 1);
			die_exit(122);
		}
	}
	go = 1;
	syscall(SYS_futex, &go, FUTEX_WAKE, MAX_THREADS, NULL, NULL, 0);
	if (p->leader_first || p->pattern == P_MT_ALL) {
		/* thread 0 waits on this word, cleared and woken at our exit */
		syscall(SYS_set_tid_address, &m[0].leader_alive);
		thread_exit(p->pattern == P_MT_ALL ? p->code : 0);
	}
	pause_forever();
}

static int child_run(const struct plan *p)
{
	if (p->exec) {
		syscall(SYS_execve, self_exe, p->argv, empty_env);
		die_exit(127);
	}
	if (p->threads)
		mt_run(p);
	switch (p->pattern) {
	case P_EXIT:
		die_exit(p->code);
	case P_RETURN:
		return p->code;
	case P_SIGNAL:
		kill_self(p->sig);
		die_exit(121);
	case P_PKILL:
		pause_forever();
	}
	die_exit(120);
}

static int child_fn(void *arg)
{
	return child_run(arg);
}

/* Builds the helper argument vectors from the plan's fields. */
static void plan_finish(struct plan *p)
{
	snprintf(p->arg, sizeof(p->arg), "%d:%d:%d:%d:%d", p->pattern == P_RETURN ? P_EXIT : p->pattern,
		 p->code, p->sig, p->threads, p->leader_first);
	snprintf(p->arg2, sizeof(p->arg2), "%d:%d:0:0:0", P_EXIT, p->code);
	p->argv[0] = self_exe;
	p->argv[1] = child_opt;
	p->argv[2] = p->arg;
	p->argv[3] = NULL;
	p->argv2[0] = self_exe;
	p->argv2[1] = child_opt;
	p->argv2[2] = p->arg2;
	p->argv2[3] = NULL;
}

/* The exec'd helper: runs the plan in a fresh process. */
static int helper_main(const char *arg)
{
	struct plan p = { 0 };

	if (sscanf(arg, "%d:%d:%d:%d:%d", &p.pattern, &p.code, &p.sig, &p.threads,
		   &p.leader_first) != 5)
		return 119;
	plan_finish(&p);
	return child_run(&p);
}

/* --- the spawn battery --- */

struct record {
	int code, status;
};

static const char *code_name(int code)
{
	switch (code) {
	case CLD_EXITED:	return "exited";
	case CLD_KILLED:	return "killed";
	case CLD_DUMPED:	return "dumped";
	}
	return "?";
}

static struct record from_wstatus(int st)
{
	struct record r = { 0, -1 };

	if (WIFEXITED(st)) {
		r.code = CLD_EXITED;
		r.status = WEXITSTATUS(st);
	} else if (WIFSIGNALED(st)) {
		r.code = WCOREDUMP(st) ? CLD_DUMPED : CLD_KILLED;
		r.status = WTERMSIG(st);
	}
	return r;
}

static struct record expected(const struct plan *p)
{
	struct record r = { CLD_EXITED, p->code };

	if (p->pattern == P_SIGNAL || p->pattern == P_PKILL || p->pattern == P_MT_KILL) {
		r.code = CLD_KILLED;
		r.status = p->sig;
	}
	return r;
}

struct stats {
	long spawns, fd, autoreap, twins, waited, exec, threaded, mismatches, errors;
	long shape[NR_SHAPES], pattern[NR_PATTERNS];
};

struct worker {
	int idx;
	long todo;
	struct rng rng;
	pthread_t th;
	char *stack, *twin_stack;
	pid_t ctid;
	struct stats st;
};

#define CHILD_STACK	(64 * 1024)

static int poll_timeout_ms = 60000;
static struct stats total;
static pthread_mutex_t total_lock = PTHREAD_MUTEX_INITIALIZER;

static void describe(const struct plan *p, char *buf, size_t len)
{
	snprintf(buf, len, "flags %#llx fdflags %#x shape %s%s threads %d pattern %s%s code %d sig %d",
		 (unsigned long long)p->flags, p->fdflags, shape_names[p->shape],
		 p->exec ? "+exec" : "", p->threads, pattern_names[p->pattern],
		 p->leader_first ? " (leader first)" : "", p->code, p->sig);
}

static void mismatch(struct worker *w, const struct plan *p, const char *what,
		     struct record got, struct record want)
{
	char d[256];

	describe(p, d, sizeof(d));
	w->st.mismatches++;
	fail("%s: %s %d, expected %s %d [%s]", what, code_name(got.code), got.status,
	     code_name(want.code), want.status, d);
}

static const int fatal_sigs[] = { SIGKILL, SIGTERM, SIGSEGV, SIGABRT, SIGQUIT, SIGUSR2,
				  SIGHUP, SIGALRM, SIGBUS, SIGFPE };

static void gen_plan(struct worker *w, struct plan *p)
{
	struct rng *r = &w->rng;
	int untrackable;

	memset(p, 0, sizeof(*p));
	if (rng_pct(r, 85))
		p->flags |= CLONE_FD;
	if (rng_pct(r, 50)) {
		p->flags |= CLONE_AUTOREAP;
	} else {
		static const int sigs[] = { SIGCHLD, SIGCHLD, SIGCHLD, 0, SIGUSR1 };

		p->flags |= sigs[rng_below(r, 5)];
	}
	if (p->flags & CLONE_FD)
		p->fdflags = (rng_pct(r, 50) ? O_CLOEXEC : 0) | (rng_pct(r, 30) ? O_NONBLOCK : 0);
	if (rng_pct(r, 20))
		p->flags |= CLONE_PARENT_SETTID;
	if (rng_pct(r, 10))
		p->flags |= CLONE_CLEAR_SIGHAND;
	/* an autoreaped child without a clonefd: nothing tells when it is gone */
	untrackable = (p->flags & CLONE_AUTOREAP) && !(p->flags & CLONE_FD);

	p->shape = rng_below(r, NR_SHAPES);
	if (p->shape == SH_VM && untrackable)
		p->shape = SH_FN;
	p->exec = rng_pct(r, 15);
	if (p->shape == SH_VM || p->shape == SH_VFORK) {
		p->flags |= CLONE_VM | (p->shape == SH_VFORK ? CLONE_VFORK : 0);
		p->own_stack = p->shape == SH_VM || rng_pct(r, 50);
		if (rng_pct(r, 30))
			p->flags |= CLONE_CHILD_SETTID;
	}
	/* threads: in a process with memory of its own, or after exec */
	if ((p->shape == SH_FORK || p->shape == SH_FN || p->exec) && rng_pct(r, 25))
		p->threads = 1 + rng_below(r, MAX_THREADS);
	if (p->threads) {
		p->pattern = P_MT_GROUP + rng_below(r, 4);
		p->leader_first = rng_pct(r, 50);
	} else {
		p->pattern = rng_below(r, 4);
		if (p->pattern == P_RETURN && (p->shape == SH_FORK || p->exec))
			p->pattern = P_EXIT;
		/* a vfork parent is suspended until the child execs or exits */
		if (p->pattern == P_PKILL && p->shape == SH_VFORK && !p->exec)
			p->pattern = P_EXIT;
	}
	p->code = rng_below(r, 256);
	if (p->pattern == P_PKILL)
		p->sig = rng_pct(r, 70) ? SIGKILL : SIGTERM;
	else
		p->sig = fatal_sigs[rng_below(r, sizeof(fatal_sigs) / sizeof(fatal_sigs[0]))];
	plan_finish(p);
}

/* An identical child without clonefd: fork() or glibc's clone(). */
static pid_t twin_spawn(struct worker *w, const struct plan *p)
{
	char *top = w->twin_stack + CHILD_STACK;
	pid_t pid;

	switch (p->shape) {
	case SH_FORK:
		pid = fork();
		if (pid == 0)
			die_exit(child_run(p));
		return pid;
	case SH_FN:
		return clone(child_fn, top, SIGCHLD, (void *)p);
	case SH_VM:
		return clone(child_fn, top, CLONE_VM | SIGCHLD, (void *)p);
	default:
		return clone(child_fn, top, CLONE_VM | CLONE_VFORK | SIGCHLD, (void *)p);
	}
}

static int read_record(struct worker *w, const struct plan *p, int cfd, pid_t pid,
		       struct clonefd_info *info)
{
	struct pollfd pfd = { .fd = cfd, .events = POLLIN };
	struct clonefd_info again;
	char d[256];
	ssize_t n;
	int ret;

	/* a blocking read waits for the exit itself; else poll first */
	if ((p->fdflags & O_NONBLOCK) || rng_pct(&w->rng, 50)) {
		do
			ret = poll(&pfd, 1, poll_timeout_ms);
		while (ret < 0 && errno == EINTR);
		if (ret != 1 || !(pfd.revents & POLLIN)) {
			describe(p, d, sizeof(d));
			fail("clonefd of %d not readable after %d ms (poll %d, revents %#x) [%s]",
			     pid, poll_timeout_ms, ret, pfd.revents, d);
			w->st.errors++;
			kill(pid, SIGKILL);
			return -1;
		}
	}
	do
		n = read(cfd, info, sizeof(*info));
	while (n < 0 && errno == EINTR);
	if (n != sizeof(*info)) {
		fail("read clonefd: %zd (%s)", n, strerror(errno));
		w->st.errors++;
		return -1;
	}
	/* every read returns the same record; a short buffer is EINVAL */
	if (rng_pct(&w->rng, 10)) {
		if (read(cfd, &again, sizeof(again)) != sizeof(again) ||
		    memcmp(&again, info, sizeof(again))) {
			fail("second read of clonefd differs");
			w->st.errors++;
		}
		if (read(cfd, &again, sizeof(again) - 1) != -1 || errno != EINVAL) {
			fail("short read of clonefd: not EINVAL");
			w->st.errors++;
		}
	}
	return 0;
}

static void run_one(struct worker *w, const struct plan *p)
{
	struct clone4_args a = { 0 };
	struct clonefd_info info;
	struct record want = expected(p), got, rec = { 0 };
	struct rusage ru;
	int cfd = -1, st, have_rec = 0;
	pid_t pid, ptid = 0, r;
	char d[256];

	if (p->flags & CLONE_FD) {
		a.clonefd = &cfd;
		a.clonefd_flags = p->fdflags;
	}
	if (p->flags & CLONE_PARENT_SETTID)
		a.ptid = &ptid;
	w->ctid = 0;
	if (p->flags & CLONE_CHILD_SETTID)
		a.ctid = &w->ctid;
	if (p->own_stack) {
		a.stack_start = (unsigned long)w->stack;
		a.stack_size = CHILD_STACK;
	}
	pid = clone4(p->flags, sizeof(a), &a, p->shape == SH_FORK ? NULL : child_fn, (void *)p);
	if (pid == 0)
		die_exit(child_run(p));
	if (pid < 0) {
		describe(p, d, sizeof(d));
		fail("clone4: %s [%s]", clonefd_strerror(errno), d);
		w->st.errors++;
		return;
	}
	w->st.spawns++;
	w->st.shape[p->shape]++;
	w->st.pattern[p->pattern]++;
	w->st.fd += !!(p->flags & CLONE_FD);
	w->st.autoreap += !!(p->flags & CLONE_AUTOREAP);
	w->st.exec += p->exec;
	w->st.threaded += !!p->threads;
	if ((p->flags & CLONE_PARENT_SETTID) && ptid != pid) {
		fail("CLONE_PARENT_SETTID stored %d, pid %d", ptid, pid);
		w->st.errors++;
	}
	if (p->pattern == P_PKILL)
		kill(pid, p->sig);

	if (p->flags & CLONE_FD) {
		if (read_record(w, p, cfd, pid, &info) == 0) {
			rec.code = info.code;
			rec.status = info.status;
			have_rec = 1;
			if (rec.code != want.code || rec.status != want.status)
				mismatch(w, p, "record", rec, want);
		}
	}
	/*
	 * (A child SIGKILLed at birth may die before its CLONE_CHILD_SETTID
	 * write lands: put_user() gives up on a fault with a fatal signal
	 * pending, and our pages are copy-on-write after other forks.)
	 */
	if ((p->flags & CLONE_CHILD_SETTID) && have_rec && p->pattern != P_PKILL &&
	    w->ctid != pid) {
		describe(p, d, sizeof(d));
		fail("CLONE_CHILD_SETTID stored %d, pid %d [%s]", w->ctid, pid, d);
		w->st.errors++;
	}

	if (!(p->flags & CLONE_AUTOREAP)) {
		do
			r = wait4(pid, &st, __WALL, &ru);
		while (r < 0 && errno == EINTR);
		if (r != pid) {
			fail("wait4(%d): %d (%s)", pid, r, strerror(errno));
			w->st.errors++;
		} else {
			w->st.waited++;
			got = from_wstatus(st);
			if (got.code != want.code || got.status != want.status)
				mismatch(w, p, "waitpid", got, want);
			if (have_rec && (got.code != rec.code || got.status != rec.status))
				mismatch(w, p, "record vs waitpid", rec, got);
			if (have_rec) {
				uint64_t ns = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
					      (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;

				/* the record is taken at exit, rusage at reap */
				if (info.utime + info.stime > ns + 2000) {
					describe(p, d, sizeof(d));
					fail("record CPU time %llu ns > rusage %llu ns [%s]",
					     (unsigned long long)(info.utime + info.stime),
					     (unsigned long long)ns, d);
					w->st.errors++;
				}
			}
		}
	} else {
		/* never waitable; once its record was readable, gone */
		r = waitpid(pid, &st, WNOHANG | __WALL);
		if (r == pid || (r < 0 && errno != ECHILD)) {
			fail("waitpid on autoreaped child %d: %d (%s)", pid, r, strerror(errno));
			w->st.errors++;
		}
		if (have_rec && (kill(pid, 0) == 0 || errno != ESRCH)) {
			describe(p, d, sizeof(d));
			fail("autoreaped child %d still exists after its clonefd was readable [%s]",
			     pid, d);
			w->st.errors++;
		}
		if (have_rec) {
			pid_t t = twin_spawn(w, p);

			if (t < 0) {
				fail("twin: %s", strerror(errno));
				w->st.errors++;
			} else {
				if (p->pattern == P_PKILL)
					kill(t, p->sig);
				do
					r = waitpid(t, &st, 0);
				while (r < 0 && errno == EINTR);
				w->st.twins++;
				got = from_wstatus(st);
				if (r != t) {
					fail("waitpid(twin %d): %s", t, strerror(errno));
					w->st.errors++;
				} else if (got.code != rec.code || got.status != rec.status) {
					mismatch(w, p, "record vs twin's waitpid", rec, got);
				}
			}
		}
	}
	if (cfd >= 0)
		close(cfd);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct plan p;
	long i;

	for (i = 0; i < w->todo; i++) {
		gen_plan(w, &p);
		run_one(w, &p);
	}
	return NULL;
}

static void add_stats(struct stats *t, const struct stats *s)
{
	int i;

	t->spawns += s->spawns;
	t->fd += s->fd;
	t->autoreap += s->autoreap;
	t->twins += s->twins;
	t->waited += s->waited;
	t->exec += s->exec;
	t->threaded += s->threaded;
	t->mismatches += s->mismatches;
	t->errors += s->errors;
	for (i = 0; i < NR_SHAPES; i++)
		t->shape[i] += s->shape[i];
	for (i = 0; i < NR_PATTERNS; i++)
		t->pattern[i] += s->pattern[i];
}

static void phase_spawn(uint64_t seed, long n, int nthreads)
{
	struct worker *w = calloc(nthreads, sizeof(*w));
	double t0 = now_s();
	int i;

	for (i = 0; i < nthreads; i++) {
		w[i].idx = i;
		w[i].todo = n / nthreads + (i < n % nthreads);
		rng_seed(&w[i].rng, seed, 100 + i);
		w[i].stack = mmap(NULL, 2 * CHILD_STACK, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (w[i].stack == MAP_FAILED) {
			perror("mmap");
			exit(2);
		}
		w[i].twin_stack = w[i].stack + CHILD_STACK;
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i])) {
			perror("pthread_create");
			exit(2);
		}
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].th, NULL);
		pthread_mutex_lock(&total_lock);
		add_stats(&total, &w[i].st);
		pthread_mutex_unlock(&total_lock);
		munmap(w[i].stack, 2 * CHILD_STACK);
	}
	free(w);
	say("spawn: %ld spawns (%ld with CLONE_FD, %ld CLONE_AUTOREAP, %ld exec, %ld multi-threaded), "
	    "%ld waitpid-checked, %ld twin-checked, %ld mismatches, %ld errors, %.1f s",
	    total.spawns, total.fd, total.autoreap, total.exec, total.threaded, total.waited,
	    total.twins, total.mismatches, total.errors, now_s() - t0);
	say("spawn: shapes fork %ld, fn %ld, vm+stack %ld, vfork %ld", total.shape[SH_FORK],
	    total.shape[SH_FN], total.shape[SH_VM], total.shape[SH_VFORK]);
	say("spawn: patterns exit %ld, return %ld, signal %ld, parent-kill %ld, mt-exit_group %ld, "
	    "mt-all-exit %ld, mt-kill %ld, mt-exec %ld", total.pattern[P_EXIT],
	    total.pattern[P_RETURN], total.pattern[P_SIGNAL], total.pattern[P_PKILL],
	    total.pattern[P_MT_GROUP], total.pattern[P_MT_ALL], total.pattern[P_MT_KILL],
	    total.pattern[P_MT_EXEC]);
}

/* --- SIGKILL while inside the ioctl --- */

static int quick_child(void *arg)
{
	return (int)(intptr_t)arg;
}

static void *kill_spawner(void *arg)
{
	struct rng r;
	int cfds[32], n = 0;
	char *stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

	rng_seed(&r, (uint64_t)(uintptr_t)arg, 7);
	for (;;) {
		struct clone4_args a = { 0 };
		uint64_t flags = rng_pct(&r, 50) ? CLONE_AUTOREAP : SIGCHLD;
		int cfd = -1;

		switch (rng_below(&r, 3)) {
		case 1:
			flags |= CLONE_VM | CLONE_VFORK;
			break;
		case 2:
			/* the clonefd tells when the stack is free again */
			flags |= CLONE_VM | CLONE_FD;
			a.stack_start = (unsigned long)stack;
			a.stack_size = CHILD_STACK;
			break;
		}
		if (rng_pct(&r, 70))
			flags |= CLONE_FD;
		if (flags & CLONE_FD)
			a.clonefd = &cfd;
		if (clone4(flags, sizeof(a), &a, quick_child, (void *)(intptr_t)3) > 0 && cfd >= 0) {
			if (n == 32) {
				while (n)
					close(cfds[--n]);
			}
			cfds[n++] = cfd;
		}
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			;
		/* a CLONE_VM child may still run on the stack: let it exit */
		if (a.stack_start && cfd >= 0)
			poll(&(struct pollfd){ .fd = cfd, .events = POLLIN }, 1, -1);
	}
	return NULL;
}

static void phase_kill(uint64_t seed, long rounds, long tracked0, long refcnt0, int fds0,
		       long *leaks)
{
	struct rng r;
	double t0 = now_s();
	long i, orphans = 0;
	int st, n;

	rng_seed(&r, seed, 2);
	for (i = 0; i < rounds; i++) {
		uint64_t s = rng_next(&r);
		pid_t p = fork();

		if (p == 0) {
			pthread_t th;

			pthread_create(&th, NULL, kill_spawner, (void *)(uintptr_t)(s ^ 1));
			kill_spawner((void *)(uintptr_t)s);
		}
		usleep(1000 + rng_below(&r, 100000));
		kill(p, SIGKILL);
		if (waitpid(p, &st, 0) != p || !WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
			fail("kill: spawner %d did not die of SIGKILL (status %#x)", p, st);
		n = reap_all(5000);
		if (n < 0)
			fail("kill: orphans still alive 5 s after their parent was killed");
		else
			orphans += n;
	}
	say("kill: %ld spawning processes SIGKILLed, %ld orphans reaped, %.1f s", rounds, orphans,
	    now_s() - t0);
	*leaks += leak_check("kill", tracked0, refcnt0, fds0, 0);
}

/* --- SIGKILL while suspended in CLONE_VFORK --- */

struct vfork_arg {
	int ready, go;
};

static int vfork_child(void *arg)
{
	struct vfork_arg *v = arg;
	char c = 0;

	if (syscall(SYS_write, v->ready, &c, 1) != 1)
		return 1;
	if (syscall(SYS_read, v->go, &c, 1) < 0)	/* a byte or EOF */
		return 2;
	return 42;
}

static void phase_vfork(uint64_t seed, long rounds, long tracked0, long refcnt0, int fds0,
			long *leaks)
{
	struct rng r;
	double t0 = now_s();
	long i, reaped = 0;

	rng_seed(&r, seed, 3);
	for (i = 0; i < rounds; i++) {
		int ready[2], go[2], st, race = rng_pct(&r, 50);
		int autoreap = rng_pct(&r, 50);
		struct vfork_arg v;
		pid_t p, c;
		char ch;

		if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC)) {
			perror("pipe2");
			exit(2);
		}
		v.ready = ready[1];
		v.go = go[0];
		p = fork();
		if (p == 0) {
			int cfd;
			struct clone4_args a = { .clonefd = &cfd };

			/* the child must see EOF once we close go[1] */
			close(go[1]);
			close(ready[0]);
			clone4(CLONE_VM | CLONE_VFORK | CLONE_FD |
			       (autoreap ? CLONE_AUTOREAP : SIGCHLD), sizeof(a), &a, vfork_child, &v);
			pause_forever();	/* (the race may let us get here) */
		}
		close(ready[1]);
		close(go[0]);
		if (read(ready[0], &ch, 1) != 1)
			fail("vfork: child never started");
		if (race) {
			/* child exit and parent kill at the same moment */
			close(go[1]);
			kill(p, SIGKILL);
		} else {
			kill(p, SIGKILL);
			if (waitpid(p, &st, 0) != p)
				fail("vfork: waitpid(parent)");
			close(go[1]);
		}
		if (race && waitpid(p, &st, 0) != p)
			fail("vfork: waitpid(parent)");
		if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
			fail("vfork: parent not killed by SIGKILL (status %#x)", st);
		close(ready[0]);
		/* the orphan (reparented to us unless autoreaped) exits 42 */
		while ((c = waitpid(-1, &st, __WALL)) > 0) {
			reaped++;
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 42)
				fail("vfork: orphan %d status %#x, expected exit 42", c, st);
		}
	}
	say("vfork: %ld parents SIGKILLed in CLONE_VFORK, %ld orphans reaped, %.1f s", rounds,
	    reaped, now_s() - t0);
	*leaks += leak_check("vfork", tracked0, refcnt0, fds0, 0);
}

/* --- pid recycling in a fresh pid namespace --- */

/* The new process: waits for EOF on the pipe, then exits with rc_code. */
static int rc_pipe[2], rc_code;

static int recycled_child(void *arg)
{
	char c;

	(void)arg;
	close(rc_pipe[1]);
	if (read(rc_pipe[0], &c, 1) < 0)
		return 98;
	return rc_code;
}

static int set_last_pid(pid_t pid)
{
	char buf[32];
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC), n, ok;

	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d", pid);
	ok = write(fd, buf, n) == n;
	close(fd);
	return ok ? 0 : -1;
}

static int check_cfd(int cfd, int code, int status, const char *what, pid_t pid, int wait_ms)
{
	struct pollfd pfd = { .fd = cfd, .events = POLLIN };
	struct clonefd_info info;

	if (poll(&pfd, 1, wait_ms) != 1 || !(pfd.revents & POLLIN)) {
		fail("recycle: %s clonefd of %d not readable", what, pid);
		return 1;
	}
	if (read(cfd, &info, sizeof(info)) != sizeof(info) ||
	    (int)info.code != code || (int)info.status != status) {
		fail("recycle: %s clonefd of %d: %s %u, expected %s %d", what, pid,
		     code_name(info.code), info.status, code_name(code), status);
		return 1;
	}
	return 0;
}

static long recycle_retries;
static int no_last_pid;

/* Runs as pid 1 of a new pid namespace; returns the number of failures. */
static int recycle_ns(uint64_t seed, long rounds)
{
	struct rng r;
	long i;
	int bad = 0;

	rng_seed(&r, seed, 4);
	no_last_pid = access("/proc/sys/kernel/ns_last_pid", W_OK) != 0;
	if (no_last_pid)
		say("recycle: no ns_last_pid; the new process comes from clone3(set_tid), "
		    "without a clonefd of its own");
	for (i = 0; i < rounds; i++) {
		int autoreap = rng_pct(&r, 50), b_fd = rng_pct(&r, 70), b_kill = rng_pct(&r, 50);

		if (no_last_pid)
			b_fd = 0;
		int a_code = rng_below(&r, 256), b_code = (a_code + 1 + rng_below(&r, 255)) & 0xff;
		struct clone4_args a = { 0 };
		int cfd_a = -1, cfd_b = -1, st, j;
		pid_t pa, pb;

		a.clonefd = &cfd_a;
		pa = clone4(CLONE_FD | (autoreap ? CLONE_AUTOREAP : SIGCHLD), sizeof(a), &a,
			    quick_child, (void *)(intptr_t)a_code);
		if (pa < 0) {
			fail("recycle: clone4: %s", strerror(errno));
			return bad + 1;
		}
		bad += check_cfd(cfd_a, CLD_EXITED, a_code, "old", pa, poll_timeout_ms);
		if (!autoreap && waitpid(pa, &st, 0) != pa)
			bad++, fail("recycle: waitpid(%d)", pa);
		for (j = 0; j < 200 && kill(pa, 0) == 0; j++)
			usleep(10000);	/* on a module that reports before the release */

		/*
		 * The number itself may be freed a moment after the process
		 * became unreachable (7.x frees pids after dropping the
		 * tasklist lock): try again for up to 2 s.
		 */
		for (j = 0; j < 200; j++) {
			if (pipe2(rc_pipe, O_CLOEXEC) || (!no_last_pid && set_last_pid(pa - 1))) {
				fail("recycle: ns_last_pid: %s", strerror(errno));
				return bad + 1;
			}
			rc_code = b_code;
			if (no_last_pid) {
				/* no ns_last_pid (CHECKPOINT_RESTORE=n): clone3's set_tid */
				pid_t tid = pa;
				struct clone_args ca = {
					.exit_signal = SIGCHLD,
					.set_tid = (uintptr_t)&tid,
					.set_tid_size = 1,
				};

				pb = syscall(SYS_clone3, &ca, sizeof(ca));
				if (pb == 0)
					_exit(recycled_child(NULL));
			} else if (b_fd) {
				struct clone4_args b = { .clonefd = &cfd_b };

				pb = clone4(CLONE_FD | SIGCHLD, sizeof(b), &b, recycled_child, NULL);
			} else {
				pb = fork();
				if (pb == 0)
					_exit(recycled_child(NULL));
			}
			if (pb == pa || pb < 0)
				break;
			kill(pb, SIGKILL);
			waitpid(pb, &st, 0);
			close(rc_pipe[0]);
			close(rc_pipe[1]);
			if (cfd_b >= 0)
				close(cfd_b);
			cfd_b = -1;
			recycle_retries++;
			usleep(10000);
		}
		if (pb != pa) {
			fail("recycle: new process got pid %d, not the recycled %d", pb, pa);
			bad++;
		}
		/* the old clonefd is untouched by the new process */
		bad += check_cfd(cfd_a, CLD_EXITED, a_code, "old (pid reused)", pa, 0);
		if (cfd_b >= 0 && poll(&(struct pollfd){ .fd = cfd_b, .events = POLLIN }, 1, 0) != 0) {
			fail("recycle: clonefd of the live new process %d readable", pb);
			bad++;
		}
		if (b_kill)
			kill(pb, SIGKILL);
		close(rc_pipe[1]);
		if (waitpid(pb, &st, 0) != pb) {
			fail("recycle: waitpid(new %d)", pb);
			bad++;
		} else if (b_kill ? !WIFSIGNALED(st) : (!WIFEXITED(st) || WEXITSTATUS(st) != b_code)) {
			fail("recycle: new process %d status %#x", pb, st);
			bad++;
		}
		if (cfd_b >= 0)
			bad += check_cfd(cfd_b, b_kill ? CLD_KILLED : CLD_EXITED,
					 b_kill ? SIGKILL : b_code, "new", pb, 0);
		bad += check_cfd(cfd_a, CLD_EXITED, a_code, "old (after the new exited)", pa, 0);
		close(rc_pipe[0]);
		if (i == rounds - 1)
			say("recycle: %ld retries until the number was free again", recycle_retries);
		close(cfd_a);
		if (cfd_b >= 0)
			close(cfd_b);
	}
	return bad;
}

static void phase_recycle(uint64_t seed, long rounds, long tracked0, long refcnt0, int fds0,
			  long *leaks)
{
	double t0 = now_s();
	pid_t ns;
	int st;

	ns = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, NULL, NULL, 0);
	if (ns == 0)
		_exit(recycle_ns(seed, rounds) ? 1 : 0);
	if (ns < 0) {
		fail("recycle: clone(CLONE_NEWPID): %s", strerror(errno));
		return;
	}
	if (waitpid(ns, &st, 0) != ns || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fail("recycle: namespace init status %#x", st);
		/* its failures were counted in its own copy of the counter */
	}
	say("recycle: %ld pids recycled under an open clonefd, %.1f s", rounds, now_s() - t0);
	*leaks += leak_check("recycle", tracked0, refcnt0, fds0, 0);
}

/* --- the pidfd_poll_test loop --- */

static void phase_poll(uint64_t seed, long rounds, long tracked0, long refcnt0, int fds0,
		       long *leaks)
{
	struct rng r;
	double t0 = now_s();
	long i, bad = 0;

	rng_seed(&r, seed, 5);
	for (i = 0; i < rounds; i++) {
		int autoreap = rng_pct(&r, 50), cfd = -1, n, st;
		struct clone4_args a = { .clonefd = &cfd };
		struct pollfd pfd;
		struct clonefd_info info;
		pid_t pid;

		pid = clone4(CLONE_FD | (autoreap ? CLONE_AUTOREAP : SIGCHLD), sizeof(a), &a, NULL, NULL);
		if (pid == 0)
			pause_forever();	/* "sleeps for a min and exits" */
		if (pid < 0) {
			fail("poll: clone4: %s", strerror(errno));
			bad++;
			continue;
		}
		kill(pid, SIGKILL);
		pfd.fd = cfd;
		pfd.events = POLLIN;
		do
			n = poll(&pfd, 1, poll_timeout_ms);
		while (n < 0 && errno == EINTR);
		if (n != 1 || !(pfd.revents & POLLIN)) {
			fail("poll: round %ld: poll %d revents %#x: child %d not seen dead", i, n,
			     pfd.revents, pid);
			bad++;
		} else if (read(cfd, &info, sizeof(info)) != sizeof(info) ||
			   info.code != CLD_KILLED || info.status != SIGKILL) {
			fail("poll: round %ld: record %s %u, expected killed 9", i,
			     code_name(info.code), info.status);
			bad++;
		}
		if (!autoreap && waitpid(pid, &st, 0) != pid) {
			fail("poll: waitpid(%d): %s", pid, strerror(errno));
			bad++;
		}
		close(cfd);
	}
	say("poll: %ld spawn/kill/poll rounds, %ld failures, %.1f s", rounds, bad, now_s() - t0);
	*leaks += leak_check("poll", tracked0, refcnt0, fds0, 0);
}

/* --- rmmod in a loop while spawning --- */

static volatile int rmmod_stop;
static volatile int module_gone;

struct rm_spawner {
	struct rng r;
	long spawns, open_failures;
	pthread_t th;
};

static void *rmmod_spawner(void *arg)
{
	struct rm_spawner *s = arg;

	while (!rmmod_stop) {
		int fd = open("/dev/clonefd", O_RDWR | O_CLOEXEC), cfd = -1, st;
		struct clonefd_clone4_args a = { 0 };
		struct clonefd_info info;
		long pid;

		if (fd < 0) {
			s->open_failures++;
			if (module_gone)
				break;
			sched_yield();
			continue;
		}
		switch (rng_below(&s->r, 3)) {
		case 0:
			a.flags = CLONE_FD | SIGCHLD;
			break;
		case 1:
			a.flags = CLONE_FD | CLONE_AUTOREAP;
			break;
		default:
			a.flags = CLONE_AUTOREAP;
		}
		if (a.flags & CLONE_FD)
			a.clonefd = (uintptr_t)&cfd;
		pid = ioctl(fd, CLONEFD_IOC_CLONE4, &a);
		if (pid == 0)
			_exit(5);	/* fork-like child: its own copy of the stack */
		close(fd);
		if (pid < 0) {
			fail("rmmod: ioctl: %s", strerror(errno));
			continue;
		}
		s->spawns++;
		if (cfd >= 0) {
			if (read(cfd, &info, sizeof(info)) != sizeof(info) || info.code != CLD_EXITED ||
			    info.status != 5)
				fail("rmmod: bad record for %ld", pid);
			close(cfd);
		}
		if (!(a.flags & CLONE_AUTOREAP))
			waitpid(pid, &st, 0);
	}
	return NULL;
}

static void phase_rmmod(uint64_t seed, long rounds, long *leaks)
{
	struct rm_spawner s[2];
	struct rng r;
	double t0 = now_s();
	long i, refused = 0, unloaded_at = -1;
	int j;

	close_device_fds();
	rng_seed(&r, seed, 6);
	for (j = 0; j < 2; j++) {
		memset(&s[j], 0, sizeof(s[j]));
		rng_seed(&s[j].r, seed, 60 + j);
		pthread_create(&s[j].th, NULL, rmmod_spawner, &s[j]);
	}
	/* race with spawning under way, not before it starts */
	for (i = 0; i < 1000 && __atomic_load_n(&s[0].spawns, __ATOMIC_RELAXED) +
				__atomic_load_n(&s[1].spawns, __ATOMIC_RELAXED) < 4; i++)
		usleep(10000);
	for (i = 0; i < rounds; i++) {
		if (syscall(SYS_delete_module, MODNAME, O_NONBLOCK) == 0) {
			unloaded_at = i;
			module_gone = 1;
			break;
		}
		if (errno == EWOULDBLOCK || errno == EBUSY)
			refused++;
		else
			fail("rmmod: delete_module: %s (expected EWOULDBLOCK or EBUSY)", strerror(errno));
		if (rng_pct(&r, 50))
			sched_yield();
		else
			usleep(rng_below(&r, 2000));
	}
	rmmod_stop = 1;
	for (j = 0; j < 2; j++)
		pthread_join(s[j].th, NULL);
	if (reap_all(10000) < 0)
		fail("rmmod: children left alive");
	if (unloaded_at >= 0) {
		if (module_loaded() || access("/dev/clonefd", F_OK) == 0)
			fail("rmmod: module still visible after a successful delete_module");
		say("rmmod: unloaded cleanly at attempt %ld (%ld refused before) with %ld+%ld spawns "
		    "around it; %.1f s", unloaded_at + 1, refused, s[0].spawns, s[1].spawns,
		    now_s() - t0);
	} else {
		if (s[0].open_failures + s[1].open_failures)
			fail("rmmod: /dev/clonefd open failed %ld times while the module stayed",
			     s[0].open_failures + s[1].open_failures);
		say("rmmod: %ld attempts, all refused, %ld+%ld spawns; %.1f s", refused,
		    s[0].spawns, s[1].spawns, now_s() - t0);
		*leaks += leak_check("rmmod", 0, 0, count_fds(), 1);
	}
}

/* --- main --- */

static void usage(void)
{
	fprintf(stderr,
		"usage: clonefd-stress [--seed S] [--spawns N] [--threads T] [--kill-rounds N]\n"
		"       [--vfork-rounds N] [--recycle-rounds N] [--poll-rounds N]\n"
		"       [--rmmod-rounds N] [--poll-timeout MS]\n"
		"counts take k/M suffixes; 0 skips a phase\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "spawns", required_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 't' },
		{ "kill-rounds", required_argument, NULL, 'k' },
		{ "vfork-rounds", required_argument, NULL, 'v' },
		{ "recycle-rounds", required_argument, NULL, 'r' },
		{ "poll-rounds", required_argument, NULL, 'p' },
		{ "rmmod-rounds", required_argument, NULL, 'm' },
		{ "poll-timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t seed = 0;
	int have_seed = 0, nthreads = 8, c, fds0;
	long spawns = 10000, kill_rounds = 40, vfork_rounds = 40, recycle_rounds = 40;
	long poll_rounds = 10000, rmmod_rounds = 2000, tracked0, refcnt0, leaks = 0;
	struct rlimit nocore = { 0, 0 };
	double t0 = now_s();
	ssize_t len;

	prog_name = "stress";
	if (argc == 3 && !strcmp(argv[1], child_opt)) {
		/* exec keeps ignored signals: our own SIGUSR1 */
		signal(SIGUSR1, SIG_DFL);
		len = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
		self_exe[len > 0 ? len : 0] = 0;
		return helper_main(argv[2]);
	}
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); have_seed = 1; break;
		case 'n': spawns = parse_count(optarg); break;
		case 't': nthreads = parse_count(optarg); break;
		case 'k': kill_rounds = parse_count(optarg); break;
		case 'v': vfork_rounds = parse_count(optarg); break;
		case 'r': recycle_rounds = parse_count(optarg); break;
		case 'p': poll_rounds = parse_count(optarg); break;
		case 'm': rmmod_rounds = parse_count(optarg); break;
		case 'T': poll_timeout_ms = parse_count(optarg); break;
		default: usage();
		}
	}
	if (optind != argc || nthreads < 1)
		usage();
	if (!have_seed)
		seed = fresh_seed();
	len = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (len <= 0) {
		perror("readlink /proc/self/exe");
		return 2;
	}
	self_exe[len] = 0;

	say("seed %llu (replay: --seed %llu); %ld spawns in %d threads, kill %ld, vfork %ld, "
	    "recycle %ld, poll %ld, rmmod %ld rounds", (unsigned long long)seed,
	    (unsigned long long)seed, spawns, nthreads, kill_rounds, vfork_rounds, recycle_rounds,
	    poll_rounds, rmmod_rounds);

	/*
	 * Dispositions as a fresh process has them: a shell starts background
	 * jobs with SIGINT and SIGQUIT ignored.  Orphans come to us; no core
	 * files; SIGUSR1 is an exit signal here.
	 */
	for (c = 1; c < 32; c++)
		if (c != SIGKILL && c != SIGSTOP)
			signal(c, SIG_DFL);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_SET_DUMPABLE, 0);
	setrlimit(RLIMIT_CORE, &nocore);
	signal(SIGUSR1, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	/* baseline with the library's /dev/clonefd descriptor open */
	{
		int cfd;
		struct clone4_args a = { .clonefd = &cfd };
		pid_t pid = clone4(CLONE_FD | SIGCHLD, sizeof(a), &a, quick_child, NULL);

		if (pid < 0) {
			say("clone4: %s", clonefd_strerror(errno));
			return 2;
		}
		waitpid(pid, NULL, 0);
		close(cfd);
	}
	settle(-1, 1, 3000);
	tracked0 = module_tracked();
	refcnt0 = module_refcnt();
	fds0 = count_fds();
	if (tracked0 < 0)
		say("tracked: unknown (%s missing); the final check fails without it", TRACKED_PATH);
	say("baseline: tracked %ld, refcnt %ld, fds %d", tracked0, refcnt0, fds0);

	if (spawns) {
		phase_spawn(seed, spawns, nthreads);
		leaks += leak_check("spawn", tracked0, refcnt0, fds0, 0);
	}
	if (kill_rounds)
		phase_kill(seed, kill_rounds, tracked0, refcnt0, fds0, &leaks);
	if (vfork_rounds)
		phase_vfork(seed, vfork_rounds, tracked0, refcnt0, fds0, &leaks);
	if (recycle_rounds)
		phase_recycle(seed, recycle_rounds, tracked0, refcnt0, fds0, &leaks);
	if (poll_rounds)
		phase_poll(seed, poll_rounds, tracked0, refcnt0, fds0, &leaks);
	/* the final, strict check: tracked must exist and be back at 0 */
	leaks += leak_check("final", tracked0 < 0 ? 0 : tracked0, refcnt0, fds0, 1);
	if (rmmod_rounds)
		phase_rmmod(seed, rmmod_rounds, &leaks);

	say("%ld spawns, %ld mismatches, %ld leaks, %.0f s", total.spawns, total.mismatches, leaks,
	    now_s() - t0);
	if (nr_failures || leaks) {
		say("FAILED: %ld failures (seed %llu)", nr_failures, (unsigned long long)seed);
		return 1;
	}
	return 0;
}
