// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * clonefd_spawn(): success, exec failure without a zombie, every file
 * action, the attributes, PATH search, and no descriptor growth.  The
 * programs run are busybox applets (/bin/sh, /bin/true, ...).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

extern char **environ;

/* Runs `sh -c SCRIPT`; returns the exit status (CLD_EXITED asserted). */
static int run_sh(const char *script, const clonefd_spawn_actions_t *fa,
		  const clonefd_spawnattr_t *attr)
{
	char *argv[] = { "sh", "-c", (char *)script, NULL };
	struct clonefd_info info;
	int cfd = -1, err;
	pid_t pid = 0;

	err = clonefd_spawn(&cfd, &pid, "/bin/sh", fa, attr, argv, environ);
	ck_assert_msg(err == 0, "clonefd_spawn: %s", clonefd_strerror(err));
	ck_assert_int_gt(pid, 0);
	info = read_info(cfd);
	close(cfd);
	ck_assert_int_eq(info.code, CLD_EXITED);
	return info.status;
}

/*
 * Runs `sh -c SCRIPT` with its stdout on a pipe (after the other actions
 * in @fa); returns its output, without the trailing newline.
 */
static char *capture_sh(const char *script, clonefd_spawn_actions_t *fa,
			const clonefd_spawnattr_t *attr)
{
	clonefd_spawn_actions_t own;
	static char out[512];
	int p[2], status;
	ssize_t n, len = 0;

	if (!fa) {
		clonefd_spawn_actions_init(&own);
		fa = &own;
	}
	make_pipe(p);
	ck_assert_int_eq(clonefd_spawn_actions_adddup2(fa, p[1], 1), 0);
	status = run_sh(script, fa, attr);
	close(p[1]);
	while ((n = read(p[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	close(p[0]);
	out[len] = 0;
	if (len && out[len - 1] == '\n')
		out[len - 1] = 0;
	ck_assert_msg(status == 0, "`%s` exited %d", script, status);
	if (fa == &own)
		clonefd_spawn_actions_destroy(&own);
	return out;
}

START_TEST(spawn_success)
{
	char *argv[] = { "true", NULL };
	struct clonefd_info info;
	int cfd = -1, fds = count_fds();
	pid_t pid = 0;

	ck_assert_int_eq(clonefd_spawn(&cfd, &pid, "/bin/true", NULL, NULL, argv, environ), 0);
	ck_assert_int_ge(cfd, 0);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_ne(fcntl(cfd, F_GETFD) & FD_CLOEXEC, 0);
	info = read_info(cfd);
	ck_assert_int_eq(info.code, CLD_EXITED);
	ck_assert_int_eq(info.status, 0);
	close(cfd);
	/* An autoreap child: nothing to wait for, no zombie. */
	ck_assert_int_eq(waitpid(pid, NULL, __WALL | WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	/* Only the library's cached /dev/clonefd descriptor is new. */
	ck_assert_int_eq(count_fds(), fds + 1);
	ck_assert_int_eq(run_sh("exit 7", NULL, NULL), 7);
}
END_TEST

/* With an exit signal the child is a classic one, waited for as usual. */
START_TEST(spawn_exit_signal)
{
	char *argv[] = { "sh", "-c", "exit 5", NULL };
	clonefd_spawnattr_t attr;
	int cfd = -1, st;
	pid_t pid = 0;

	clonefd_spawnattr_init(&attr);
	ck_assert_int_eq(clonefd_spawnattr_setexitsignal(&attr, -1), EINVAL);
	/* exec would turn another signal into SIGCHLD: refused */
	ck_assert_int_eq(clonefd_spawnattr_setexitsignal(&attr, SIGUSR1), EINVAL);
	ck_assert_int_eq(clonefd_spawnattr_setexitsignal(&attr, 0), 0);
	ck_assert_int_eq(clonefd_spawnattr_setexitsignal(&attr, SIGCHLD), 0);
	ck_assert_int_eq(clonefd_spawn(&cfd, &pid, "/bin/sh", NULL, &attr, argv, environ), 0);
	ck_assert_int_eq(read_info(cfd).status, 5);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 5);
	close(cfd);
	clonefd_spawnattr_destroy(&attr);
}
END_TEST

/* The number of mappings of this process (lines of /proc/self/maps). */
static int count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	int c, n = 0;

	ck_assert_ptr_nonnull(f);
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/*
 * Exec failures come back as the error number; the child is gone (no
 * zombie), no descriptor or mapping is left, errno is untouched.  _i:
 * autoreap or SIGCHLD child.
 */
START_TEST(spawn_exec_failure)
{
	char *argv[] = { "x", NULL };
	clonefd_spawnattr_t attr;
	int cfd = -1, fds, maps;
	pid_t pid = 0;

	clonefd_spawnattr_init(&attr);
	if (_i)
		clonefd_spawnattr_setexitsignal(&attr, SIGCHLD);
	ck_assert_int_eq(run_sh("exit 0", NULL, &attr), 0);	/* cache the device */
	if (_i)
		ck_assert_int_gt(waitpid(-1, NULL, 0), 0);
	ck_assert_int_eq(mkdir("/tmp/spawn-noexec", 0755), 0);
	ck_assert_int_eq(close(open("/tmp/spawn-noexec/file", O_CREAT | O_WRONLY, 0644)), 0);
	fds = count_fds();
	maps = count_maps();

	errno = 1234;
	ck_assert_int_eq(clonefd_spawn(&cfd, &pid, "/nonexistent", NULL, &attr, argv,
				       environ), ENOENT);
	ck_assert_int_eq(errno, 1234);
	ck_assert_int_eq(clonefd_spawn(&cfd, &pid, "/tmp/spawn-noexec/file", NULL, &attr,
				       argv, environ), EACCES);
	ck_assert_int_eq(clonefd_spawn(&cfd, &pid, "/tmp/spawn-noexec", NULL, &attr,
				       argv, environ), EACCES);
	ck_assert_int_eq(clonefd_spawn(&cfd, &pid, "/tmp/spawn-noexec/file/x", NULL, &attr,
				       argv, environ), ENOTDIR);
	ck_assert_int_eq(cfd, -1);
	ck_assert_int_eq(count_fds(), fds);
	ck_assert_int_eq(count_maps(), maps);
	assert_no_children();
	unlink("/tmp/spawn-noexec/file");
	rmdir("/tmp/spawn-noexec");
}
END_TEST

START_TEST(spawnp_path_search)
{
	char *argv[] = { "true", NULL };	/* busybox goes by argv[0] */
	int cfd = -1;
	pid_t pid;

	ck_assert_int_eq(mkdir("/tmp/spawn-path", 0755), 0);
	ck_assert_int_eq(close(open("/tmp/spawn-path/true", O_CREAT | O_WRONLY, 0644)), 0);
	/* Not executable in the first directory: found in the next. */
	setenv("PATH", "/nonexistent:/tmp/spawn-path:/bin", 1);
	ck_assert_int_eq(clonefd_spawnp(&cfd, &pid, "true", NULL, NULL, argv, environ), 0);
	ck_assert_int_eq(read_info(cfd).status, 0);
	close(cfd);
	cfd = -1;
	ck_assert_int_eq(clonefd_spawnp(&cfd, &pid, "no-such-command", NULL, NULL, argv,
					environ), ENOENT);
	/* Only a non-executable one: EACCES, like execvp(). */
	setenv("PATH", "/nonexistent:/tmp/spawn-path", 1);
	ck_assert_int_eq(clonefd_spawnp(&cfd, &pid, "true", NULL, NULL, argv, environ),
			 EACCES);
	/* A name with a slash is not searched. */
	ck_assert_int_eq(clonefd_spawnp(&cfd, &pid, "bin/true", NULL, NULL, argv, environ),
			 ENOENT);
	ck_assert_int_eq(clonefd_spawnp(&cfd, &pid, "", NULL, NULL, argv, environ), ENOENT);
	/* Unset PATH: /bin:/usr/bin. */
	unsetenv("PATH");
	ck_assert_int_eq(clonefd_spawnp(&cfd, &pid, "true", NULL, NULL, argv, environ), 0);
	ck_assert_int_eq(read_info(cfd).status, 0);
	close(cfd);
	assert_no_children();
	unlink("/tmp/spawn-path/true");
	rmdir("/tmp/spawn-path");
}
END_TEST

/* PATH=@path; clonefd_spawnp(@file); the error, or 0 once it exited 0. */
static int spawnp_in(const char *path, const char *file)
{
	char *argv[] = { "true", NULL };
	int cfd = -1, err;

	setenv("PATH", path, 1);
	err = clonefd_spawnp(&cfd, NULL, file, NULL, NULL, argv, environ);
	if (err) {
		ck_assert_int_eq(cfd, -1);
		return err;
	}
	ck_assert_int_eq(read_info(cfd).status, 0);
	close(cfd);
	return 0;
}

/* A PATH entry of @len characters (nonexistent directories) and ":/bin". */
static char *long_entry(char *buf, size_t len)
{
	size_t n = 0, k;

	while (n < len) {
		buf[n++] = '/';
		k = len - n < 200 ? len - n : 200;
		memset(buf + n, 'd', k);
		n += k;
	}
	strcpy(buf + n, ":/bin");
	return buf;
}

/*
 * The search goes on only past ENOENT, ENOTDIR, EACCES (remembered),
 * ESTALE, ENODEV and ETIMEDOUT, like execvp() and glibc's posix_spawnp()
 * (issue 12, item 6): any other error ends it.  A name longer than
 * NAME_MAX is ENAMETOOLONG without a search.  When nothing runs, the
 * error is EACCES if one was seen, else the last one.
 */
START_TEST(spawnp_stops_like_execvp)
{
	static char name[301], path[5200];
	int fd;

	ck_assert_int_eq(mkdir("/tmp/spawn-stop", 0755), 0);
	ck_assert_int_eq(symlink("/tmp/spawn-stop/loop", "/tmp/spawn-stop/loop"), 0);
	ck_assert_int_eq(close(open("/tmp/spawn-stop/file", O_CREAT | O_WRONLY, 0644)), 0);
	ck_assert_int_eq(mkdir("/tmp/spawn-stop/noperm", 0755), 0);
	ck_assert_int_eq(close(open("/tmp/spawn-stop/noperm/true", O_CREAT | O_WRONLY, 0644)), 0);
	ck_assert_int_eq(mkdir("/tmp/spawn-stop/noexec", 0755), 0);
	fd = open("/tmp/spawn-stop/noexec/true", O_CREAT | O_WRONLY, 0755);
	ck_assert_int_eq(write(fd, "garbage\n", 8), 8);
	close(fd);

	memset(name, 'a', 300);
	ck_assert_int_eq(spawnp_in("/bin", name), ENAMETOOLONG);
	name[NAME_MAX + 1] = 0;
	ck_assert_int_eq(spawnp_in("/bin", name), ENAMETOOLONG);
	name[NAME_MAX] = 0;
	ck_assert_int_eq(spawnp_in("/bin", name), ENOENT);

	ck_assert_int_eq(spawnp_in("/tmp/spawn-stop/loop:/bin", "true"), ELOOP);
	ck_assert_int_eq(spawnp_in("/tmp/spawn-stop/noperm:/tmp/spawn-stop/loop:/bin", "true"),
			 ELOOP);
	snprintf(path, sizeof(path), "/tmp/%s:/bin", name);	/* a 255-byte component */
	ck_assert_int_eq(spawnp_in(path, "true"), 0);
	memset(name, 'a', 300);
	snprintf(path, sizeof(path), "/tmp/%s:/bin", name);	/* a 300-byte component */
	ck_assert_int_eq(spawnp_in(path, "true"), ENAMETOOLONG);
	/* Entry + "/true" longer than PATH_MAX: ENAMETOOLONG from execve(). */
	ck_assert_int_eq(spawnp_in(long_entry(path, PATH_MAX - 3), "true"), ENAMETOOLONG);
	ck_assert_int_eq(spawnp_in(long_entry(path, PATH_MAX - 11), "true"), 0);
	/* An entry of PATH_MAX characters or more is skipped, as by glibc. */
	ck_assert_int_eq(spawnp_in(long_entry(path, 5000), "true"), 0);

	ck_assert_int_eq(spawnp_in("/nonexistent:/tmp/spawn-stop/file", "true"), ENOTDIR);
	ck_assert_int_eq(spawnp_in("/tmp/spawn-stop/file:/nonexistent", "true"), ENOENT);
	ck_assert_int_eq(spawnp_in("/tmp/spawn-stop/noperm:/tmp/spawn-stop/file", "true"),
			 EACCES);
	/* No shell for ENOEXEC, and no further search. */
	ck_assert_int_eq(spawnp_in("/tmp/spawn-stop/noexec:/bin", "true"), ENOEXEC);
	assert_no_children();

	unlink("/tmp/spawn-stop/noexec/true");
	rmdir("/tmp/spawn-stop/noexec");
	unlink("/tmp/spawn-stop/noperm/true");
	rmdir("/tmp/spawn-stop/noperm");
	unlink("/tmp/spawn-stop/file");
	unlink("/tmp/spawn-stop/loop");
	rmdir("/tmp/spawn-stop");
}
END_TEST

/* --- file actions --- */

START_TEST(action_open)
{
	clonefd_spawn_actions_t fa;
	char buf[32] = "";
	int fd;

	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_addopen(&fa, 1, "/tmp/spawn-out",
						       O_WRONLY | O_CREAT | O_TRUNC, 0600), 0);
	ck_assert_int_eq(run_sh("echo hello", &fa, NULL), 0);
	clonefd_spawn_actions_destroy(&fa);
	fd = open("/tmp/spawn-out", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 6);
	ck_assert_str_eq(buf, "hello\n");
	close(fd);
	unlink("/tmp/spawn-out");

	/* A failing open is the spawn's error. */
	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_addopen(&fa, 5, "/nonexistent/x", O_RDONLY, 0), 0);
	{
		char *argv[] = { "true", NULL };
		int cfd = -1;

		ck_assert_int_eq(clonefd_spawn(&cfd, NULL, "/bin/true", &fa, NULL, argv,
					       environ), ENOENT);
		ck_assert_int_eq(cfd, -1);
	}
	clonefd_spawn_actions_destroy(&fa);
	assert_no_children();
}
END_TEST

START_TEST(action_close)
{
	clonefd_spawn_actions_t fa;
	char script[64];
	int fd = dup(2);	/* inherited: no FD_CLOEXEC */

	snprintf(script, sizeof(script), "[ -e /proc/$$/fd/%d ]", fd);
	ck_assert_int_eq(run_sh(script, NULL, NULL), 0);
	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_addclose(&fa, fd), 0);
	ck_assert_int_eq(run_sh(script, &fa, NULL), 1);
	clonefd_spawn_actions_destroy(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_addclose(&fa, -1), EBADF);
	close(fd);
}
END_TEST

START_TEST(action_dup2)
{
	clonefd_spawn_actions_t fa;
	char script[64];
	int p[2];

	ck_assert_str_eq(capture_sh("echo dup", NULL, NULL), "dup");

	/* dup2(fd, fd) clears FD_CLOEXEC: the O_CLOEXEC pipe is inherited. */
	make_pipe(p);
	snprintf(script, sizeof(script), "{ echo same >&%d; } 2> /dev/null", p[1]);
	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_adddup2(&fa, p[1], p[1]), 0);
	ck_assert_int_eq(run_sh(script, &fa, NULL), 0);
	clonefd_spawn_actions_destroy(&fa);
	{
		char buf[16] = "";

		close(p[1]);
		ck_assert_int_eq(read(p[0], buf, sizeof(buf)), 5);
		ck_assert_str_eq(buf, "same\n");
	}
	close(p[0]);
	ck_assert_int_eq(run_sh(script, NULL, NULL) != 0, 1);	/* closed on exec */
}
END_TEST

START_TEST(action_chdir_fchdir)
{
	clonefd_spawn_actions_t fa;
	int dfd;

	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_addchdir(&fa, "/proc"), 0);
	ck_assert_str_eq(capture_sh("pwd", &fa, NULL), "/proc");
	clonefd_spawn_actions_destroy(&fa);

	dfd = open("/sys", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_addfchdir(&fa, dfd), 0);
	ck_assert_str_eq(capture_sh("pwd", &fa, NULL), "/sys");
	clonefd_spawn_actions_destroy(&fa);
	close(dfd);
	/* The parent's cwd is untouched. */
	{
		char cwd[64];

		ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
		ck_assert_str_ne(cwd, "/proc");
		ck_assert_str_ne(cwd, "/sys");
	}
}
END_TEST

