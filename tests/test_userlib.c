// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * clone4() as a library call: new stacks, CLONE_VM and friends (each with
 * CLONE_FD, and with CLONE_FD|CLONE_AUTOREAP), args_size versions, stack
 * rules, and the cached /dev/clonefd descriptor.
 *
 * A CLONE_VM child that runs while its parent runs shares the parent's
 * thread pointer: its bodies here use raw system calls only.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <unwind.h>

#include "testlib.h"

#define STACK_SIZE	(256 * 1024)

extern char **environ;

/*
 * The two ways a tracked child ends: mode 0 is CLONE_FD with SIGCHLD (a
 * classic child, reaped here), mode 1 CLONE_FD|CLONE_AUTOREAP (no zombie).
 */
static uint64_t mode_flags(int mode)
{
	return mode ? CLONE_FD | CLONE_AUTOREAP : CLONE_FD | SIGCHLD;
}

static void *stack_map(void)
{
	void *p = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

	ck_assert(p != MAP_FAILED);
	return p;
}

/* clone4() with CLONE_FD, on @stack if not NULL; asserts success. */
static pid_t spawn_on(uint64_t flags, void *stack, struct clone4_args *args,
		      int *cfd, int (*fn)(void *), void *arg)
{
	pid_t pid;

	*cfd = -1;
	args->clonefd = cfd;
	args->clonefd_flags = O_CLOEXEC;
	if (stack) {
		args->stack_start = (unsigned long)stack;
		args->stack_size = STACK_SIZE;
	}
	pid = clone4(flags, sizeof(*args), args, fn, arg);
	ck_assert_msg(pid > 0, "clone4(%#llx): %s", (unsigned long long)flags,
		      clonefd_strerror(errno));
	ck_assert_int_ge(*cfd, 0);
	return pid;
}

/* Waits for the child's record, checks it, reaps as @mode says, closes. */
static void finish(int mode, pid_t pid, int cfd, unsigned status)
{
	struct clonefd_info info = read_info(cfd);
	int st;

	ck_assert_int_eq(info.code, CLD_EXITED);
	ck_assert_int_eq(info.status, status);
	if (mode == 0) {
		ck_assert_int_eq(waitpid(pid, &st, __WALL), pid);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == (int)status,
			      "wait status %#x", st);
	} else {
		ck_assert_int_eq(waitpid(pid, NULL, __WALL | WNOHANG), -1);
		ck_assert_int_eq(errno, ECHILD);
	}
	close(cfd);
}

static void raw_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	syscall(SYS_nanosleep, &ts, NULL);
}

/* --- thread-like children: CLONE_VM with a caller-supplied stack --- */

struct shared {
	volatile int written;
	volatile int ready;
	int pipe_rd;
};

static int child_write_shared(void *arg)
{
	struct shared *s = arg;

	s->written = 0x5eed;
	return 21;
}

START_TEST(vm_child_writes_visible)
{
	struct clone4_args args = { 0 };
	struct shared s = { 0 };
	void *stack = stack_map();
	int cfd;
	pid_t pid;

	pid = spawn_on(mode_flags(_i) | CLONE_VM, stack, &args, &cfd,
		       child_write_shared, &s);
	finish(_i, pid, cfd, 21);
	ck_assert_int_eq(s.written, 0x5eed);
	munmap(stack, STACK_SIZE);
}
END_TEST

/* fn's return value is the exit status, 0..255, on a new stack. */
START_TEST(vm_fn_return_is_exit_status)
{
	static const int statuses[] = { 0, 1, 42, 127, 255 };
	struct clone4_args args;
	void *stack = stack_map();
	unsigned i;
	int cfd;
	pid_t pid;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		args = (struct clone4_args){ 0 };
		pid = spawn_on(mode_flags(_i) | CLONE_VM, stack, &args, &cfd,
			       child_exit, (void *)(intptr_t)statuses[i]);
		finish(_i, pid, cfd, statuses[i]);
	}
	munmap(stack, STACK_SIZE);
}
END_TEST

