// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

const char *prog_name = "stress";
volatile long nr_failures;

#define MAX_REPORTED	40

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	/* splitmix64 of (seed, stream): distinct, never-zero states */
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	r->s = z ? z : 1;
}

uint64_t rng_next(struct rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

int rng_pct(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

uint64_t fresh_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000000007ULL) ^ (uint64_t)ts.tv_nsec ^
	       ((uint64_t)getpid() << 32);
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void vsay(const char *tag, const char *fmt, va_list ap)
{
	char buf[1024];
	int n;

	n = snprintf(buf, sizeof(buf), "%s: %s", prog_name, tag);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	/* one write per line: threads and children do not interleave */
	n = strlen(buf);
	if (n < (int)sizeof(buf) - 1)
		buf[n++] = '\n';
	if (write(1, buf, n) < 0) {
		/* nothing to be done */
	}
}

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
}

void fail(const char *fmt, ...)
{
	va_list ap;
	long n = __atomic_add_fetch(&nr_failures, 1, __ATOMIC_RELAXED);

	if (n > MAX_REPORTED)
		return;
	va_start(ap, fmt);
	vsay(n == MAX_REPORTED ? "FAIL (further failures counted only): " : "FAIL: ", fmt, ap);
	va_end(ap);
}

static long read_long(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

long module_refcnt(void)
{
	return read_long(REFCNT_PATH);
}

long module_tracked(void)
{
	return read_long(TRACKED_PATH);
}

int module_loaded(void)
{
	return access("/sys/module/" MODNAME, F_OK) == 0;
}

int settle(long tracked, long refcnt, int ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i <= ms / 10; i++) {
		if ((tracked < 0 || module_tracked() == tracked) &&
		    module_refcnt() == refcnt)
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own descriptor */
}

int close_device_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char path[300], target[64];
	int n = 0, fds[256], nfd = 0, i;
	ssize_t len;

	if (!d)
		return -1;
	while ((e = readdir(d)) && nfd < 256) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = 0;
		if (!strcmp(target, "/dev/clonefd"))
			fds[nfd++] = atoi(e->d_name);
	}
	closedir(d);
	for (i = 0; i < nfd; i++)
		n += close(fds[i]) == 0;
	return n;
}

int reap_all(int ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int n = 0, i = 0;
	pid_t p;

	for (;;) {
		p = waitpid(-1, NULL, WNOHANG | __WALL);
		if (p > 0) {
			n++;
			continue;
		}
		if (p < 0 && errno == ECHILD)
			return n;
		if (p < 0 && errno == EINTR)
			continue;
		if (i++ >= ms / 10)
			return -1;
		nanosleep(&ts, NULL);
	}
}

int count_zombies(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[300], buf[512], *s, state;
	int n = 0, ppid, fd;
	ssize_t len;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = 0;
		s = strrchr(buf, ')');
		if (!s || sscanf(s + 1, " %c %d", &state, &ppid) != 2)
			continue;
		if (state == 'Z' && ppid == getpid())
			n++;
	}
	closedir(d);
	return n;
}

int leak_check(const char *phase, long tracked0, long refcnt0, int fds0, int strict)
{
	long tracked, refcnt;
	int leaks = 0, fds, z, live;

	/* children still exiting (autoreaped ones included) may take a moment */
	live = reap_all(10000) < 0;
	if (live) {
		fail("%s: live children left after 10 s", phase);
		leaks++;
	}
	z = count_zombies();
	if (z) {
		fail("%s: %d zombie children", phase, z);
		leaks++;
	}
	settle(tracked0 < 0 ? -1 : tracked0, refcnt0, 3000);
	tracked = module_tracked();
	refcnt = module_refcnt();
	if (tracked < 0) {
		say("%s: tracked count unknown (%s missing: module without the "
		    "tracked parameter)", phase, TRACKED_PATH);
		if (strict) {
			fail("%s: %s missing", phase, TRACKED_PATH);
			leaks++;
		}
	} else if (tracked != (tracked0 < 0 ? 0 : tracked0)) {
		fail("%s: tracked %ld, baseline %ld", phase, tracked, tracked0 < 0 ? 0 : tracked0);
		leaks++;
	}
	if (refcnt != refcnt0) {
		fail("%s: module refcnt %ld, baseline %ld%s", phase, refcnt, refcnt0,
		     refcnt > refcnt0 ? " (leaked references)" : "");
		leaks++;
	}
	fds = count_fds();
	if (fds != fds0) {
		fail("%s: %d descriptors open, %d at the start", phase, fds, fds0);
		leaks++;
	}
	say("%s: tracked %ld, refcnt %ld (baseline %ld), zombies %d, fds %d (baseline %d): %s",
	    phase, tracked, refcnt, refcnt0, z, fds, fds0, leaks ? "LEAKS" : "clean");
	return leaks;
}

long parse_count(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end == 'k' || *end == 'K')
		v *= 1000, end++;
	else if (*end == 'M')
		v *= 1000000, end++;
	if (*end || v < 0) {
		fprintf(stderr, "%s: bad count '%s'\n", prog_name, s);
		exit(2);
	}
	return v;
}