START_TEST(action_closefrom)
{
	clonefd_spawn_actions_t fa;
	int lo = dup2(2, 40), hi = dup2(2, 50);

	ck_assert(lo == 40 && hi == 50);
	ck_assert_int_eq(run_sh("[ -e /proc/$$/fd/40 ] && [ -e /proc/$$/fd/50 ]", NULL, NULL), 0);
	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_addclosefrom(&fa, 45), 0);
	ck_assert_int_eq(run_sh("[ -e /proc/$$/fd/40 ] && ! [ -e /proc/$$/fd/50 ]", &fa, NULL), 0);
	clonefd_spawn_actions_destroy(&fa);
	close(lo);
	close(hi);
}
END_TEST

/* Actions apply in order: open, dup2 onto 1, close the original. */
START_TEST(actions_in_order)
{
	clonefd_spawn_actions_t fa;
	char buf[32] = "";
	int fd;

	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_addopen(&fa, 9, "/tmp/spawn-order",
						       O_WRONLY | O_CREAT | O_TRUNC, 0600), 0);
	ck_assert_int_eq(clonefd_spawn_actions_adddup2(&fa, 9, 1), 0);
	ck_assert_int_eq(clonefd_spawn_actions_addclose(&fa, 9), 0);
	ck_assert_int_eq(run_sh("echo ordered; [ ! -e /proc/$$/fd/9 ]", &fa, NULL), 0);
	clonefd_spawn_actions_destroy(&fa);
	fd = open("/tmp/spawn-order", O_RDONLY);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 8);
	ck_assert_str_eq(buf, "ordered\n");
	close(fd);
	unlink("/tmp/spawn-order");
}
END_TEST

