// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/* Bad input: every rule of CLONEFD_IOC_CLONE4 and clone4(), nothing leaked. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

static int devfd = -1;
static int fds_before;

static void open_device(void)
{
	devfd = open("/dev/clonefd", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(devfd, 0);
	fds_before = count_fds();
}

/* Nothing was created: no child, no descriptor. */
static void assert_nothing_left(void)
{
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	ck_assert_int_eq(count_fds(), fds_before);
}

static unsigned long cmd_size(size_t size)
{
	return _IOC(_IOC_WRITE, CLONEFD_IOC_MAGIC, 0, size);
}

/* Issues the request; a child that gets created exits at once. */
static int issue(unsigned long cmd, void *req)
{
	int ret = ioctl(devfd, cmd, req);

	if (ret == 0)
		_exit(0);
	return ret < 0 ? -errno : ret;
}

static int issue_args(struct clonefd_clone4_args *req)
{
	return issue(CLONEFD_IOC_CLONE4, req);
}

START_TEST(device_is_world_usable)
{
	struct stat st;

	ck_assert_int_eq(stat("/dev/clonefd", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0666);
}
END_TEST

START_TEST(unknown_flags_einval)
{
	static const uint64_t bad[] = {
		1ULL << 32 << 1 /* CLONE_INTO_CGROUP: needs a cgroup fd */,
		1ULL << 37 /* above 7.1's CLONE_PIDFD_AUTOKILL */, 1ULL << 40,
		1ULL << 63, CLONE_PIDFD, CLONE_DETACHED,
	};
	struct clonefd_clone4_args req;
	unsigned i;

	open_device();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req = (struct clonefd_clone4_args){ .flags = bad[i] | SIGCHLD };
		ck_assert_msg(issue_args(&req) == -EINVAL, "flag %#llx accepted",
			      (unsigned long long)bad[i]);
	}
	req = (struct clonefd_clone4_args){ .flags = 0xff };	/* exit signal 255 */
	ck_assert_int_eq(issue_args(&req), -EINVAL);
	assert_nothing_left();
}
END_TEST

START_TEST(bad_clonefd_flags_einval)
{
	static const uint64_t bad[] = { O_APPEND, O_RDWR, O_NOFOLLOW, 1ULL << 40 };
	struct clonefd_clone4_args req;
	int cfd = -1;
	unsigned i;

	open_device();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req = (struct clonefd_clone4_args){
			.flags = CLONE_FD | SIGCHLD, .clonefd = (uintptr_t)&cfd,
			.clonefd_flags = bad[i] | O_CLOEXEC,
		};
		ck_assert_int_eq(issue_args(&req), -EINVAL);
	}
	/* clonefd fields without CLONE_FD */
	req = (struct clonefd_clone4_args){ .flags = SIGCHLD, .clonefd_flags = O_CLOEXEC };
	ck_assert_int_eq(issue_args(&req), -EINVAL);
	req = (struct clonefd_clone4_args){ .flags = SIGCHLD, .clonefd = (uintptr_t)&cfd };
	ck_assert_int_eq(issue_args(&req), -EINVAL);
	ck_assert_int_eq(cfd, -1);
	assert_nothing_left();
}
END_TEST

START_TEST(bad_pointers_efault)
{
	struct clonefd_clone4_args req = { .flags = CLONE_FD | SIGCHLD };
	void *none, *ro;

	open_device();
	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(none != MAP_FAILED && ro != MAP_FAILED);

	ck_assert_int_eq(issue(CLONEFD_IOC_CLONE4, NULL), -EFAULT);
	ck_assert_int_eq(issue(CLONEFD_IOC_CLONE4, none), -EFAULT);
	req.clonefd = 0;
	ck_assert_int_eq(issue_args(&req), -EFAULT);
	req.clonefd = (uintptr_t)none;
	ck_assert_int_eq(issue_args(&req), -EFAULT);
	req.clonefd = (uintptr_t)ro;
	ck_assert_int_eq(issue_args(&req), -EFAULT);
	req.clonefd = 0xffff800000000000ULL;
	ck_assert_int_eq(issue_args(&req), -EFAULT);
	assert_nothing_left();
}
END_TEST

