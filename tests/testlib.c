// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

int child_exit(void *status)
{
	return (int)(intptr_t)status;
}

int child_wait_fd(void *fd)
{
	char c;

	return read((int)(intptr_t)fd, &c, 1) == 1 ? 0 : 99;
}

pid_t spawn_fd(uint64_t flags, unsigned fdflags, int *cfd,
	       int (*fn)(void *), void *arg)
{
	struct clone4_args args = { .clonefd = cfd, .clonefd_flags = fdflags };
	pid_t pid;

	*cfd = -1;
	pid = clone4(flags | CLONE_FD, sizeof(args), &args, fn, arg);
	ck_assert_msg(pid > 0, "clone4: %s", clonefd_strerror(errno));
	ck_assert_int_ge(*cfd, 0);
	return pid;
}

struct clonefd_info read_info(int cfd)
{
	struct clonefd_info info;
	ssize_t n;

	do
		n = read(cfd, &info, sizeof(info));
	while (n < 0 && errno == EINTR);
	ck_assert_msg(n == (ssize_t)sizeof(info), "read: %zd (%m)", n);
	return info;
}

int wait_readable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n;

	do
		n = poll(&pfd, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	ck_assert_int_ge(n, 0);
	return n && (pfd.revents & POLLIN);
}

int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

int wait_gone(pid_t pid, int timeout_ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int waited;

	for (waited = 0; waited < timeout_ms; waited += 10) {
		if (kill(pid, 0) < 0 && errno == ESRCH)
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

void make_pipe(int p[2])
{
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
}

void poke(int fd)
{
	ck_assert_int_eq(write(fd, "x", 1), 1);
}

void exec_helper(const char *name, const char *arg1, const char *arg2)
{
	char *argv[] = { "check_clonefd", "--helper", (char *)name,
			 (char *)arg1, (char *)arg2, NULL };

	execv("/proc/self/exe", argv);
	_exit(127);
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

long module_refcnt(void)
{
	return read_long("/sys/module/clonefd/refcnt");
}

long module_tracked(void)
{
	return read_long("/sys/module/clonefd/parameters/tracked");
}

long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

void burn_cpu_ms(int ms)
{
	struct timespec ts;
	volatile unsigned int i;

	do {
		for (i = 0; i < 1u << 20; i++)
			;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	} while (ts.tv_sec * 1000L + ts.tv_nsec / 1000000 < ms);
}

void wait_module_baseline(long ref0, long tracked0, long *ref, long *tracked)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	long end = now_ms() + TIMEOUT_MS;

	for (;;) {
		*ref = module_refcnt();
		*tracked = module_tracked();
		if ((*ref == ref0 && *tracked == tracked0) || now_ms() > end)
			return;
		nanosleep(&ts, NULL);
	}
}

const char *proc_stat_fields(pid_t pid, char *buf, size_t size)
{
	char path[64], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p + 2 : buf + n;
}

char proc_state(pid_t pid)
{
	char buf[256];
	const char *f = proc_stat_fields(pid, buf, sizeof(buf));

	if (!f)
		return '-';
	return *f ? *f : '?';
}

/*
 * Asks the kernel, not the module: clone3() takes CLONE_AUTOREAP from Linux
 * 7.1 on and fails with EINVAL before.  A child it creates exits at once and
 * is reaped by the kernel.
 */
int kernel_has_autoreap(void)
{
	static int known = -1;
	struct {				/* struct clone_args, VER0 */
		uint64_t flags, pidfd, child_tid, parent_tid;
		uint64_t exit_signal, stack, stack_size, tls;
	} args = { .flags = CLONE_AUTOREAP };
	long pid;

	if (known < 0) {
		pid = syscall(__NR_clone3, &args, sizeof(args));
		if (pid == 0)
			_exit(0);
		/* no ck_assert: this may run outside a test (suite setup) */
		if (pid < 0 && errno != EINVAL) {
			fprintf(stderr, "clone3: %s\n", strerror(errno));
			abort();
		}
		known = pid > 0;
	}
	return known;
}

void assert_no_children(void)
{
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}