/* The library's cached /dev/clonefd descriptor (a spawn caches it). */
static int library_devfd(void)
{
	char path[64], link[64];
	struct dirent *e;
	int fd, found = -1;
	ssize_t n;
	DIR *d;

	ck_assert_int_eq(run_sh("exit 0", NULL, NULL), 0);
	d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		fd = atoi(e->d_name);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (!strcmp(link, "/dev/clonefd"))
			found = fd;
	}
	closedir(d);
	ck_assert_int_ge(found, 0);
	return found;
}

/* The highest open descriptor of this process. */
static int max_open_fd(void)
{
	struct dirent *e;
	int max = -1;
	DIR *d = opendir("/proc/self/fd");

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) > max)
			max = atoi(e->d_name);
	closedir(d);
	return max;
}

/*
 * The open action closes its descriptor before it opens, as POSIX and
 * glibc have it (issue 12, item 4).  The caller has one free slot (the
 * clonefd takes it), so the child has two: that one and the library's
 * device descriptor, which it does not inherit.  Two dup2 actions fill
 * them; opening onto fd 1 then only works if fd 1 is closed first.
 * glibc's posix_spawn succeeds on the same table.
 */
START_TEST(action_open_full_table)
{
	int devfd = library_devfd(), null, fd, last = -1;
	clonefd_spawn_actions_t fa;
	char buf[32] = "";
	struct rlimit rl;

	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(null, 0);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = max_open_fd() + 16;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		last = fd;
	ck_assert_int_eq(errno, EMFILE);
	ck_assert_int_eq(last, (int)rl.rlim_cur - 1);
	close(last);		/* the one free slot */

	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_adddup2(&fa, null, last), 0);
	ck_assert_int_eq(clonefd_spawn_actions_adddup2(&fa, null, devfd), 0);
	ck_assert_int_eq(clonefd_spawn_actions_addopen(&fa, 1, "/tmp/spawn-full",
						       O_WRONLY | O_CREAT | O_TRUNC, 0600), 0);
	ck_assert_int_eq(run_sh("echo full", &fa, NULL), 0);
	clonefd_spawn_actions_destroy(&fa);
	/* The caller's free slot is free again (the clonefd is closed). */
	fd = open("/tmp/spawn-full", O_RDONLY | O_CLOEXEC);
	ck_assert_int_eq(fd, last);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "full\n");
	close(fd);
	unlink("/tmp/spawn-full");
}
END_TEST