START_TEST(size_rules)
{
	struct {
		struct clonefd_clone4_args a;
		uint64_t tail[2];
	} big = { .a = { .flags = SIGCHLD } };
	int st, ret;

	open_device();
	ck_assert_int_eq(issue(cmd_size(0), &big), -EINVAL);
	ck_assert_int_eq(issue(cmd_size(8), &big), -EINVAL);
	ck_assert_int_eq(issue(cmd_size(CLONEFD_CLONE4_ARGS_SIZE_VER0 - 8), &big), -EINVAL);
	big.tail[1] = 1;
	ck_assert_int_eq(issue(cmd_size(sizeof(big)), &big), -E2BIG);
	assert_nothing_left();

	/* A larger struct with a zero tail is accepted. */
	big.tail[1] = 0;
	ret = issue(cmd_size(sizeof(big)), &big);
	ck_assert_int_gt(ret, 0);
	ck_assert_int_eq(waitpid(ret, &st, 0), ret);
	ck_assert_int_eq(st, 0);
	/* A size that is not a multiple of 8 is fine too. */
	ret = issue(cmd_size(CLONEFD_CLONE4_ARGS_SIZE_VER0 + 3), &big);
	ck_assert_int_gt(ret, 0);
	ck_assert_int_eq(waitpid(ret, &st, 0), ret);
}
END_TEST

START_TEST(wrong_request_enotty)
{
	struct clonefd_clone4_args req = { .flags = SIGCHLD };

	open_device();
	ck_assert_int_eq(issue(_IOC(_IOC_READ, CLONEFD_IOC_MAGIC, 0, sizeof(req)), &req), -ENOTTY);
	ck_assert_int_eq(issue(_IOC(_IOC_WRITE, CLONEFD_IOC_MAGIC, 1, sizeof(req)), &req), -ENOTTY);
	ck_assert_int_eq(issue(_IOC(_IOC_WRITE, 'x', 0, sizeof(req)), &req), -ENOTTY);
	assert_nothing_left();
}
END_TEST

START_TEST(stack_rules)
{
	struct clonefd_clone4_args req = { .flags = SIGCHLD };

	open_device();
	req.stack_start = 0x10000;
	ck_assert_int_eq(issue_args(&req), -EINVAL);
	req.stack_start = 0;
	req.stack_size = 4096;
	ck_assert_int_eq(issue_args(&req), -EINVAL);
	req.stack_start = 0xffff800000000000ULL;
	ck_assert_int_eq(issue_args(&req), -EINVAL);
	assert_nothing_left();
}
END_TEST

START_TEST(clone4_args_size)
{
	struct {
		struct clone4_args a;
		char tail[8];
	} big;
	int cfd = -1;
	pid_t pid;

	memset(&big, 0, sizeof(big));
	big.a.clonefd = &cfd;
	big.tail[7] = 1;
	ck_assert_int_eq(clone4(CLONE_FD | SIGCHLD, sizeof(big), &big.a, child_exit, NULL), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_int_eq(clone4(SIGCHLD, 8, NULL, child_exit, NULL), -1);
	ck_assert_int_eq(errno, EFAULT);
	big.tail[7] = 0;
	pid = clone4(CLONE_FD | SIGCHLD, sizeof(big), &big.a, child_exit, (void *)5);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(read_info(cfd).status, 5);
	waitpid(pid, NULL, 0);
}
END_TEST

START_TEST(clone_failure_leaves_nothing)
{
	struct clonefd_clone4_args req;
	int cfd = -1;

	open_device();
	/* copy_process() rejects CLONE_SIGHAND without CLONE_VM. */
	req = (struct clonefd_clone4_args){
		.flags = CLONE_FD | CLONE_SIGHAND | SIGCHLD, .clonefd = (uintptr_t)&cfd,
	};
	ck_assert_int_eq(issue_args(&req), -EINVAL);
	/* ... and CLONE_NEWUSER together with CLONE_FS. */
	req.flags = CLONE_FD | CLONE_AUTOREAP | CLONE_NEWUSER | CLONE_FS;
	ck_assert_int_eq(issue_args(&req), -EINVAL);
	assert_nothing_left();
}
END_TEST

/* Writes @value to @path; 0 or the errno of the write. */
static int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	if (write(fd, value, strlen(value)) != (ssize_t)strlen(value))
		err = errno;
	close(fd);
	return err;
}

