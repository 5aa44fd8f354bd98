// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * restart-supervisor - keep a worker running: restart it when it crashes,
 * kill it when it hangs past a deadline, and print what each run used,
 * all through its clonefd (no PIDs, no SIGCHLD, no waitpid()).
 *
 *   restart-supervisor [SCENARIO [MAX_RESTARTS [DEADLINE_MS]]]
 *
 * SCENARIO has one letter per run, what that run's worker does: c crashes
 * (SIGSEGV after touching 16 MiB), h hangs (burns some CPU, then sleeps
 * forever), o finishes (exit 0); runs past its end finish.  The default,
 * "cho", crashes once, hangs once, then finishes: two restarts.
 * MAX_RESTARTS (default 3) bounds the restarts, DEADLINE_MS (default
 * 3000) is how long a run may take before it is killed.
 *
 * The worker is this program again (/proc/self/exe --worker MODE RUN),
 * spawned with clonefd_spawn() and CLONEFD_SPAWN_AUTOKILL |
 * CLONEFD_SPAWN_NNP: it starts with no_new_privs set and is killed if the
 * supervisor goes away (the last reference to its clonefd closes), so no
 * worker outlives its supervisor.  clonefd_wait() with the time left until
 * the deadline waits for each run; clonefd_kill(cfd, SIGKILL) kills a hung
 * one by handle, clonefd_rusage() reports what the run used.
 *
 * Exit status: 0 when a run finished and every run ended as its letter
 * said, 1 when the supervisor gave up or a run ended otherwise, 2 for a
 * usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <clonefd.h>

#define CRASH_TOUCH	(16 << 20)	/* what a crashing worker touches */
#define OK_TOUCH	(4 << 20)	/* what a finishing one touches */
#define HANG_SPIN_MS	100		/* CPU a hanging one burns first */

extern char **environ;

/* --- the worker --- */

static void touch(size_t len)
{
	volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	if (p == MAP_FAILED)
		return;
	for (i = 0; i < len; i += 4096)
		p[i] = 1;
}

static long long cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int worker(const char *mode, const char *run)
{
	volatile int *volatile nowhere = NULL;
	long long start;

	printf("worker: run %s: pid %d, no_new_privs %d, %s\n", run,
	       (int)getpid(), prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
	       *mode == 'c' ? "crashing" : *mode == 'h' ? "hanging" : "working");
	fflush(stdout);
	switch (*mode) {
	case 'c':
		touch(CRASH_TOUCH);
		*nowhere = 1;			/* SIGSEGV */
		return 1;
	case 'h':
		start = cpu_ms();
		while (cpu_ms() - start < HANG_SPIN_MS)
			;
		for (;;)
			pause();
	default:
		touch(OK_TOUCH);
		return 0;
	}
}

/* --- the supervisor --- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * clonefd_wait() until @deadline (CLOCK_MONOTONIC ms; -1: no deadline).
 * clonefd_wait() fails with EINTR whenever a signal handler runs, as
 * poll() does: go on with the time that is left.
 */
static int wait_until(int cfd, struct clonefd_info *info, long long deadline)
{
	long long left;
	int ret;

	do {
		left = deadline < 0 ? -1 : deadline - now_ms();
		if (deadline >= 0 && left < 0)
			left = 0;
		ret = clonefd_wait(cfd, info, (int)left);
	} while (ret < 0 && errno == EINTR);
	return ret;
}

static void describe(char *buf, size_t len, const struct clonefd_info *info)
{
	if (info->code == CLD_EXITED)
		snprintf(buf, len, "exited with status %u", info->status);
	else
		snprintf(buf, len, "%s by signal %u (%s)",
			 info->code == CLD_DUMPED ? "dumped core, killed" : "killed",
			 info->status, strsignal(info->status));
}

/* Did the run end as its worker's mode says it would? */
static int as_expected(char mode, const struct clonefd_info *info, int killed)
{
	switch (mode) {
	case 'c':
		return !killed && info->code != CLD_EXITED && info->status == SIGSEGV;
	case 'h':
		return killed && info->code == CLD_KILLED && info->status == SIGKILL;
	default:
		return !killed && info->code == CLD_EXITED && info->status == 0;
	}
}

/*
 * One run: spawn the worker, wait for it until the deadline, kill it if it
 * is still there, report.  Returns 1 if it finished (exit 0), 0 if it must
 * be restarted, -1 on an error of the supervisor's own.
 */