/*
 * Close first, seen without a full table: the second open of fd 5 below
 * finds the FIFO without the reader the first one left there, and fails
 * with ENXIO, as with glibc; onto another descriptor it succeeds.
 */
START_TEST(action_open_closes_first)
{
	char *argv[] = { "true", NULL };
	clonefd_spawn_actions_t fa;
	int cfd = -1;

	ck_assert_int_eq(mkfifo("/tmp/spawn-fifo2", 0600), 0);
	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_addopen(&fa, 5, "/tmp/spawn-fifo2",
						       O_RDONLY | O_NONBLOCK, 0), 0);
	ck_assert_int_eq(clonefd_spawn_actions_addopen(&fa, 5, "/tmp/spawn-fifo2",
						       O_WRONLY | O_NONBLOCK, 0), 0);
	ck_assert_int_eq(clonefd_spawn(&cfd, NULL, "/bin/true", &fa, NULL, argv, environ),
			 ENXIO);
	ck_assert_int_eq(cfd, -1);
	clonefd_spawn_actions_destroy(&fa);

	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_addopen(&fa, 5, "/tmp/spawn-fifo2",
						       O_RDONLY | O_NONBLOCK, 0), 0);
	ck_assert_int_eq(clonefd_spawn_actions_addopen(&fa, 6, "/tmp/spawn-fifo2",
						       O_WRONLY | O_NONBLOCK, 0), 0);
	ck_assert_int_eq(run_sh("exit 0", &fa, NULL), 0);
	clonefd_spawn_actions_destroy(&fa);
	unlink("/tmp/spawn-fifo2");
	assert_no_children();
}
END_TEST

