// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * supervisor - run N commands concurrently and report each one's exit
 * record as it arrives, with one epoll set and no SIGCHLD or waitpid().
 *
 *   supervisor [N]     (default 4, at most 32)
 *
 * Child i runs `sleep 0.(N-i); exit i` under /bin/sh, so they finish in
 * reverse order; child 1 kills itself with SIGTERM instead.  Each is
 * started with clonefd_spawnp() (CLONE_AUTOREAP: no zombies to reap) and
 * its clonefd is added to the epoll set; the clonefd polls readable when
 * the child has exited, and read() returns its struct clonefd_info.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <clonefd.h>

#define MAX_CHILDREN	32

struct child {
	pid_t pid;
	int cfd;
	char cmd[64];
};

extern char **environ;

static int start(struct child *c, int i, int n, int epfd)
{
	char *argv[] = { "sh", "-c", c->cmd, NULL };
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };
	int err;

	if (i == 1)
		snprintf(c->cmd, sizeof(c->cmd), "sleep 0.%d; kill -TERM $$", n - i);
	else
		snprintf(c->cmd, sizeof(c->cmd), "sleep 0.%d; exit %d", n - i, i);
	err = clonefd_spawnp(&c->cfd, &c->pid, "sh", NULL, NULL, argv, environ);
	if (err) {
		fprintf(stderr, "supervisor: clonefd_spawnp: %s\n", clonefd_strerror(err));
		return -1;
	}
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->cfd, &ev) < 0) {
		perror("supervisor: epoll_ctl");
		return -1;
	}
	printf("supervisor: child %d: pid %d, clonefd %d: %s\n", i, c->pid, c->cfd, c->cmd);
	return 0;
}

static void report(const struct child *c, int i, const struct clonefd_info *info)
{
	char how[64];

	if (info->code == CLD_EXITED)
		snprintf(how, sizeof(how), "exited with status %u", info->status);
	else
		snprintf(how, sizeof(how), "%s by signal %u (%s)",
			 info->code == CLD_DUMPED ? "dumped core, killed" : "killed",
			 info->status, strsignal(info->status));
	printf("supervisor: child %d (pid %d) %s, utime %llu ns, stime %llu ns\n",
	       i, c->pid, how, (unsigned long long)info->utime,
	       (unsigned long long)info->stime);
}

static int expected(const struct clonefd_info *info, int i)
{
	if (i == 1)
		return info->code == CLD_KILLED && info->status == SIGTERM;
	return info->code == CLD_EXITED && info->status == (unsigned)i;
}

int main(int argc, char **argv)
{
	struct child children[MAX_CHILDREN];
	struct epoll_event ev[MAX_CHILDREN];
	struct clonefd_info info;
	int n = argc > 1 ? atoi(argv[1]) : 4;
	int i, k, nev, left, bad = 0, epfd;

	if (n < 1 || n > MAX_CHILDREN) {
		fprintf(stderr, "usage: supervisor [N]  (1..%d)\n", MAX_CHILDREN);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		perror("supervisor: epoll_create1");
		return 1;
	}
	for (i = 0; i < n; i++)
		if (start(&children[i], i, n, epfd) < 0)
			return 1;

	for (left = n; left > 0; left -= nev) {
		nev = epoll_wait(epfd, ev, MAX_CHILDREN, -1);
		if (nev < 0 && errno == EINTR) {
			nev = 0;
			continue;
		}
		if (nev < 0) {
			perror("supervisor: epoll_wait");
			return 1;
		}
		for (k = 0; k < nev; k++) {
			i = ev[k].data.u32;
			if (read(children[i].cfd, &info, sizeof(info)) != sizeof(info)) {
				perror("supervisor: read");
				return 1;
			}
			report(&children[i], i, &info);
			bad |= !expected(&info, i);
			close(children[i].cfd);	/* also leaves the epoll set */
		}
	}
	printf("supervisor: all %d children accounted for%s\n", n,
	       bad ? ", but some exit records were unexpected" : "");
	return bad;
}
