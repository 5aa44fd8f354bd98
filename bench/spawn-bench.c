// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * spawn-bench - the cost of creating a child and collecting its exit,
 * clonefd against the kernel's native paths, measured in one run.
 *
 *   spawn-bench [ROUNDS]
 *
 * Each method creates a child that exits at once and waits for it:
 *   fork+waitpid          fork(), waitpid()
 *   clone3+pidfd          clone3(CLONE_PIDFD), poll(pidfd), waitid(P_PIDFD)
 *   clone4+clonefd        clone4(CLONE_FD), read(clonefd), waitpid()
 *   clone4 autoreap       clone4(CLONE_FD|CLONE_AUTOREAP), read(clonefd)
 * Methods run interleaved in batches so drift on a noisy machine hits all
 * alike; the table gives the median batch time per spawn and its ratio to
 * clone3+pidfd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <clonefd.h>

#define BATCHES	15

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int spawn_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return pid > 0 && waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

static int spawn_clone3(void)
{
	struct clone_args args = { .exit_signal = SIGCHLD, .flags = CLONE_PIDFD };
	struct pollfd pfd;
	siginfo_t si;
	int pidfd = -1;
	long pid;

	args.pidfd = (uintptr_t)&pidfd;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return -1;
	pfd = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	poll(&pfd, 1, -1);
	waitid(P_PIDFD, pidfd, &si, WEXITED);
	close(pidfd);
	return 0;
}

static int exit_now(void *arg)
{
	(void)arg;
	return 0;
}

static int spawn_clone4(uint64_t flags)
{
	struct clone4_args args;
	struct clonefd_info info;
	int cfd = -1;
	pid_t pid;

	args = (struct clone4_args){ .clonefd = &cfd, .clonefd_flags = O_CLOEXEC };
	pid = clone4(flags | CLONE_FD, sizeof(args), &args, exit_now, NULL);
	if (pid < 0)
		return -1;
	if (read(cfd, &info, sizeof(info)) != sizeof(info))
		return -1;
	if (!(flags & CLONE_AUTOREAP))
		waitpid(pid, NULL, 0);
	close(cfd);
	return 0;
}

static int spawn_clone4_plain(void)
{
	return spawn_clone4(SIGCHLD);
}

static int spawn_clone4_autoreap(void)
{
	return spawn_clone4(CLONE_AUTOREAP);
}

static const struct method {
	const char *name;
	int (*spawn)(void);
} methods[] = {
	{ "fork+waitpid", spawn_fork },
	{ "clone3+pidfd", spawn_clone3 },
	{ "clone4+clonefd", spawn_clone4_plain },
	{ "clone4 autoreap", spawn_clone4_autoreap },
};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 200;
	double t[NMETHODS][BATCHES], med[NMETHODS];
	unsigned m;
	int b, i;

	for (b = 0; b < BATCHES; b++) {
		for (m = 0; m < NMETHODS; m++) {
			double start = now_us();

			for (i = 0; i < rounds; i++) {
				if (methods[m].spawn()) {
					fprintf(stderr, "%s: %s\n", methods[m].name,
						clonefd_strerror(errno));
					return 1;
				}
			}
			t[m][b] = (now_us() - start) / rounds;
		}
	}
	printf("%-18s %12s %10s   (%d batches of %d spawns, median)\n",
	       "method", "us/spawn", "ratio", BATCHES, rounds);
	for (m = 0; m < NMETHODS; m++) {
		qsort(t[m], BATCHES, sizeof(double), cmp_double);
		med[m] = t[m][BATCHES / 2];
	}
	for (m = 0; m < NMETHODS; m++)
		printf("%-18s %12.1f %10.2f\n", methods[m].name, med[m], med[m] / med[1]);
	return 0;
}