/*
 * Closing a descriptor that is not open - never was, or closed by an
 * earlier action - is no error below RLIMIT_NOFILE, as with glibc and
 * musl (issue 12, item 5); at or above the limit it is EBADF.
 */
START_TEST(action_close_not_open)
{
	char *argv[] = { "true", NULL };
	clonefd_spawn_actions_t fa;
	char script[64];
	struct rlimit rl;
	int fd = dup(2), cfd = -1;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_lt(fd, 64);
	close(77);
	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_addclose(&fa, 77), 0);
	ck_assert_int_eq(run_sh("exit 0", &fa, NULL), 0);
	clonefd_spawn_actions_destroy(&fa);

	snprintf(script, sizeof(script), "[ ! -e /proc/$$/fd/%d ]", fd);
	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_addclose(&fa, fd), 0);
	ck_assert_int_eq(clonefd_spawn_actions_addclose(&fa, fd), 0);
	ck_assert_int_eq(run_sh(script, &fa, NULL), 0);
	clonefd_spawn_actions_destroy(&fa);
	close(fd);

	/* In range when added, beyond the limit when the child runs. */
	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_addclose(&fa, 100), 0);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = 64;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert_int_eq(clonefd_spawn(&cfd, NULL, "/bin/true", &fa, NULL, argv, environ),
			 EBADF);
	ck_assert_int_eq(cfd, -1);
	clonefd_spawn_actions_destroy(&fa);
	assert_no_children();
}
END_TEST

/*
 * The add functions take descriptors from 0 up to the RLIMIT_NOFILE soft
 * limit, as glibc's do (EBADF otherwise); fchdir's is checked in the child.
 */
START_TEST(actions_fd_range)
{
	clonefd_spawn_actions_t fa;
	struct rlimit rl;
	int lim;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	lim = rl.rlim_cur;
	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_addclose(&fa, lim), EBADF);
	ck_assert_int_eq(clonefd_spawn_actions_addopen(&fa, lim, "/dev/null", O_RDONLY, 0),
			 EBADF);
	ck_assert_int_eq(clonefd_spawn_actions_adddup2(&fa, 0, lim), EBADF);
	ck_assert_int_eq(clonefd_spawn_actions_adddup2(&fa, lim, 0), EBADF);
	ck_assert_int_eq(clonefd_spawn_actions_addclosefrom(&fa, lim), EBADF);
	ck_assert_int_eq(clonefd_spawn_actions_addclose(&fa, lim - 1), 0);
	ck_assert_int_eq(clonefd_spawn_actions_adddup2(&fa, 2, lim - 1), 0);
	ck_assert_int_eq(clonefd_spawn_actions_addclosefrom(&fa, lim - 1), 0);
	ck_assert_int_eq(clonefd_spawn_actions_addfchdir(&fa, lim), 0);
	ck_assert_int_eq(clonefd_spawn_actions_adddup2(&fa, -1, 0), EBADF);
	ck_assert_int_eq(clonefd_spawn_actions_addopen(&fa, -1, "/dev/null", O_RDONLY, 0),
			 EBADF);
	clonefd_spawn_actions_destroy(&fa);
}
END_TEST

/*
 * The library's /dev/clonefd descriptor is not inherited: to the actions
 * its number is a descriptor that is not open, as it would be with glibc,
 * which has none.
 */
START_TEST(actions_library_descriptor)
{
	char *argv[] = { "true", NULL };
	int devfd = library_devfd(), cfd = -1, fds = count_fds();
	clonefd_spawn_actions_t fa;
	char absent[64], null[64], present[64];

	snprintf(absent, sizeof(absent), "[ ! -e /proc/$$/fd/%d ]", devfd);
	snprintf(null, sizeof(null), "[ /proc/$$/fd/%d -ef /dev/null ]", devfd);
	snprintf(present, sizeof(present), "[ -e /proc/$$/fd/%d ]", devfd);
	ck_assert_int_eq(run_sh(absent, NULL, NULL), 0);

	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_addclose(&fa, devfd), 0);
	ck_assert_int_eq(run_sh(absent, &fa, NULL), 0);
	clonefd_spawn_actions_destroy(&fa);

	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_adddup2(&fa, devfd, 7), 0);
	ck_assert_int_eq(clonefd_spawn(&cfd, NULL, "/bin/true", &fa, NULL, argv, environ),
			 EBADF);
	ck_assert_int_eq(cfd, -1);
	clonefd_spawn_actions_destroy(&fa);

	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_addopen(&fa, devfd, "/dev/null", O_RDONLY, 0), 0);
	ck_assert_int_eq(run_sh(null, &fa, NULL), 0);
	clonefd_spawn_actions_destroy(&fa);

	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_adddup2(&fa, 2, devfd), 0);
	ck_assert_int_eq(run_sh(present, &fa, NULL), 0);
	clonefd_spawn_actions_destroy(&fa);

	/* The caller's descriptor is untouched, and still the library's. */
	ck_assert_int_eq(library_devfd(), devfd);
	ck_assert_int_eq(count_fds(), fds);
	assert_no_children();
}
END_TEST

