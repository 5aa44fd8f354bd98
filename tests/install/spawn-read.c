// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * spawn-read - what a user of the installed packages compiles with
 * `cc spawn-read.c $(pkg-config --cflags --libs clonefd)` (make
 * check-install runs it in the booted guest as an unprivileged user).
 *
 *   spawn-read            spawn a child with CLONE_FD|CLONE_AUTOREAP that
 *                         exits with 7, read its record, check it
 *   spawn-read hold FIFO  spawn a child that waits, print "ready", wait for
 *                         a line on FIFO (while the package is upgraded
 *                         under it), let the child exit, check its record,
 *                         then spawn and check one more child
 *
 * Exit status 0 when every record is what waitpid() would have said.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <clonefd.h>

static int gate[2];

static int child_exit7(void *arg)
{
	(void)arg;
	return 7;
}

/* Waits for the parent to close its end of the pipe, then exits with 0. */
static int child_wait(void *arg)
{
	char c;

	(void)arg;
	close(gate[1]);
	return read(gate[0], &c, 1) == 0 ? 0 : 1;
}

/* spawn: a child running FN on its own stack; its clonefd in *cfd. */
static pid_t spawn(int (*fn)(void *), int *cfd)
{
	static char stacks[2][64 * 1024] __attribute__((aligned(16)));
	static int next;
	struct clone4_args args = {
		.stack_start	= (unsigned long)stacks[next++ % 2],
		.stack_size	= sizeof(stacks[0]),
		.clonefd	= cfd,
		.clonefd_flags	= O_CLOEXEC,
	};

	return clone4(CLONE_FD | CLONE_AUTOREAP, sizeof(args), &args, fn, NULL);
}

/* check: read CFD's record and compare it with an exit with STATUS. */
static int check(const char *what, pid_t pid, int cfd, int status)
{
	struct clonefd_info info;
	ssize_t n = read(cfd, &info, sizeof(info));

	if (n != (ssize_t)sizeof(info)) {
		fprintf(stderr, "spawn-read: %s: read: %zd (%s)\n", what, n,
			n < 0 ? strerror(errno) : "short");
		return 1;
	}
	if (info.code != CLD_EXITED || info.status != (unsigned int)status) {
		fprintf(stderr, "spawn-read: %s: code %u status %u, expected %d %d\n",
			what, info.code, info.status, CLD_EXITED, status);
		return 1;
	}
	if (waitpid(pid, NULL, WNOHANG) != -1 || errno != ECHILD) {
		fprintf(stderr, "spawn-read: %s: waitpid found the autoreaped child\n", what);
		return 1;
	}
	printf("spawn-read: %s: pid %d exited with %u, record read, no zombie\n",
	       what, (int)pid, info.status);
	close(cfd);
	return 0;
}

static int spawn_check(const char *what)
{
	int cfd;
	pid_t pid = spawn(child_exit7, &cfd);

	if (pid < 0) {
		fprintf(stderr, "spawn-read: %s: clone4: %s\n", what, clonefd_strerror(errno));
		return 1;
	}
	return check(what, pid, cfd, 7);
}

static int hold(const char *fifo)
{
	char line[64];
	FILE *f;
	pid_t pid;
	int cfd;

	if (pipe(gate) < 0)
		return 1;
	pid = spawn(child_wait, &cfd);
	if (pid < 0) {
		fprintf(stderr, "spawn-read: hold: clone4: %s\n", clonefd_strerror(errno));
		return 1;
	}
	close(gate[0]);
	printf("ready %d\n", (int)pid);
	fflush(stdout);
	f = fopen(fifo, "r");
	if (!f || !fgets(line, sizeof(line), f)) {
		fprintf(stderr, "spawn-read: hold: %s: no line\n", fifo);
		return 1;
	}
	fclose(f);
	close(gate[1]);
	return check("held child", pid, cfd, 0) || spawn_check("child after the upgrade");
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "hold"))
		return hold(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: spawn-read [hold FIFO]\n");
		return 2;
	}
	return spawn_check("child");
}