/*
 * The psABI wants 16-byte alignment at a call: fn's frame address and a
 * 16-aligned local prove it, whatever the misalignment of the stack top.
 */
static int __attribute__((noinline)) child_alignment(void *arg)
{
	char __attribute__((aligned(16))) local[16];
	uintptr_t frame = (uintptr_t)__builtin_frame_address(0);
	volatile uintptr_t addr = (uintptr_t)local;

	(void)arg;
	local[0] = 0;
	return (frame % 16 ? 1 : 0) | (addr % 16 ? 2 : 0) | (local[0] ? 4 : 0);
}

START_TEST(stack_alignment_in_fn)
{
	struct clone4_args args;
	char *stack = stack_map();
	int cfd, off;
	pid_t pid;

	for (off = 0; off < 16; off++) {
		args = (struct clone4_args){ 0 };
		/* The top of the stack is misaligned by off bytes. */
		args.stack_start = (unsigned long)stack;
		args.stack_size = STACK_SIZE - off;
		args.clonefd = &cfd;
		pid = clone4(CLONE_VM | mode_flags(_i), sizeof(args), &args,
			     child_alignment, NULL);
		ck_assert_int_gt(pid, 0);
		finish(_i, pid, cfd, 0);
	}
	/* The caller's stack, fork-like and under CLONE_VM|CLONE_VFORK. */
	pid = spawn_fd(mode_flags(_i), 0, &cfd, child_alignment, NULL);
	finish(_i, pid, cfd, 0);
	pid = spawn_fd(mode_flags(_i) | CLONE_VM | CLONE_VFORK, 0, &cfd,
		       child_alignment, NULL);
	finish(_i, pid, cfd, 0);
	munmap(stack, STACK_SIZE);
}
END_TEST

/*
 * fn is the child's outermost frame: the frame pointer it finds is 0 and
 * the unwinder (DWARF CFI) reports the end of the stack right after the
 * trampoline instead of wandering into the parent's frames, off the new
 * stack, or round the trampoline's own frame (which glibc's backtrace()
 * would hide: it stops at a repeated frame).  Frames: _Unwind_Backtrace()
 * itself, fn, the trampoline.  frame[0] is the caller's saved frame
 * pointer on x86_64 (rbp) and arm64 (x29, the frame record).  Without
 * CLONE_VM: the unwinder may use the C library freely.
 */
static _Unwind_Reason_Code count_frame(struct _Unwind_Context *ctx, void *n)
{
	(void)ctx;
	return ++*(int *)n < 16 ? _URC_NO_REASON : _URC_NORMAL_STOP;
}

static int __attribute__((noinline)) child_outermost(void *arg)
{
	void **frame = __builtin_frame_address(0);
	_Unwind_Reason_Code end;
	int n = 0;

	(void)arg;
	if (frame[0])	/* the saved frame pointer of our caller */
		return 1;
	end = _Unwind_Backtrace(count_frame, &n);
	if (end != _URC_END_OF_STACK)
		return 2;
	return n >= 1 && n <= 3 ? 0 : 10 + n;
}

START_TEST(child_is_outermost_frame)
{
	struct clone4_args args = { 0 };
	void *stack = stack_map();
	int cfd;
	pid_t pid;

	pid = spawn_on(mode_flags(_i), stack, &args, &cfd, child_outermost, NULL);
	finish(_i, pid, cfd, 0);
	args = (struct clone4_args){ 0 };
	pid = spawn_on(mode_flags(_i), NULL, &args, &cfd, child_outermost, NULL);
	finish(_i, pid, cfd, 0);
	munmap(stack, STACK_SIZE);
}
END_TEST

/* --- CLONE_VFORK: the parent is suspended until the child execs or exits --- */

struct vfork_child {
	volatile int done;
	int exec;
	char cmd[32];	/* for exec: waits for the end of a pipe we hold */
};

static int child_vfork(void *arg)
{
	struct vfork_child *v = arg;
	char *argv[] = { "sh", "-c", v->cmd, NULL };

	raw_sleep_ms(200);
	v->done = 1;	/* lands in the parent's memory only with CLONE_VM */
	if (v->exec) {
		syscall(SYS_execve, "/bin/sh", argv, environ);
		return 99;
	}
	return 4;
}