/* --- attributes --- */

/* A /proc/self/status mask line of the child, e.g. "SigBlk". */
static unsigned long long child_mask(const char *line, const clonefd_spawnattr_t *attr)
{
	char script[96];

	snprintf(script, sizeof(script), "sed -n 's/^%s:[[:space:]]*//p' /proc/$$/status", line);
	return strtoull(capture_sh(script, NULL, attr), NULL, 16);
}

#define BIT(sig)	(1ULL << ((sig) - 1))

static int read_status_mask(pid_t pid, const char *name, unsigned long long *mask)
{
	char path[64], line[256];
	size_t len = strlen(name);
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':') {
			*mask = strtoull(line + len + 1, NULL, 16);
			found = 1;
		}
	fclose(f);
	return found;
}

START_TEST(attr_sigmask)
{
	unsigned long long mine = 0;
	clonefd_spawnattr_t attr;
	sigset_t set, now;

	/* By default the caller's mask, not the all-blocked one around the clone. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, &set, NULL), 0);
	ck_assert_int_eq(read_status_mask(getpid(), "SigBlk", &mine), 1);
	ck_assert_uint_ne(mine & BIT(SIGUSR2), 0);
	ck_assert_uint_eq(child_mask("SigBlk", NULL), mine);
	/* SETSIGMASK */
	clonefd_spawnattr_init(&attr);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	clonefd_spawnattr_setsigmask(&attr, &set);
	ck_assert_int_eq(clonefd_spawnattr_setflags(&attr, CLONEFD_SPAWN_SETSIGMASK), 0);
	ck_assert_uint_eq(child_mask("SigBlk", &attr), BIT(SIGUSR1) | BIT(SIGHUP));
	/* The caller's mask is restored. */
	ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, NULL, &now), 0);
	ck_assert_int_eq(sigismember(&now, SIGUSR2), 1);
	ck_assert_int_eq(sigismember(&now, SIGUSR1), 0);
	ck_assert_int_eq(sigismember(&now, SIGTERM), 0);
	ck_assert_int_eq(clonefd_spawnattr_setflags(&attr, 0x4000), EINVAL);
}
END_TEST

START_TEST(attr_sigdefault)
{
	clonefd_spawnattr_t attr;
	sigset_t set;

	signal(SIGTERM, SIG_IGN);
	signal(SIGURG, SIG_IGN);
	/* Ignored signals stay ignored across exec ... */
	ck_assert_uint_eq(child_mask("SigIgn", NULL) & (BIT(SIGTERM) | BIT(SIGURG)),
			  BIT(SIGTERM) | BIT(SIGURG));
	/* ... unless SETSIGDEF resets them. */
	clonefd_spawnattr_init(&attr);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	clonefd_spawnattr_setsigdefault(&attr, &set);
	clonefd_spawnattr_setflags(&attr, CLONEFD_SPAWN_SETSIGDEF);
	ck_assert_uint_eq(child_mask("SigIgn", &attr) & (BIT(SIGTERM) | BIT(SIGURG)),
			  BIT(SIGURG));
}
END_TEST

static void usr1_handler(int sig)
{
	(void)sig;
}

/*
 * Inside the child, before exec: all signals blocked and the caller's
 * handler already reset.  The child is held in an open() of a FIFO (a
 * file action) while a thread of the suspended caller inspects it.
 */
struct inspect {
	pid_t parent;
	unsigned long long blk, cgt;
	int found;
};