/*
 * Hooks switched off under the module: a request is refused with ENOLINK
 * and creates nothing; once they are back, requests work and leave nothing
 * tracked.  @knob is a file taking "0"/"1", @off/@on what to write there;
 * @stops_kprobes: whether @off must disarm the module's kprobes (else the
 * request may also succeed, with a right record).
 */
static void disarm_refuse_rearm(const char *knob, const char *off, const char *on,
				bool stops_kprobes)
{
	struct clonefd_info info;
	int cfd = -1, err;
	pid_t pid;

	pid = spawn_fd(CLONE_AUTOREAP, O_CLOEXEC, &cfd, child_exit, (void *)3);
	info = read_info(cfd);
	ck_assert_int_eq(info.status, 3);
	close(cfd);
	fds_before = count_fds();

	switch ((err = write_file(knob, off))) {
	case 0:
		break;
	case EOPNOTSUPP:
		/* Linux 7.3 no longer lets ftrace be switched off this way. */
		printf("%s: the kernel refuses %s (EOPNOTSUPP): the hooks stay armed\n",
		       knob, off);
		goto armed;
	default:
		ck_abort_msg("%s: %s", knob, strerror(err));
	}
	errno = 0;
	pid = clone4(CLONE_FD | CLONE_AUTOREAP, sizeof(struct clone4_args),
		     &(struct clone4_args){ .clonefd = &cfd }, child_exit, NULL);
	err = errno;
	ck_assert_int_eq(write_file(knob, on), 0);
	if (pid > 0 && !stops_kprobes) {
		/* arm64's kprobes are not ftrace-based: still armed. */
		printf("%s=%s left the kprobes armed: the child was created\n", knob, off);
		info = read_info(cfd);
		ck_assert_int_eq(info.code, CLD_EXITED);
		close(cfd);
		goto armed;
	}
	ck_assert_int_eq(pid, -1);
	ck_assert_int_eq(err, ENOLINK);
	ck_assert_ptr_nonnull(strstr(clonefd_strerror(ENOLINK), "disarmed"));
	assert_nothing_left();
armed:
	pid = spawn_fd(CLONE_AUTOREAP, O_CLOEXEC, &cfd, child_exit, (void *)4);
	info = read_info(cfd);
	ck_assert_int_eq(info.code, CLD_EXITED);
	ck_assert_int_eq(info.status, 4);
	ck_assert_int_eq(kill(pid, 0), -1);
	close(cfd);
	assert_nothing_left();
	ck_assert_int_eq(module_tracked(), 0);
}

START_TEST(kprobes_disarmed_enolink)
{
	if (access("/sys/kernel/debug/kprobes/enabled", W_OK))
		ck_assert_int_eq(mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL), 0);
	disarm_refuse_rearm("/sys/kernel/debug/kprobes/enabled", "0", "1", true);
}
END_TEST

START_TEST(ftrace_disabled_enolink)
{
	/* Debian's x86 kernels put kprobes on ftrace; arm64's do not. */
#if defined(__x86_64__)
	disarm_refuse_rearm("/proc/sys/kernel/ftrace_enabled", "0", "1", true);
#else
	disarm_refuse_rearm("/proc/sys/kernel/ftrace_enabled", "0", "1", false);
#endif
}
END_TEST

Suite *errors_suite(void)
{
	Suite *s = suite_create("errors");
	TCase *tc = tcase_create("bad_input");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, device_is_world_usable);
	tcase_add_test(tc, unknown_flags_einval);
	tcase_add_test(tc, bad_clonefd_flags_einval);
	tcase_add_test(tc, bad_pointers_efault);
	tcase_add_test(tc, size_rules);
	tcase_add_test(tc, wrong_request_enotty);
	tcase_add_test(tc, stack_rules);
	tcase_add_test(tc, clone4_args_size);
	tcase_add_test(tc, clone_failure_leaves_nothing);
	tcase_add_test(tc, kprobes_disarmed_enolink);
	tcase_add_test(tc, ftrace_disabled_enolink);
	suite_add_tcase(s, tc);
	return s;
}
