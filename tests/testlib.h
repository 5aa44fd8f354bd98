/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/* Shared helpers of clonefd's Check suites (they run inside the test VM). */
#ifndef CLONEFD_TESTLIB_H
#define CLONEFD_TESTLIB_H

#include <check.h>
#include <stdint.h>
#include <sched.h>
#include <sys/types.h>

#include <clonefd.h>

#define TIMEOUT_MS	10000

/* Child bodies for clone4(): run in the child, return its exit status. */
int child_exit(void *status);		/* returns (intptr_t)status */
int child_wait_fd(void *fd);		/* reads a byte from fd, returns 0 */

/* clone4() with CLONE_FD; asserts success.  *cfd receives the clonefd. */
pid_t spawn_fd(uint64_t flags, unsigned fdflags, int *cfd,
	       int (*fn)(void *), void *arg);
/* Reads the exit record, asserting a full 24-byte read. */
struct clonefd_info read_info(int cfd);
/* poll() for readability: 1 ready, 0 timeout. */
int wait_readable(int fd, int timeout_ms);
/* Open descriptors of this process. */
int count_fds(void);
/* Waits until the process is gone (kill(pid, 0) fails); 1 if it is. */
int wait_gone(pid_t pid, int timeout_ms);
/* A pipe; p[0] read end, p[1] write end, both O_CLOEXEC. */
void make_pipe(int p[2]);
/* Writes one byte to fd. */
void poke(int fd);
/* exec()s this test binary as helper NAME with the given arguments. */
void exec_helper(const char *name, const char *arg1, const char *arg2);
/* The clonefd module's reference count, -1 if unreadable. */
long module_refcnt(void);
/* The number of processes the module tracks, -1 without the parameter. */
long module_tracked(void);
/*
 * Tracking ends right after a release: polls for up to TIMEOUT_MS until the
 * module's refcount and tracked count are back at @ref0 and @tracked0, and
 * leaves the last values read in *@ref and *@tracked for the caller to
 * assert on.
 */
void wait_module_baseline(long ref0, long tracked0, long *ref, long *tracked);
/* CLOCK_MONOTONIC in milliseconds. */
long now_ms(void);
/*
 * Burns MS milliseconds of the process's CPU, almost all of it in user
 * mode: the kernel splits runtime into utime and stime by where the ticks
 * land, so a loop of clock_gettime() calls alone can be charged entirely
 * to stime on a slow (debugging, loaded) kernel.
 */
void burn_cpu_ms(int ms);
/*
 * The fields of /proc/PID/stat after the command name ("S ppid ..."), read
 * into @buf; NULL if @pid is gone.  proc_state(): the state letter, '-' if
 * the process is gone, '?' if the line cannot be parsed.
 */
const char *proc_stat_fields(pid_t pid, char *buf, size_t size);
char proc_state(pid_t pid);
/* 1 if the kernel itself implements CLONE_AUTOREAP (Linux 7.1+). */
int kernel_has_autoreap(void);
/* Asserts that this process has no child left, zombie or alive. */
void assert_no_children(void);
/* Runs a helper by name (from main); returns its exit status. */
int run_helper(int argc, char **argv);

Suite *core_suite(void);
Suite *autoreap_suite(void);
Suite *errors_suite(void);
Suite *userlib_suite(void);
Suite *spawn_suite(void);
Suite *seccomp_suite(void);
Suite *transfer_suite(void);
Suite *lifecycle_suite(void);
Suite *handle_suite(void);
/* test_handle.c's helpers ("handle-*"), from run_helper(). */
int handle_helper(int argc, char **argv);

#endif