/* The process whose parent is @parent, other than ourselves. */
static pid_t find_child(pid_t parent)
{
	char path[300], buf[512], *p;
	struct dirent *e;
	pid_t found = 0;
	int fd, ppid;
	ssize_t n;
	DIR *d = opendir("/proc");

	while (d && (e = readdir(d)) && !found) {
		if (atoi(e->d_name) <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = 0;
		p = strrchr(buf, ')');
		if (p && sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == parent)
			found = atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

static void *inspector(void *arg)
{
	struct inspect *in = arg;
	pid_t child = 0;
	int i, fd;

	for (i = 0; i < 500 && !child; i++) {
		child = find_child(in->parent);
		if (!child)
			usleep(10 * 1000);
	}
	/* Its first step resets the handler; it then waits in open(). */
	for (i = 0; child && i < 500; i++) {
		in->found = read_status_mask(child, "SigBlk", &in->blk) &&
			    read_status_mask(child, "SigCgt", &in->cgt);
		if (!in->found || !(in->cgt & BIT(SIGUSR1)))
			break;
		usleep(10 * 1000);
	}
	fd = open("/tmp/spawn-fifo", O_WRONLY | O_CLOEXEC);	/* release it */
	if (fd >= 0)
		close(fd);
	return NULL;
}

START_TEST(child_setup_before_exec)
{
	struct sigaction sa = { .sa_handler = usr1_handler };
	struct inspect in = { .parent = getpid() };
	clonefd_spawn_actions_t fa;
	unsigned long long cgt = 0;
	pthread_t t;

	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	ck_assert_int_eq(read_status_mask(getpid(), "SigCgt", &cgt), 1);
	ck_assert_uint_ne(cgt & BIT(SIGUSR1), 0);
	ck_assert_int_eq(mkfifo("/tmp/spawn-fifo", 0600), 0);
	clonefd_spawn_actions_init(&fa);
	ck_assert_int_eq(clonefd_spawn_actions_addopen(&fa, 5, "/tmp/spawn-fifo",
						       O_RDONLY, 0), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, inspector, &in), 0);
	ck_assert_int_eq(run_sh("exit 0", &fa, NULL), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	clonefd_spawn_actions_destroy(&fa);
	unlink("/tmp/spawn-fifo");
	ck_assert(in.found);
	/* Every signal blocked (SIGKILL and SIGSTOP cannot be). */
	ck_assert_uint_eq(in.blk & 0x7fffffffULL & ~(BIT(SIGKILL) | BIT(SIGSTOP)),
			  0x7fffffffULL & ~(BIT(SIGKILL) | BIT(SIGSTOP)));
	ck_assert_uint_eq(in.cgt & BIT(SIGUSR1), 0);
}
END_TEST

/* `sh -c 'read x'` with stdin on a pipe: alive until release_reader(). */
static pid_t spawn_reader(const clonefd_spawnattr_t *attr, int *cfd, int *wr)
{
	char *argv[] = { "sh", "-c", "read x", NULL };
	clonefd_spawn_actions_t fa;
	int p[2], err;
	pid_t pid = 0;

	make_pipe(p);
	clonefd_spawn_actions_init(&fa);
	clonefd_spawn_actions_adddup2(&fa, p[0], 0);
	err = clonefd_spawn(cfd, &pid, "/bin/sh", &fa, attr, argv, environ);
	clonefd_spawn_actions_destroy(&fa);
	close(p[0]);
	ck_assert_msg(err == 0, "clonefd_spawn: %s", strerror(err));
	*wr = p[1];
	return pid;
}

static void release_reader(int cfd, int wr)
{
	ck_assert_int_eq(write(wr, "x\n", 2), 2);
	close(wr);
	ck_assert_int_eq(read_info(cfd).status, 0);
	close(cfd);
}

/* The child's process group and session, seen from the parent. */
static void ids_of_child(const clonefd_spawnattr_t *attr, pid_t *pgid, pid_t *sid,
			 pid_t *pidp)
{
	int cfd, wr;
	pid_t pid = spawn_reader(attr, &cfd, &wr);

	*pgid = getpgid(pid);
	*sid = getsid(pid);
	*pidp = pid;
	release_reader(cfd, wr);
}

START_TEST(attr_pgroup_setsid)
{
	clonefd_spawnattr_t attr;
	pid_t pgid, sid, pid;

	ids_of_child(NULL, &pgid, &sid, &pid);
	ck_assert_int_eq(pgid, getpgid(0));
	ck_assert_int_eq(sid, getsid(0));

	clonefd_spawnattr_init(&attr);
	clonefd_spawnattr_setflags(&attr, CLONEFD_SPAWN_SETPGROUP);
	clonefd_spawnattr_setpgroup(&attr, 0);
	ids_of_child(&attr, &pgid, &sid, &pid);
	ck_assert_int_eq(pgid, pid);
	ck_assert_int_eq(sid, getsid(0));

	clonefd_spawnattr_setflags(&attr, CLONEFD_SPAWN_SETSID);
	ids_of_child(&attr, &pgid, &sid, &pid);
	ck_assert_int_eq(pgid, pid);
	ck_assert_int_eq(sid, pid);
	ck_assert_int_eq(clonefd_spawnattr_setpgroup(&attr, -1), EINVAL);
}
END_TEST

START_TEST(attr_scheduler)
{
	struct sched_param param = { .sched_priority = 0 };
	clonefd_spawnattr_t attr;
	char *argv[] = { "true", NULL };
	int cfd = -1, wr;
	pid_t pid;

	clonefd_spawnattr_init(&attr);
	clonefd_spawnattr_setflags(&attr, CLONEFD_SPAWN_SETSCHEDULER);
	ck_assert_int_eq(clonefd_spawnattr_setschedpolicy(&attr, SCHED_BATCH), 0);
	clonefd_spawnattr_setschedparam(&attr, &param);
	pid = spawn_reader(&attr, &cfd, &wr);
	ck_assert_int_eq(sched_getscheduler(pid), SCHED_BATCH);
	release_reader(cfd, wr);

	param.sched_priority = 7;
	clonefd_spawnattr_setschedpolicy(&attr, SCHED_FIFO);
	clonefd_spawnattr_setschedparam(&attr, &param);
	pid = spawn_reader(&attr, &cfd, &wr);
	ck_assert_int_eq(sched_getscheduler(pid), SCHED_FIFO);
	param.sched_priority = 0;
	ck_assert_int_eq(sched_getparam(pid, &param), 0);
	ck_assert_int_eq(param.sched_priority, 7);
	release_reader(cfd, wr);

	/* A priority the policy does not allow: the spawn's error, no child. */
	param.sched_priority = 1000;
	clonefd_spawnattr_setschedparam(&attr, &param);
	cfd = -1;
	ck_assert_int_eq(clonefd_spawn(&cfd, NULL, "/bin/true", NULL, &attr, argv, environ),
			 EINVAL);
	ck_assert_int_eq(cfd, -1);
	ck_assert_int_eq(clonefd_spawnattr_setschedpolicy(&attr, -1), EINVAL);
	assert_no_children();
}
END_TEST

START_TEST(attr_resetids)
{
	clonefd_spawnattr_t attr;

	/* Real ids 0, effective ids nobody (this test runs in its own process). */
	ck_assert_int_eq(setresgid(0, 65534, 0), 0);
	ck_assert_int_eq(setresuid(0, 65534, 0), 0);
	ck_assert_str_eq(capture_sh("sed -n 's/^Uid:[[:space:]]*//p' /proc/$$/status", NULL, NULL),
			 "0\t65534\t65534\t65534");	/* exec: saved := effective */
	clonefd_spawnattr_init(&attr);
	clonefd_spawnattr_setflags(&attr, CLONEFD_SPAWN_RESETIDS);
	ck_assert_str_eq(capture_sh("sed -n 's/^Uid:[[:space:]]*//p' /proc/$$/status", NULL, &attr),
			 "0\t0\t0\t0");
	ck_assert_str_eq(capture_sh("sed -n 's/^Gid:[[:space:]]*//p' /proc/$$/status", NULL, &attr),
			 "0\t0\t0\t0");
}
END_TEST

/*
 * A thousand spawns leave no descriptor and no mapping behind: the one
 * stack the library keeps for the next spawn (guard page and stack: two
 * mappings) exists after the first.
 */
START_TEST(spawn_many_no_growth)
{
	char *argv[] = { "true", NULL };
	int i, cfd, err, fds, maps;
	pid_t pid;

	ck_assert_int_eq(run_sh("exit 0", NULL, NULL), 0);
	fds = count_fds();
	maps = count_maps();
	for (i = 0; i < 1000; i++) {
		err = clonefd_spawn(&cfd, &pid, "/bin/true", NULL, NULL, argv, environ);
		ck_assert_msg(err == 0, "spawn %d: %s", i, strerror(err));
		ck_assert_int_eq(read_info(cfd).status, 0);
		close(cfd);
	}
	ck_assert_int_eq(count_fds(), fds);
	ck_assert_int_eq(count_maps(), maps);
	assert_no_children();
}
END_TEST

static void *spawner(void *arg)
{
	char *argv[] = { "sh", "-c", "exit 4", NULL };
	struct clonefd_info info;
	int i, cfd;

	(void)arg;
	for (i = 0; i < 50; i++) {
		if (clonefd_spawn(&cfd, NULL, "/bin/sh", NULL, NULL, argv, environ))
			return (void *)1;
		if (read(cfd, &info, sizeof(info)) != sizeof(info) || info.status != 4)
			return (void *)2;
		close(cfd);
	}
	return NULL;
}

/* From several threads at once, while the main thread's mask is its own. */
START_TEST(spawn_from_threads)
{
	pthread_t t[4];
	sigset_t now;
	void *ret;
	int i, fds;

	ck_assert_int_eq(run_sh("exit 0", NULL, NULL), 0);
	fds = count_fds();
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, spawner, NULL), 0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], &ret), 0);
		ck_assert_ptr_null(ret);
	}
	ck_assert_int_eq(count_fds(), fds);
	ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, NULL, &now), 0);
	ck_assert_int_eq(sigismember(&now, SIGTERM), 0);
	assert_no_children();
}
END_TEST