/*
 * _i: bit 0 exec; (_i / 2) % 3: 0 CLONE_VFORK, 1 +CLONE_VM and a new stack,
 * 2 +CLONE_VM on the caller's stack; _i / 6 the mode.
 */
START_TEST(vfork_parent_suspended)
{
	int exec = _i & 1, vm = (_i / 2) % 3, mode = _i / 6;
	struct vfork_child v = { .exec = exec };
	struct clone4_args args = { 0 };
	uint64_t flags = mode_flags(mode) | CLONE_VFORK;
	void *stack = vm == 1 ? stack_map() : NULL;
	long t0 = now_ms(), t1;
	int p[2], cfd;
	pid_t pid;

	/* The program exec'd blocks on p[0] until we close p[1]. */
	make_pipe(p);
	ck_assert_int_eq(fcntl(p[0], F_SETFD, 0), 0);
	snprintf(v.cmd, sizeof(v.cmd), "read x <&%d; exit 6", p[0]);
	if (vm)
		flags |= CLONE_VM;
	pid = spawn_on(flags, stack, &args, &cfd, child_vfork, &v);
	t1 = now_ms();
	ck_assert_msg(t1 - t0 >= 200, "clone4 returned after %ld ms", t1 - t0);
	ck_assert_int_eq(v.done, vm ? 1 : 0);
	if (exec) {
		/* Resumed at exec: the program cannot have ended yet. */
		ck_assert_int_eq(wait_readable(cfd, 100), 0);
		close(p[1]);
		finish(mode, pid, cfd, 6);
	} else {
		/* Resumed at exit. */
		close(p[1]);
		ck_assert_int_eq(wait_readable(cfd, TIMEOUT_MS), 1);
		finish(mode, pid, cfd, 4);
	}
	close(p[0]);
	if (stack)
		munmap(stack, STACK_SIZE);
}
END_TEST

/* --- CLONE_SETTLS --- */

#define TLS_MAGIC	0x7e57c0de5eedULL

/*
 * The child reads the thread pointer it was given and our marker 0x100
 * bytes past it, and calls no C library function.  The block holds what
 * compiled code reads through the thread pointer by itself, in glibc's
 * layout for the architecture (below).
 */
struct tls_block {
	uint64_t word[64];
} __attribute__((aligned(64)));

struct tls_result {
	volatile uint64_t tcb, magic;
};

#if defined(__x86_64__)
/*
 * glibc's x86_64 layout (TLS variant II): fs:0 (tcb) and fs:0x10 (self)
 * point to the thread control block, fs:0x28 is the stack guard.
 */
static uint64_t thread_pointer(void)
{
	uint64_t tp;

	__asm__ volatile("movq %%fs:0, %0" : "=r"(tp));
	return tp;
}

static void tls_init(struct tls_block *b)
{
	uint64_t guard;

	__asm__ volatile("movq %%fs:0x28, %0" : "=r"(guard));
	memset(b, 0, sizeof(*b));
	b->word[0] = (uintptr_t)b;
	b->word[2] = (uintptr_t)b;
	b->word[5] = guard;
	b->word[0x100 / 8] = TLS_MAGIC;
}

static int child_tls(void *arg)
{
	struct tls_result *r = arg;
	uint64_t tcb, self, magic;

	__asm__ volatile("movq %%fs:0, %0" : "=r"(tcb));
	__asm__ volatile("movq %%fs:0x10, %0" : "=r"(self));
	__asm__ volatile("movq %%fs:0x100, %0" : "=r"(magic));
	r->tcb = tcb;
	r->magic = magic;
	return magic == TLS_MAGIC && tcb == self ? 0 : 1;
}
#elif defined(__aarch64__)
/*
 * glibc's aarch64 layout (TLS variant I): tpidr_el0 points to the thread
 * control block (dtv, private), the static TLS blocks follow it; the stack
 * guard is a global.
 */
static uint64_t thread_pointer(void)
{
	uint64_t tp;

	__asm__ volatile("mrs %0, tpidr_el0" : "=r"(tp));
	return tp;
}

