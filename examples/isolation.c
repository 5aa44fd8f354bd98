// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * isolation - the problem clonefd solves, in one process.
 *
 * The "application" owns SIGCHLD: its handler reaps with waitpid(-1).
 * The "library" runs a command with clonefd_spawn() (a posix_spawn() whose
 * child is created with CLONE_FD | CLONE_AUTOREAP) and waits on the
 * clonefd.  Neither steals the other's exit statuses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <clonefd.h>

extern char **environ;

static volatile sig_atomic_t app_nreaped;
static volatile pid_t app_pid[8];
static volatile int app_status[8];

/* The application's handler: the classic waitpid(-1) loop. */
static void app_sigchld(int sig)
{
	int saved = errno, st;
	pid_t pid;

	(void)sig;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0 && app_nreaped < 8) {
		app_pid[app_nreaped] = pid;
		app_status[app_nreaped++] = st;
	}
	errno = saved;
}

/* The library: run a shell command, return its exit record. */
static int lib_run(const char *cmd, struct clonefd_info *info)
{
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	struct pollfd pfd;
	int cfd = -1, err;
	pid_t pid = -1;

	err = clonefd_spawn(&cfd, &pid, "/bin/sh", NULL, NULL, argv, environ);
	if (err) {
		fprintf(stderr, "lib: clonefd_spawn: %s\n", clonefd_strerror(err));
		return -1;
	}
	printf("lib: clonefd_spawn() ran `%s` as pid %d, CLONE_FD|CLONE_AUTOREAP (clonefd %d)\n",
	       cmd, pid, cfd);
	pfd = (struct pollfd){ .fd = cfd, .events = POLLIN };
	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
	while (read(cfd, info, sizeof(*info)) < 0 && errno == EINTR)
		;
	close(cfd);
	printf("lib: pid %d %s %u (utime %llu ns, stime %llu ns)\n", pid,
	       info->code == CLD_EXITED ? "exited with status" : "was killed by signal",
	       info->status, (unsigned long long)info->utime,
	       (unsigned long long)info->stime);
	if (waitpid(pid, NULL, WNOHANG) < 0 && errno == ECHILD)
		printf("lib: waitpid(%d): ECHILD - no zombie, nothing for the application to see\n",
		       pid);
	return pid;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = app_sigchld, .sa_flags = SA_RESTART };
	struct clonefd_info info;
	pid_t mine[2], lib;
	int i, lib_seen = 0;

	sigaction(SIGCHLD, &sa, NULL);
	for (i = 0; i < 2; i++) {
		mine[i] = fork();
		if (mine[i] == 0) {
			usleep(100 * 1000);
			_exit(i);
		}
	}
	printf("app: forked pids %d and %d; its SIGCHLD handler reaps with waitpid(-1)\n",
	       mine[0], mine[1]);

	lib = lib_run("i=0; while [ $i -lt 5000 ]; do i=$((i+1)); done; exit 3", &info);
	if (lib < 0)
		return 1;

	for (i = 0; i < 100 && app_nreaped < 2; i++)
		usleep(20 * 1000);
	for (i = 0; i < app_nreaped; i++) {
		printf("app: handler reaped pid %d, exit status %d\n", app_pid[i],
		       WEXITSTATUS(app_status[i]));
		lib_seen |= app_pid[i] == lib;
	}
	printf("app: %d of its 2 children reaped; library's child seen by the handler: %s\n",
	       (int)app_nreaped, lib_seen ? "YES (bug)" : "no");
	return app_nreaped == 2 && !lib_seen && info.status == 3 ? 0 : 1;
}