static int run_once(int run, char mode, int deadline_ms, int *bad)
{
	char mode_arg[2] = { mode, 0 }, run_arg[16], how[80];
	char *argv[] = { "restart-supervisor", "--worker", mode_arg, run_arg, NULL };
	clonefd_spawnattr_t attr;
	struct clonefd_rusage ru;
	struct clonefd_info info;
	int cfd, err, killed = 0;
	long long started;
	pid_t pid;

	snprintf(run_arg, sizeof(run_arg), "%d", run);
	clonefd_spawnattr_init(&attr);
	err = clonefd_spawnattr_setflags(&attr, CLONEFD_SPAWN_AUTOKILL |
						CLONEFD_SPAWN_NNP);
	if (!err)
		err = clonefd_spawn(&cfd, NULL, "/proc/self/exe", NULL, &attr,
				    argv, environ);
	clonefd_spawnattr_destroy(&attr);
	if (err) {
		fprintf(stderr, "restart-supervisor: clonefd_spawn: %s\n",
			clonefd_strerror(err));
		return -1;
	}
	started = now_ms();
	pid = clonefd_getpid(cfd);
	if (pid < 0 && errno != ESRCH) {	/* ESRCH: already gone */
		perror("restart-supervisor: clonefd_getpid");
		close(cfd);
		return -1;
	}
	if (pid > 0)
		printf("supervisor: run %d: worker pid %d, mode %c, deadline %d ms\n",
		       run, (int)pid, mode, deadline_ms);
	else
		printf("supervisor: run %d: worker already gone, mode %c\n",
		       run, mode);

	if (wait_until(cfd, &info, started + deadline_ms) < 0) {
		if (errno != ETIMEDOUT) {
			perror("restart-supervisor: clonefd_wait");
			close(cfd);
			return -1;
		}
		printf("supervisor: run %d: no exit after %d ms: SIGKILL\n",
		       run, deadline_ms);
		/* ESRCH: it exited just now; its record is there. */
		if (clonefd_kill(cfd, SIGKILL) < 0 && errno != ESRCH) {
			perror("restart-supervisor: clonefd_kill");
			close(cfd);
			return -1;
		}
		killed = 1;
		if (wait_until(cfd, &info, -1) < 0) {
			perror("restart-supervisor: clonefd_wait");
			close(cfd);
			return -1;
		}
	}
	describe(how, sizeof(how), &info);
	if (clonefd_rusage(cfd, &ru) < 0) {
		perror("restart-supervisor: clonefd_rusage");
		close(cfd);
		return -1;
	}
	printf("supervisor: run %d: %s after %lld ms; utime %llu ms, stime %llu ms, "
	       "maxrss %llu KiB, minflt %llu\n", run, how, now_ms() - started,
	       (unsigned long long)(ru.utime / 1000000),
	       (unsigned long long)(ru.stime / 1000000),
	       (unsigned long long)ru.maxrss, (unsigned long long)ru.minflt);
	if (!as_expected(mode, &info, killed)) {
		printf("supervisor: run %d: UNEXPECTED for mode %c\n", run, mode);
		*bad = 1;
	}
	close(cfd);
	return info.code == CLD_EXITED && info.status == 0;
}

int main(int argc, char **argv)
{
	const char *scenario = "cho";
	int max_restarts = 3, deadline_ms = 3000, run, ret, bad = 0;
	char mode;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "--worker"))
		return worker(argv[2], argv[3]);
	if (argc > 1)
		scenario = argv[1];
	if (argc > 2)
		max_restarts = atoi(argv[2]);
	if (argc > 3)
		deadline_ms = atoi(argv[3]);
	if (argc > 4 || strspn(scenario, "cho") != strlen(scenario) ||
	    max_restarts < 0 || deadline_ms <= 0) {
		fprintf(stderr, "usage: restart-supervisor [SCENARIO [MAX_RESTARTS "
			"[DEADLINE_MS]]]\n  SCENARIO: c (crash), h (hang), o (ok) "
			"per run, default cho\n");
		return 2;
	}

	for (run = 0; run <= max_restarts; run++) {
		mode = run < (int)strlen(scenario) ? scenario[run] : 'o';
		ret = run_once(run, mode, deadline_ms, &bad);
		if (ret < 0)
			return 1;
		if (ret > 0) {
			printf("supervisor: worker finished after %d restart%s%s\n",
			       run, run == 1 ? "" : "s",
			       bad ? ", but some runs ended unexpectedly" : "");
			return bad;
		}
		if (run < max_restarts)
			printf("supervisor: restarting (%d of %d)\n", run + 1,
			       max_restarts);
	}
	printf("supervisor: giving up after %d restart%s\n", max_restarts,
	       max_restarts == 1 ? "" : "s");
	return 1;
}