static void tls_init(struct tls_block *b)
{
	memset(b, 0, sizeof(*b));
	b->word[0x100 / 8] = TLS_MAGIC;
}

static int child_tls(void *arg)
{
	struct tls_result *r = arg;
	uint64_t tcb = thread_pointer();
	uint64_t magic = ((volatile uint64_t *)(uintptr_t)tcb)[0x100 / 8];

	r->tcb = tcb;
	r->magic = magic;
	return magic == TLS_MAGIC ? 0 : 1;
}
#else
#error "tests/test_userlib.c: no thread-pointer layout for this architecture"
#endif

/* _i: 0/1 the mode; 2/3 the same without CLONE_VM (fork-like, fn). */
START_TEST(settls_child_gets_tls)
{
	int mode = _i & 1, vm = !(_i & 2);
	static struct tls_block block;
	struct tls_result r = { 0 };
	struct clone4_args args = { .tls = (uintptr_t)&block };
	void *stack = vm ? stack_map() : NULL;
	uint64_t mine_before, mine_after;
	int cfd;
	pid_t pid;

	tls_init(&block);
	mine_before = thread_pointer();
	pid = spawn_on(mode_flags(mode) | CLONE_SETTLS | (vm ? CLONE_VM : 0),
		       stack, &args, &cfd, child_tls, &r);
	finish(mode, pid, cfd, 0);
	mine_after = thread_pointer();
	ck_assert_uint_eq(mine_after, mine_before);
	ck_assert_uint_ne(mine_before, (uintptr_t)&block);
	if (vm) {
		ck_assert_uint_eq(r.tcb, (uintptr_t)&block);
		ck_assert_uint_eq(r.magic, TLS_MAGIC);
	}
	if (stack)
		munmap(stack, STACK_SIZE);
}
END_TEST

/* --- CLONE_PARENT_SETTID, CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID --- */

static int child_check_ctid(void *arg)
{
	pid_t *ctid = arg;

	return *ctid == (pid_t)syscall(SYS_getpid) ? 0 : 1;
}

/* _i: mode, and bit 1 CLONE_VM with a stack. */
START_TEST(parent_and_child_settid)
{
	int mode = _i & 1, vm = _i >> 1;
	struct clone4_args args;
	void *stack = vm ? stack_map() : NULL;
	pid_t ptid = 0, ctid = 0, pid;
	int cfd;

	args = (struct clone4_args){ .ptid = &ptid, .ctid = &ctid };
	pid = spawn_on(mode_flags(mode) | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
		       (vm ? CLONE_VM : 0), stack, &args, &cfd, child_check_ctid, &ctid);
	ck_assert_int_eq(ptid, pid);	/* before clone4() returned */
	finish(mode, pid, cfd, 0);	/* the child saw its tid in its ctid */
	/* Without CLONE_VM the child wrote its own copy of ctid. */
	ck_assert_int_eq(ctid, vm ? pid : 0);
	if (stack)
		munmap(stack, STACK_SIZE);
}
END_TEST

static int child_wait_pipe(void *arg)
{
	struct shared *s = arg;
	char c;

	s->ready = 1;
	return syscall(SYS_read, s->pipe_rd, &c, 1) == 1 ? 0 : 99;
}

START_TEST(child_cleartid_futex_wake)
{
	struct clone4_args args;
	struct shared s = { 0 };
	struct timespec ts = { 1, 0 };
	void *stack = stack_map();
	volatile pid_t tid = 0;
	int p[2], cfd, n;
	pid_t pid;

	make_pipe(p);
	s.pipe_rd = p[0];
	args = (struct clone4_args){ .ctid = (pid_t *)&tid };
	pid = spawn_on(mode_flags(_i) | CLONE_VM | CLONE_CHILD_SETTID |
		       CLONE_CHILD_CLEARTID, stack, &args, &cfd, child_wait_pipe, &s);
	for (n = 0; !s.ready && n < 5000; n++)
		usleep(1000);
	ck_assert(s.ready);
	ck_assert_int_eq(tid, pid);
	ck_assert_int_eq(wait_readable(cfd, 0), 0);
	poke(p[1]);
	/* The kernel clears tid and wakes its futex when the child exits. */
	for (n = 0; tid && n < 10; n++)
		syscall(SYS_futex, &tid, FUTEX_WAIT, pid, &ts, NULL, 0);
	ck_assert_int_eq(tid, 0);
	finish(_i, pid, cfd, 0);
	close(p[0]);
	close(p[1]);
	munmap(stack, STACK_SIZE);
}
END_TEST

