// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * compat32 - CLONEFD_IOC_CLONE4 from a 32-bit process, through the
 * module's compat_ptr_ioctl: an ia32 program on x86_64 (built with -m32),
 * an AArch32 (armhf) one on arm64.  Built -static; the Check suite runs it
 * (test_core.c, compat32_caller) and expects exit status 0.
 *
 * Issues the ioctl directly (libclonefd has no 32-bit trampoline):
 * a fork-like child exits 5; the clonefd must report exactly that.  Then,
 * under a seccomp filter that denies the 32-bit clone(2) with EPERM, the
 * request must be judged as that call: EPERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/clonefd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#if defined(__i386__)
#define AUDIT_ARCH_COMPAT	AUDIT_ARCH_I386
#elif defined(__arm__)
#define AUDIT_ARCH_COMPAT	AUDIT_ARCH_ARM
#else
#error "compat32: not a 32-bit compat architecture"
#endif

/*
 * This ABI's clone (120 on ia32 and on AArch32) -> EPERM, anything else
 * allowed; calls of the native 64-bit ABI killed.
 */
static int deny_compat_clone(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_COMPAT, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

int main(void)
{
	struct clonefd_clone4_args req = { .flags = CLONE_FD | SIGCHLD };
	struct clonefd_info info;
	int dev, cfd = -1, st;
	long pid;

	dev = open("/dev/clonefd", O_RDONLY | O_CLOEXEC);
	if (dev < 0)
		return 10;
	req.clonefd = (uintptr_t)&cfd;
	req.clonefd_flags = O_CLOEXEC;
	pid = ioctl(dev, CLONEFD_IOC_CLONE4, &req);
	if (pid == 0)
		_exit(5);
	if (pid < 0) {
		fprintf(stderr, "compat32: ioctl: %m\n");
		return 11;
	}
	if (cfd < 0 || read(cfd, &info, sizeof(info)) != sizeof(info))
		return 12;
	if (info.code != CLD_EXITED || info.status != 5)
		return 13;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 5)
		return 14;
	/* A bad clonefd pointer fails cleanly here too. */
	req.clonefd = 0;
	if (ioctl(dev, CLONEFD_IOC_CLONE4, &req) != -1 || errno != EFAULT)
		return 15;

	pid = fork();
	if (pid == 0) {
		req.clonefd = (uintptr_t)&cfd;
		if (deny_compat_clone())
			_exit(20);
		_exit(ioctl(dev, CLONEFD_IOC_CLONE4, &req) == -1 && errno == EPERM ? 0 : 21);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 16;
	return WEXITSTATUS(st);
}
