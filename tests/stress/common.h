/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * Shared helpers of clonefd's hardening battery (tests/stress): seeded
 * random numbers, the module's counters, the process's leak checks.  The
 * programs run as root inside the test VM, with the module loaded.
 */
#ifndef CLONEFD_STRESS_COMMON_H
#define CLONEFD_STRESS_COMMON_H

#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>

#define MODNAME		"clonefd"
#define TRACKED_PATH	"/sys/module/" MODNAME "/parameters/tracked"
#define REFCNT_PATH	"/sys/module/" MODNAME "/refcnt"

/* xorshift64*: small, fast, and the same sequence everywhere for a seed. */
struct rng {
	uint64_t s;
};

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct rng *r);
/* uniform in [0, n), n > 0 */
uint64_t rng_below(struct rng *r, uint64_t n);
/* 1 with probability pct/100 */
int rng_pct(struct rng *r, unsigned pct);

/* A seed from the clock, for runs without --seed. */
uint64_t fresh_seed(void);

/* Monotonic seconds. */
double now_s(void);

/* printf to stdout, line-buffered, prefixed with the program's name. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reports a failure (first few in full) and counts it. */
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern const char *prog_name;
extern volatile long nr_failures;

/* /sys/module/clonefd/{refcnt,parameters/tracked}: -1 if unreadable. */
long module_refcnt(void);
long module_tracked(void);
/* 1 while the module is loaded. */
int module_loaded(void);

/*
 * Waits up to @ms for the module's tracked count and refcnt to reach the
 * given values (tracked -1: not checked); returns 1 if both did.
 */
int settle(long tracked, long refcnt, int ms);

/* Open descriptors of this process. */
int count_fds(void);
/* Closes every descriptor of this process that refers to /dev/clonefd. */
int close_device_fds(void);

/*
 * Reaps every child (zombie or exiting) of this process, waiting up to @ms
 * for live ones; returns how many were reaped, -1 if live children remain.
 */
int reap_all(int ms);
/* Zombies whose parent is this process. */
int count_zombies(void);

/*
 * The end-of-phase leak check: tracked back to @tracked0 (or missing),
 * refcnt back to @refcnt0, no zombie child, descriptor count @fds0.
 * Prints what is wrong and returns the number of leaks (0 = clean).
 * tracked missing is reported and counted as a leak when @strict.
 */
int leak_check(const char *phase, long tracked0, long refcnt0, int fds0, int strict);

/* Parses a decimal count with an optional k/M suffix (10k, 1M). */
long parse_count(const char *s);

#endif
