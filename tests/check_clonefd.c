// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * check_clonefd - clonefd's Check suite.  Runs as root inside the test VM
 * with the module loaded (scripts/vm-run); `make check` drives it.
 *
 *   check_clonefd                   run every suite
 *   check_clonefd --timeout-multiplier N   ... with N times the timeouts
 *   check_clonefd --helper NAME ... a helper program some tests exec
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

/* The leader exits with 3, then another thread exit_group()s with 5. */
static void *group_exit_thread(void *arg)
{
	(void)arg;
	usleep(100 * 1000);
	syscall(SYS_exit_group, 5);
	return NULL;
}

/* The leader exits first; the last thread waits on a pipe, then exits 7. */
static void *leader_first_thread(void *arg)
{
	char c;

	if (read((int)(intptr_t)arg, &c, 1) != 1)
		syscall(SYS_exit_group, 99);
	syscall(SYS_exit_group, 7);
	return NULL;
}

/*
 * After its parent exec'd: release the autoreap child through the pipe,
 * read its record, and check no SIGCHLD came and no zombie is left.
 */
static int exec_waiter(int cfd, int go)
{
	struct timespec ts = { 0, 300 * 1000 * 1000 };
	struct clonefd_info info;
	sigset_t set;

	if (write(go, "x", 1) != 1)
		return 1;
	if (read(cfd, &info, sizeof(info)) != sizeof(info) || info.code != CLD_EXITED)
		return 2;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	if (sigtimedwait(&set, NULL, &ts) == SIGCHLD)
		return 3;
	usleep(100 * 1000);
	if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
		return 4;
	return 0;
}

int run_helper(int argc, char **argv)
{
	pthread_t t;

	if (argc >= 3 && !strcmp(argv[2], "group-exit")) {
		pthread_create(&t, NULL, group_exit_thread, NULL);
		syscall(SYS_exit, 3);
	}
	if (argc >= 4 && !strcmp(argv[2], "leader-first")) {
		pthread_create(&t, NULL, leader_first_thread,
			       (void *)(intptr_t)atoi(argv[3]));
		syscall(SYS_exit, 0);
	}
	if (argc >= 5 && !strcmp(argv[2], "exec-waiter"))
		return exec_waiter(atoi(argv[3]), atoi(argv[4]));
	/* test_autoreap.c: an exec'd program; "ready" on fd argv[3], EOF on 0 ends it. */
	if (argc >= 4 && !strcmp(argv[2], "exec-block")) {
		char c;

		if (write(atoi(argv[3]), "r", 1) != 1)
			return 125;
		close(atoi(argv[3]));
		return read(0, &c, 1) < 0 ? 124 : 0;
	}
	/* test_lifecycle.c: what a thread execs; exits with argv[3]. */
	if (argc >= 4 && !strcmp(argv[2], "lifecycle-exit"))
		return atoi(argv[3]);
	if (argc >= 3 && !strncmp(argv[2], "handle-", 7))
		return handle_helper(argc, argv);
	return 126;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	if (argc >= 2 && !strcmp(argv[1], "--helper"))
		return run_helper(argc, argv);
	/* Slow kernels (KASAN under TCG): scale every test case's timeout. */
	if (argc >= 3 && !strcmp(argv[1], "--timeout-multiplier"))
		setenv("CK_TIMEOUT_MULTIPLIER", argv[2], 1);

	sr = srunner_create(core_suite());
	srunner_add_suite(sr, autoreap_suite());
	srunner_add_suite(sr, errors_suite());
	srunner_add_suite(sr, userlib_suite());
	srunner_add_suite(sr, spawn_suite());
	srunner_add_suite(sr, seccomp_suite());
	srunner_add_suite(sr, transfer_suite());
	srunner_add_suite(sr, lifecycle_suite());
	srunner_add_suite(sr, handle_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