/* --- CLONE_FILES, CLONE_SIGHAND --- */

#define FILES_FD	77

static int child_dup_fd(void *arg)
{
	return dup2((int)(intptr_t)arg, FILES_FD) == FILES_FD ? 0 : 1;
}

START_TEST(clone_files_shares_table)
{
	int p[2], cfd;
	pid_t pid;

	make_pipe(p);
	close(FILES_FD);
	/* Without CLONE_FILES the child's new descriptor stays its own. */
	pid = spawn_fd(mode_flags(_i), 0, &cfd, child_dup_fd, (void *)(intptr_t)p[1]);
	finish(_i, pid, cfd, 0);
	ck_assert_int_eq(fcntl(FILES_FD, F_GETFD), -1);
	pid = spawn_fd(mode_flags(_i) | CLONE_FILES, 0, &cfd, child_dup_fd,
		       (void *)(intptr_t)p[1]);
	finish(_i, pid, cfd, 0);
	ck_assert_int_ge(fcntl(FILES_FD, F_GETFD), 0);
	close(FILES_FD);
	close(p[0]);
	close(p[1]);
}
END_TEST

static void usr1_parent(int sig)
{
	(void)sig;
}

static void usr1_child(int sig)
{
	(void)sig;
}

/* A raw rt_sigaction, so the thread-like child touches no libc state. */
struct k_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

static int child_set_handler(void *arg)
{
	struct k_sigaction ka = { .handler = usr1_child };

	(void)arg;
	return syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8) ? 1 : 0;
}

/* _i: mode, bit 1: CLONE_SIGHAND (else the child's change stays its own). */
START_TEST(sighand_vm_shares_handlers)
{
	int mode = _i & 1, sighand = _i >> 1;
	struct sigaction sa = { .sa_handler = usr1_parent }, now;
	struct clone4_args args = { 0 };
	void *stack = stack_map();
	int cfd;
	pid_t pid;

	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	pid = spawn_on(mode_flags(mode) | CLONE_VM | (sighand ? CLONE_SIGHAND : 0),
		       stack, &args, &cfd, child_set_handler, NULL);
	finish(mode, pid, cfd, 0);
	ck_assert_int_eq(sigaction(SIGUSR1, NULL, &now), 0);
	ck_assert(now.sa_handler == (sighand ? usr1_child : usr1_parent));
	munmap(stack, STACK_SIZE);
}
END_TEST

/* --- CLONE_NEWPID: the child is pid 1 of its namespace --- */

static int child_is_pid1(void *arg)
{
	(void)arg;
	return syscall(SYS_getpid) == 1 ? 0 : 1;
}

/* _i: mode; bit 1: fork-like (fn NULL); bit 2: CLONE_VM with a stack. */
START_TEST(newpid_child_is_pid1)
{
	int mode = _i & 1, forklike = (_i >> 1) & 1, vm = _i >> 2;
	struct clone4_args args = { 0 };
	uint64_t flags = mode_flags(mode) | CLONE_NEWPID;
	void *stack = vm ? stack_map() : NULL;
	int cfd;
	pid_t pid;

	if (forklike) {
		args = (struct clone4_args){ .clonefd = &cfd };
		pid = clone4(flags, sizeof(args), &args, NULL, NULL);
		if (pid == 0)
			_exit(getpid() == 1 ? 0 : 1);
		ck_assert_int_gt(pid, 0);
	} else {
		pid = spawn_on(flags | (vm ? CLONE_VM : 0), stack, &args, &cfd,
			       child_is_pid1, NULL);
	}
	ck_assert_int_ne(pid, 1);	/* the parent sees its own pid for it */
	finish(mode, pid, cfd, 0);
	if (stack)
		munmap(stack, STACK_SIZE);
}
END_TEST

