// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * tracked-scale - does an unrelated process exit get slower as clonefd
 * tracks more children?  A benchmark, not a test: prints a table.
 *
 *   tracked-scale [-u] ROUNDS K...
 *
 * For each K (ascending), grows the population of live, tracked children
 * (clone4(CLONE_FD | CLONE_AUTOREAP), the clonefd closed at once: the
 * module still tracks the child) to K, then times ROUNDS unrelated
 * fork() + _exit() + waitpid() cycles, each of which passes through every
 * exit hook of the module (do_notify_parent(), proc_flush_pid()).  The
 * cost per cycle is printed with its ratio to K = 0, measured in the same
 * run; the rounds for all K are interleaved with K = 0 re-measured at the
 * end to show the drift.  With -u the children are plain fork() children
 * the module does not track: the same table then shows what merely having
 * K more processes costs the kernel, to subtract.  Needs root for
 * pid_max/threads-max (K > 30000).
 */
#define _GNU_SOURCE
#include <clonefd.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int gate[2];
static long population;
static int untracked;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long tracked(void)
{
	FILE *f = fopen("/sys/module/clonefd/parameters/tracked", "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

static void grow(long k)
{
	struct clone4_args args;
	char c;
	int cfd;
	pid_t pid;

	for (; population < k; population++) {
		args = (struct clone4_args){ .clonefd = &cfd, .clonefd_flags = O_CLOEXEC };
		cfd = -1;
		pid = untracked ? fork() :
		      clone4(CLONE_FD | CLONE_AUTOREAP, sizeof(args), &args, NULL, NULL);
		if (pid == 0) {
			close(gate[1]);
			if (read(gate[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		if (pid < 0) {
			fprintf(stderr, "clone4 #%ld: %s\n", population, clonefd_strerror(errno));
			exit(1);
		}
		if (cfd >= 0)
			close(cfd);
	}
}

/* Seconds per unrelated fork + exit + waitpid, over @rounds. */
static double cycle(int rounds)
{
	double t0 = now();
	int i, st;
	pid_t pid;

	for (i = 0; i < rounds; i++) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, &st, 0) != pid) {
			perror("fork/waitpid");
			exit(1);
		}
	}
	return (now() - t0) / rounds;
}

static void write_proc(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, value, strlen(value)) < 0)
			perror(path);
		close(fd);
	}
}

int main(int argc, char **argv)
{
	double base, t, t_end;
	int i, rounds;

	if (argc > 1 && !strcmp(argv[1], "-u")) {
		untracked = 1;
		argv++;
		argc--;
	}
	rounds = argc > 1 ? atoi(argv[1]) : 0;
	if (argc < 3 || rounds <= 0) {
		fprintf(stderr, "usage: tracked-scale [-u] ROUNDS K...\n");
		return 2;
	}
	write_proc("/proc/sys/kernel/pid_max", "4194304");
	write_proc("/proc/sys/kernel/threads-max", "4194304");
	if (pipe2(gate, O_CLOEXEC))
		return 1;
	base = cycle(rounds);
	printf("%s children\n", untracked ? "untracked (fork)" : "tracked (clone4 CLONE_FD|CLONE_AUTOREAP)");
	printf("%-10s %-10s %-14s %s\n", "children", "tracked", "exit cycle us", "ratio to 0");
	printf("%-10d %-10ld %-14.1f %.3f\n", 0, tracked(), base * 1e6, 1.0);
	for (i = 2; i < argc; i++) {
		double t0 = now();

		grow(atol(argv[i]));
		fprintf(stderr, "tracked-scale: %ld children in %.0f s\n", population, now() - t0);
		t = cycle(rounds);
		printf("%-10ld %-10ld %-14.1f %.3f\n", population, tracked(), t * 1e6, t / base);
		fflush(stdout);
	}
	close(gate[1]);
	while (untracked && waitpid(-1, NULL, 0) > 0)
		;
	while (tracked() > 0)
		usleep(100 * 1000);
	t_end = cycle(rounds);
	printf("%-10d %-10ld %-14.1f %.3f  (again, after they exited)\n", 0, tracked(),
	       t_end * 1e6, t_end / base);
	return 0;
}