START_TEST(spawn_bad_arguments)
{
	char *argv[] = { "true", NULL };
	int cfd = -1;

	ck_assert_int_eq(clonefd_spawn(NULL, NULL, "/bin/true", NULL, NULL, argv, environ),
			 EINVAL);
	ck_assert_int_eq(clonefd_spawn(&cfd, NULL, NULL, NULL, NULL, argv, environ), EINVAL);
	ck_assert_int_eq(cfd, -1);
	assert_no_children();
}
END_TEST

Suite *spawn_suite(void)
{
	Suite *s = suite_create("spawn");
	TCase *tc = tcase_create("clonefd_spawn");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, spawn_success);
	tcase_add_test(tc, spawn_exit_signal);
	tcase_add_loop_test(tc, spawn_exec_failure, 0, 2);
	tcase_add_test(tc, spawnp_path_search);
	tcase_add_test(tc, spawnp_stops_like_execvp);
	tcase_add_test(tc, action_open);
	tcase_add_test(tc, action_close);
	tcase_add_test(tc, action_dup2);
	tcase_add_test(tc, action_chdir_fchdir);
	tcase_add_test(tc, action_closefrom);
	tcase_add_test(tc, actions_in_order);
	tcase_add_test(tc, action_open_full_table);
	tcase_add_test(tc, action_open_closes_first);
	tcase_add_test(tc, action_close_not_open);
	tcase_add_test(tc, actions_fd_range);
	tcase_add_test(tc, actions_library_descriptor);
	tcase_add_test(tc, attr_sigmask);
	tcase_add_test(tc, attr_sigdefault);
	tcase_add_test(tc, child_setup_before_exec);
	tcase_add_test(tc, attr_pgroup_setsid);
	tcase_add_test(tc, attr_scheduler);
	tcase_add_test(tc, attr_resetids);
	tcase_add_test(tc, spawn_many_no_growth);
	tcase_add_test(tc, spawn_from_threads);
	tcase_add_test(tc, spawn_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}