/* --- args_size versions --- */

START_TEST(args_size_versions)
{
	long page = sysconf(_SC_PAGESIZE);
	struct {
		struct clone4_args a;
		char tail[16];
	} big;
	struct clone4_args *edge;
	pid_t ptid = 0, pid;
	char *map;
	int cfd = -1;

	ck_assert_uint_eq(CLONE4_ARGS_SIZE_VER0, sizeof(struct clone4_args));

	/* VER0, ending at an unmapped page: nothing past args_size is read. */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(map != MAP_FAILED);
	ck_assert_int_eq(mprotect(map + page, page, PROT_NONE), 0);
	edge = (struct clone4_args *)(map + page - CLONE4_ARGS_SIZE_VER0);
	*edge = (struct clone4_args){ .clonefd = &cfd };
	pid = clone4(CLONE_FD | SIGCHLD, CLONE4_ARGS_SIZE_VER0, edge, child_exit, (void *)3);
	ck_assert_int_gt(pid, 0);
	finish(0, pid, cfd, 3);

	/* An older, smaller struct: the fields it lacks read as zero. */
	memset(&big, 0xff, sizeof(big));
	big.a.ptid = &ptid;
	pid = clone4(CLONE_PARENT_SETTID | SIGCHLD,
		     offsetof(struct clone4_args, ctid), &big.a, child_exit, (void *)4);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(ptid, pid);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);

	/* Larger with a zero tail: accepted; with a non-zero tail: E2BIG. */
	memset(&big, 0, sizeof(big));
	big.a.clonefd = &cfd;
	pid = clone4(CLONE_FD | CLONE_AUTOREAP, sizeof(big), &big.a, child_exit, (void *)5);
	ck_assert_int_gt(pid, 0);
	finish(1, pid, cfd, 5);
	big.tail[15] = 1;
	cfd = -1;
	ck_assert_int_eq(clone4(CLONE_FD | SIGCHLD, sizeof(big), &big.a, child_exit, NULL), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_int_eq(cfd, -1);

	/* NULL with size 0: a plain child. */
	pid = clone4(SIGCHLD, 0, NULL, child_exit, (void *)6);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	munmap(map, 2 * page);
}
END_TEST

/* The library's own stack rules: EINVAL, and nothing created or leaked. */
START_TEST(stack_rules_einval)
{
	struct clone4_args args;
	char *stack = stack_map();
	int fds, cfd = -1;

	/* Cache the device descriptor first. */
	ck_assert_int_eq(waitpid(clone4(SIGCHLD, 0, NULL, child_exit, NULL), NULL, 0) > 0, 1);
	fds = count_fds();

	args = (struct clone4_args){ .stack_start = (unsigned long)stack,
				     .stack_size = STACK_SIZE, .clonefd = &cfd };
	ck_assert_int_eq(clone4(CLONE_FD | SIGCHLD, sizeof(args), &args, NULL, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);	/* fn NULL on a new stack */
	args.stack_start = args.stack_size = 0;
	ck_assert_int_eq(clone4(CLONE_FD | CLONE_VM | CLONE_VFORK | SIGCHLD,
				sizeof(args), &args, NULL, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);	/* fn NULL with CLONE_VM */
	ck_assert_int_eq(clone4(CLONE_FD | CLONE_VM | SIGCHLD, sizeof(args), &args,
				child_exit, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);	/* one stack for two processes */
	args.stack_start = (unsigned long)stack;
	ck_assert_int_eq(clone4(CLONE_FD | SIGCHLD, sizeof(args), &args, child_exit, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);	/* start without size */
	args.stack_start = 0;
	args.stack_size = STACK_SIZE;
	ck_assert_int_eq(clone4(CLONE_FD | SIGCHLD, sizeof(args), &args, child_exit, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);	/* size without start */

	ck_assert_int_eq(cfd, -1);
	ck_assert_int_eq(count_fds(), fds);
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	munmap(stack, STACK_SIZE);
}
END_TEST

/* --- the cached /dev/clonefd descriptor --- */

/* The descriptors open on /dev/clonefd; returns how many, *fd the last. */
static int device_fds(int *fd)
{
	char path[300], target[64];
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	ssize_t len;

	ck_assert_ptr_nonnull(d);
	*fd = -1;
	while ((e = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = 0;
		if (!strcmp(target, "/dev/clonefd")) {
			*fd = atoi(e->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}

static void spawn_and_reap(void)
{
	int cfd;
	pid_t pid = spawn_fd(SIGCHLD, O_CLOEXEC, &cfd, child_exit, (void *)9);

	finish(0, pid, cfd, 9);
}

/* closefrom(3), then clone4(): 0 if that worked and cached one descriptor. */
static int sweep_then_spawn(void)
{
	int st, cfd = -1;
	struct clone4_args args = { .clonefd = &cfd };
	struct clonefd_info info;
	pid_t sub = fork(), pid;

	if (sub == 0) {
		if (syscall(SYS_close_range, 3, ~0U, 0))
			_exit(1);
		pid = clone4(CLONE_FD | CLONE_AUTOREAP, sizeof(args), &args, child_exit,
			     (void *)2);
		if (pid < 0 || read(cfd, &info, sizeof(info)) != sizeof(info) ||
		    info.status != 2)
			_exit(2);
		close(cfd);
		/* Exactly 0, 1, 2 and the new /dev/clonefd descriptor. */
		_exit(fcntl(3, F_GETFD) >= 0 && fcntl(4, F_GETFD) < 0 ? 0 : 3);
	}
	ck_assert_int_eq(waitpid(sub, &st, 0), sub);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

START_TEST(device_fd_closed_behind_our_back)
{
	struct stat st;
	int fd, p[2], fds;

	spawn_and_reap();
	ck_assert_int_eq(device_fds(&fd), 1);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);

	/* Closed: reopened. */
	close(fd);
	spawn_and_reap();
	ck_assert_int_eq(device_fds(&fd), 1);

	/* Replaced by another file: left alone, and the device reopened. */
	make_pipe(p);
	ck_assert_int_eq(dup2(p[0], fd), fd);
	spawn_and_reap();
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_int_eq(device_fds(&fd), 1);

	/* A descriptor sweep (closefrom), in a subprocess: Check has its own. */
	ck_assert_int_eq(sweep_then_spawn(), 0);

	/* And then it is reused: no descriptor per call. */
	fds = count_fds();
	spawn_and_reap();
	spawn_and_reap();
	ck_assert_int_eq(count_fds(), fds);
}
END_TEST

/* Child bodies: 0 if descriptor (int)arg is closed / open in the child. */
static int child_fd_closed(void *arg)
{
	return syscall(SYS_fcntl, (int)(intptr_t)arg, F_GETFD) < 0 ? 0 : 1;
}

static int child_fd_open(void *arg)
{
	return child_fd_closed(arg) ? 0 : 1;
}

/* Children do not keep the library's descriptor (it would pin the module). */
START_TEST(child_does_not_inherit_device_fd)
{
	struct clone4_args args = { 0 };
	void *stack = stack_map();
	int fd, cfd;
	pid_t pid;

	spawn_and_reap();
	ck_assert_int_eq(device_fds(&fd), 1);
	pid = spawn_fd(mode_flags(_i), 0, &cfd, child_fd_closed, (void *)(intptr_t)fd);
	finish(_i, pid, cfd, 0);
	pid = spawn_on(mode_flags(_i) | CLONE_VM, stack, &args, &cfd, child_fd_closed,
		       (void *)(intptr_t)fd);
	finish(_i, pid, cfd, 0);
	/* ... unless it shares the descriptor table. */
	pid = spawn_fd(mode_flags(_i) | CLONE_FILES, 0, &cfd, child_fd_open,
		       (void *)(intptr_t)fd);
	finish(_i, pid, cfd, 0);
	/* The fork-like child, which then spawns a child of its own. */
	args = (struct clone4_args){ .clonefd = &cfd };
	pid = clone4(mode_flags(_i), sizeof(args), &args, NULL, NULL);
	if (pid == 0) {
		int n, dfd;
		pid_t grandchild;

		if (fcntl(fd, F_GETFD) >= 0)
			_exit(1);
		grandchild = clone4(SIGCHLD, 0, NULL, child_exit, (void *)0);
		if (grandchild < 0 || waitpid(grandchild, NULL, 0) != grandchild)
			_exit(2);
		n = device_fds(&dfd);
		_exit(n == 1 ? 0 : 3);
	}
	ck_assert_int_gt(pid, 0);
	finish(_i, pid, cfd, 0);
	/* The parent's cached descriptor is still there and still used. */
	ck_assert_int_eq(device_fds(&cfd), 1);
	ck_assert_int_eq(cfd, fd);
	munmap(stack, STACK_SIZE);
}
END_TEST

static void *spawner_thread(void *arg)
{
	int i, st;
	pid_t pid;

	(void)arg;
	for (i = 0; i < 20; i++) {
		pid = clone4(SIGCHLD, 0, NULL, child_exit, (void *)1);
		if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0x100)
			return (void *)1;
	}
	return NULL;
}

/* Concurrent first use: one cached descriptor, every call succeeds. */
START_TEST(device_fd_concurrent_first_use)
{
	pthread_t t[4];
	void *ret;
	int i, fd;

	ck_assert_int_eq(device_fds(&fd), 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, spawner_thread, NULL), 0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], &ret), 0);
		ck_assert_ptr_null(ret);
	}
	ck_assert_int_eq(device_fds(&fd), 1);
}
END_TEST

/* Without /dev/clonefd (a private mount namespace hides it): ENOSYS. */
START_TEST(no_device_enosys)
{
	char *argv[] = { "true", NULL };
	int st, cfd = -1;
	pid_t sub = fork();

	if (sub == 0) {
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("tmpfs", "/dev", "tmpfs", 0, NULL))
			_exit(1);
		if (clone4(SIGCHLD, 0, NULL, child_exit, NULL) != -1 || errno != ENOSYS)
			_exit(2);
		if (!strstr(clonefd_strerror(ENOSYS), "module"))
			_exit(3);
		if (clonefd_spawn(&cfd, NULL, "/bin/true", NULL, NULL, argv, environ) != ENOSYS ||
		    cfd != -1)
			_exit(4);
		_exit(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD ? 0 : 5);
	}
	ck_assert_int_eq(waitpid(sub, &st, 0), sub);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
}
END_TEST

Suite *userlib_suite(void)
{
	Suite *s = suite_create("userlib");
	TCase *tc = tcase_create("clone4");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, vm_child_writes_visible, 0, 2);
	tcase_add_loop_test(tc, vm_fn_return_is_exit_status, 0, 2);
	tcase_add_loop_test(tc, stack_alignment_in_fn, 0, 2);
	tcase_add_loop_test(tc, child_is_outermost_frame, 0, 2);
	tcase_add_loop_test(tc, vfork_parent_suspended, 0, 12);
	tcase_add_loop_test(tc, settls_child_gets_tls, 0, 4);
	tcase_add_loop_test(tc, parent_and_child_settid, 0, 4);
	tcase_add_loop_test(tc, child_cleartid_futex_wake, 0, 2);
	tcase_add_loop_test(tc, clone_files_shares_table, 0, 2);
	tcase_add_loop_test(tc, sighand_vm_shares_handlers, 0, 4);
	tcase_add_loop_test(tc, newpid_child_is_pid1, 0, 6);
	tcase_add_test(tc, args_size_versions);
	tcase_add_test(tc, stack_rules_einval);
	tcase_add_test(tc, device_fd_closed_behind_our_back);
	tcase_add_test(tc, device_fd_concurrent_first_use);
	tcase_add_loop_test(tc, child_does_not_inherit_device_fd, 0, 2);
	tcase_add_test(tc, no_device_enosys);
	suite_add_tcase(s, tc);
	return s;
}
