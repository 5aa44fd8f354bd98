// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * clonefd-fuzz - ioctl fuzzer for /dev/clonefd and its clonefd files, run
 * as root in the test VM with the module loaded.
 *
 * Each iteration issues one random request on /dev/clonefd or one random
 * operation on an open clonefd, and checks the result against a model of
 * the documented rules (include/uapi/linux/clonefd.h, module/ioctl.c):
 *
 *   /dev/clonefd ioctl, in the module's order
 *     ENOTTY  type, number or direction of the request not CLONEFD_IOC_CLONE4
 *     EINVAL  size below CLONEFD_CLONE4_ARGS_SIZE_VER0 (64)
 *     EFAULT  the tail beyond 64 bytes unreadable (up to its first non-zero
 *             byte), or the first 64 bytes unreadable
 *     E2BIG   a non-zero byte in the tail
 *     EINVAL  invalid flags (unknown bits, exit signal > 64, CLONE_AUTOREAP
 *             with an exit signal, CLONE_PARENT or CLONE_THREAD, CLONE_FD
 *             or CLONE_NNP with CLONE_THREAD, CLONE_PIDFD_AUTOKILL without
 *             both CLONE_FD and CLONE_AUTOREAP, clonefd or clonefd_flags
 *             without CLONE_FD,
 *             clonefd_flags beyond O_CLOEXEC|O_NONBLOCK) or stack (start
 *             and size not both zero or both set, range not user memory)
 *     EFAULT  CLONE_FD and the clonefd pointer not writable
 *     then clone(2) itself: a child, or one of clone(2)'s errors (EINVAL,
 *     EPERM, ENOMEM, ENOSPC, EUSERS, EAGAIN)
 *   read/write on /dev/clonefd: EINVAL
 *   clonefd files: read (EFAULT for a buffer outside user memory, EINVAL
 *     below 24 bytes, EAGAIN before the exit (O_NONBLOCK), EFAULT for an
 *     unwritable buffer, else the record), write EBADF, lseek ESPIPE,
 *     ioctl ENOTTY for other drivers' requests (those the VFS handles
 *     itself and the clonefd's own, magic 0xCF, excluded), poll
 *     consistent with read.
 *
 * Pointers: NULL, unmapped, kernel, non-canonical, misaligned, read-only
 * (a second, read-only mapping of the same memory), straddling into a
 * guard page, and userfaultfd-stalled (a handler thread resolves the fault
 * after a random delay; skipped where the kernel has no userfaultfd).
 * Sizes 0..4 KiB (sometimes up to the ioctl's 16 KiB limit).
 *
 * A valid request creates a real child, which exits at once through a raw
 * exit system call (it runs on whatever stack, TLS and memory the request
 * gave it, and touches none of them).  Every record must read "exited 0".
 * Children are reaped (the fuzzing process runs under a supervisor that
 * reaps what CLONE_PARENT hands it); the run ends with the module's tracked
 * count and refcnt at their baselines, no zombie, descriptors unchanged.
 *
 * Seeded (--seed, printed first); --iterations N replays exactly N steps,
 * --seconds S stops after S seconds (default 60).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/clonefd.h>

#include "common.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD		0x00001000
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND	0x100000000ULL
#endif
#define CLONE_DETACHED_		0x00400000ULL
#define CSIGNAL_		0xffULL

#define LEGACY_FLAGS	(0xffffffffULL & ~(CSIGNAL_ | CLONE_PIDFD | CLONE_DETACHED_))
#define VALID_FLAGS	(LEGACY_FLAGS | CLONE_CLEAR_SIGHAND | CLONE_AUTOREAP | CLONE_NNP | \
			 CLONE_PIDFD_AUTOKILL | CLONE_FD | CSIGNAL_)

#define PG		4096UL
#define MAXSZ		((1UL << _IOC_SIZEBITS) - 1)	/* 16383 */
#define KERNEL_ADDR	0xffff888000000000ULL
#define KTEXT_ADDR	0xffffffff81000000ULL
#define NONCANON_ADDR	0x8000000000000000ULL
/* access_ok(): a range ending at or below this is user memory on every kernel */
#define USER_SAFE_END	0x7ff000000000ULL
#define USER_END	0x800000000000ULL

/*
 * Memory: one memfd of ARENA pages, mapped read-write at rw and read-only
 * at ro, each followed by a PROT_NONE guard page; a scratch page; and the
 * userfaultfd area: one normal page, then UPAGES registered pages.
 */
#define ARENA		4
#define UPAGES		2
#define UNMAPPED_PAGES	7	/* > PG + MAXSZ */
static char *rw, *ro, *scratch, *uarea, *ubase;
static char *usrc;		/* contents the handler copies into uarea */
static int uffd = -1;
static volatile long uffd_stalls;
static volatile int uffd_quit;
static uint64_t uffd_seed;
static char *unmapped;		/* an address range known to be unmapped */
/*
 * ptid/ctid targets: clone(2) and its CLONE_VM children write there at any
 * time (CLONE_CHILD_SETTID at the child's start, CLONE_CHILD_CLEARTID at
 * its exit), so they get a page nothing else uses.
 */
static char *tids;

static int in_tids(uintptr_t a)
{
	return a >= (uintptr_t)tids && a < (uintptr_t)tids + PG;
}

static int readable(uintptr_t a)
{
	uintptr_t r = (uintptr_t)rw, o = (uintptr_t)ro, s = (uintptr_t)scratch;
	uintptr_t u = (uintptr_t)uarea;

	return (a >= r && a < r + ARENA * PG) || (a >= o && a < o + ARENA * PG) ||
	       (a >= s && a < s + PG) || (uffd >= 0 && a >= u && a < u + (1 + UPAGES) * PG) ||
	       (uffd < 0 && a >= u && a < u + PG) || in_tids(a);
}

static int writable(uintptr_t a)
{
	uintptr_t o = (uintptr_t)ro;

	return readable(a) && !(a >= o && a < o + ARENA * PG);
}


static int range(int (*pred)(uintptr_t), uintptr_t a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a + i < a || !pred(a + i))
			return 0;
	return 1;
}

/* Where the byte the kernel sees at @a is stored for us to write. */
static char *store(uintptr_t a)
{
	uintptr_t o = (uintptr_t)ro, u = (uintptr_t)ubase;

	if (a >= o && a < o + ARENA * PG)
		return rw + (a - o);
	if (uffd >= 0 && a >= u && a < u + UPAGES * PG)
		return usrc + (a - u);
	if (readable(a))
		return (char *)a;
	return NULL;
}

/* Where to read what the kernel wrote at @a (a resolved page, or the alias). */
static char *load(uintptr_t a)
{
	uintptr_t o = (uintptr_t)ro;

	if (a >= o && a < o + ARENA * PG)
		return rw + (a - o);
	return (char *)a;
}

/* The read-only view is an alias of the read-write one: compare storage. */
static uintptr_t canon(uintptr_t a)
{
	uintptr_t o = (uintptr_t)ro;

	return a >= o && a < o + ARENA * PG + PG ? (uintptr_t)rw + (a - o) : a;
}

static int overlaps(uintptr_t a, size_t n, uintptr_t b, size_t m)
{
	a = canon(a);
	b = canon(b);
	return a < b + m && b < a + n;
}

static void put_bytes(uintptr_t a, const void *src, size_t n)
{
	const char *s = src;
	size_t i;

	for (i = 0; i < n; i++) {
		char *p = store(a + i);

		if (p)
			*p = s[i];
	}
}

static void *uffd_handler(void *arg)
{
	struct rng r;

	(void)arg;
	rng_seed(&r, uffd_seed, 99);
	while (!uffd_quit) {
		struct pollfd pfd = { .fd = uffd, .events = POLLIN };
		struct uffd_msg msg;
		struct uffdio_copy copy;
		uintptr_t page;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		page = msg.arg.pagefault.address & ~(PG - 1);
		/* stall the faulting kernel access a little */
		if (rng_pct(&r, 50))
			usleep(rng_below(&r, 3000));
		copy.dst = page;
		copy.src = (uintptr_t)usrc + (page - (uintptr_t)ubase);
		copy.len = PG;
		copy.mode = 0;
		copy.copy = 0;
		if (ioctl(uffd, UFFDIO_COPY, &copy) == 0 || errno == EEXIST)
			__atomic_add_fetch(&uffd_stalls, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void setup_memory(void)
{
	int mfd = memfd_create("clonefd-fuzz", MFD_CLOEXEC);
	char *base;

	/* ... + a guard, and UNMAPPED_PAGES no object starting there leaves */
	base = mmap(NULL, (2 * (ARENA + 1) + 1 + (1 + UPAGES) + 1 + UNMAPPED_PAGES) * PG, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mfd < 0 || base == MAP_FAILED || ftruncate(mfd, ARENA * PG)) {
		perror("fuzz: memory setup");
		exit(2);
	}
	rw = base;
	ro = base + (ARENA + 1) * PG;
	scratch = base + 2 * (ARENA + 1) * PG;
	uarea = scratch + PG;
	ubase = uarea + PG;
	unmapped = ubase + UPAGES * PG + PG;	/* stays PROT_NONE, UNMAPPED_PAGES */
	if (mmap(rw, ARENA * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, mfd, 0) == MAP_FAILED ||
	    mmap(ro, ARENA * PG, PROT_READ, MAP_SHARED | MAP_FIXED, mfd, 0) == MAP_FAILED ||
	    mprotect(scratch, 2 * PG, PROT_READ | PROT_WRITE) ||
	    mprotect(ubase, UPAGES * PG, PROT_READ | PROT_WRITE)) {
		perror("fuzz: mmap");
		exit(2);
	}
	close(mfd);
	usrc = malloc(UPAGES * PG);
	tids = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tids == MAP_FAILED) {
		perror("fuzz: mmap");
		exit(2);
	}

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd >= 0) {
		struct uffdio_api api = { .api = UFFD_API };
		struct uffdio_register reg = {
			.range = { .start = (uintptr_t)ubase, .len = UPAGES * PG },
			.mode = UFFDIO_REGISTER_MODE_MISSING,
		};

		if (ioctl(uffd, UFFDIO_API, &api) || ioctl(uffd, UFFDIO_REGISTER, &reg)) {
			say("userfaultfd: setup failed (%s): stalled pointers skipped", strerror(errno));
			close(uffd);
			uffd = -1;
		}
	} else {
		say("userfaultfd: unavailable (%s): stalled pointers skipped", strerror(errno));
	}
}

/* Makes the userfaultfd pages missing again. */
static void rearm_uffd(void)
{
	if (uffd >= 0)
		madvise(ubase, UPAGES * PG, MADV_DONTNEED);
	memset(usrc, 0, UPAGES * PG);
}

/*
 * The ioctl, issued so that a child created by it (which returns here with
 * 0, on whatever stack and TLS the request gave it, possibly sharing our
 * memory) exits at once without touching memory.
 */
static long raw_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	long ret;

	asm volatile("syscall\n\t"
		     "test %%rax, %%rax\n\t"
		     "jnz 1f\n\t"
		     "mov $60, %%eax\n\t"	/* SYS_exit: this thread only */
		     "xor %%edi, %%edi\n\t"
		     "syscall\n\t"
		     "ud2\n"
		     "1:"
		     : "=a"(ret)
		     : "0"((long)SYS_ioctl), "D"((long)fd), "S"(cmd), "d"(arg)
		     : "rcx", "r11", "memory");
	return ret;
}

/* --- outcome bookkeeping --- */

enum { R_ENOTTY, R_EINVAL_SIZE, R_EFAULT_ARGS, R_E2BIG, R_EINVAL_FLAGS, R_EINVAL_STACK,
       R_EFAULT_CLONEFD, R_CHILD, R_CLONE_ERR, NR_R };
static const char *const r_names[] = {
	"ENOTTY", "EINVAL(size)", "EFAULT(args)", "E2BIG", "EINVAL(flags)", "EINVAL(stack)",
	"EFAULT(clonefd)", "child", "clone(2) error",
};
static long r_count[NR_R];
static long iterations, file_ops, children, pool_records;

/* --- pointer choice --- */

enum { K_GOOD, K_MISALIGNED, K_RO, K_STRADDLE, K_RO_STRADDLE, K_UFFD, K_UFFD_STRADDLE, K_NULL,
       K_UNMAPPED, K_KERNEL, K_KTEXT, K_NONCANON, NR_K };

/* A user pointer for an object of @n bytes. */
static uintptr_t pick_ptr(struct rng *r, size_t n, int allow_bad)
{
	int k = rng_below(r, allow_bad ? NR_K : K_UFFD_STRADDLE + 1);
	size_t room = ARENA * PG;

	if ((k == K_UFFD || k == K_UFFD_STRADDLE) && uffd < 0)
		k = K_GOOD;
	if (n > room - 64)
		n = room - 64;
	switch (k) {
	case K_GOOD:
		return (uintptr_t)rw + room - n - 8 * rng_below(r, 8);
	case K_MISALIGNED:
		return (uintptr_t)rw + room - n - 1 - rng_below(r, 63);
	case K_RO:
		return (uintptr_t)ro + room - n - rng_below(r, 64);
	case K_STRADDLE:
		return (uintptr_t)rw + room - (n ? rng_below(r, n) + 1 : 0);
	case K_RO_STRADDLE:
		return (uintptr_t)ro + room - (n ? rng_below(r, n) + 1 : 0);
	case K_UFFD:
		return (uintptr_t)ubase + rng_below(r, UPAGES * PG - (n < UPAGES * PG ? n : 0) + 1);
	case K_UFFD_STRADDLE:
		return (uintptr_t)ubase - (n ? rng_below(r, n) + 1 : 0);
	case K_NULL:
		return rng_pct(r, 50) ? 0 : rng_below(r, 4096);
	case K_UNMAPPED:
		return (uintptr_t)unmapped + rng_below(r, PG);
	case K_KERNEL:
		return KERNEL_ADDR + rng_below(r, 1 << 30);
	case K_KTEXT:
		return KTEXT_ADDR + rng_below(r, 1 << 24);
	default:
		return NONCANON_ADDR + rng_below(r, 1 << 20);
	}
}

/* A pointer for an int the kernel may write (ptid, ctid, clonefd). */
static uintptr_t pick_int_ptr(struct rng *r)
{
	switch (rng_below(r, 10)) {
	case 0:
	case 1:
	case 2:
		return (uintptr_t)scratch + 4 * rng_below(r, 64);
	case 3:
		return (uintptr_t)scratch + 256 + rng_below(r, 64);	/* misaligned */
	case 4:
		return (uintptr_t)ro + rng_below(r, ARENA * PG - 4);
	case 5:
		return uffd >= 0 ? (uintptr_t)ubase + 4 * rng_below(r, UPAGES * PG / 4) :
				   (uintptr_t)scratch + 512;
	case 6:
		return (uintptr_t)scratch + PG - rng_below(r, 3) - 1;	/* into the guard */
	default:
		return pick_ptr(r, 4, 1);
	}
}

static uintptr_t pick_tid_ptr(struct rng *r)
{
	switch (rng_below(r, 6)) {
	case 0:
		return (uintptr_t)ro + rng_below(r, ARENA * PG - 4);
	case 1:
		return KERNEL_ADDR + rng_below(r, 1 << 30);
	case 2:
		return (uintptr_t)tids + 1 + rng_below(r, PG - 8);
	default:
		return (uintptr_t)tids + 4 * rng_below(r, PG / 4);
	}
}

/* --- request generation --- */

static uint64_t pick_flags(struct rng *r)
{
	uint64_t f = 0;
	int i;

	switch (rng_below(r, 10)) {
	case 0:
		return rng_next(r);				/* anything */
	case 1:
		f = rng_next(r) & VALID_FLAGS;			/* any known bits */
		break;
	default:						/* near-valid */
		if (rng_pct(r, 70))
			f |= CLONE_FD;
		if (rng_pct(r, 40))
			f |= CLONE_AUTOREAP;
		else
			f |= rng_pct(r, 70) ? SIGCHLD : rng_below(r, 80);
		for (i = 8; i < 32; i++)
			if (rng_pct(r, 4))
				f |= 1ULL << i;
		if (rng_pct(r, 3))
			f |= 1ULL << (32 + rng_below(r, 32));
		if (rng_pct(r, 5))
			f |= CLONE_CLEAR_SIGHAND;
		if (rng_pct(r, 40))
			f |= CLONE_VM | (rng_pct(r, 50) ? CLONE_VFORK : 0);
	}
	/* a new network namespace is slow (cleanup is asynchronous): rarely */
	if ((f & CLONE_NEWNET) && !rng_pct(r, 5))
		f &= ~(uint64_t)CLONE_NEWNET;
	return f;
}

struct req {
	unsigned long cmd;
	size_t size;
	uintptr_t ptr;
	unsigned char buf[MAXSZ + 1];
	struct clonefd_clone4_args a;	/* the head as written */
};

static void gen_request(struct rng *r, struct req *q)
{
	struct clonefd_clone4_args *a = &q->a;
	unsigned dir = _IOC_WRITE, type = CLONEFD_IOC_MAGIC, nr = 0;
	size_t i;

	/* size: mostly around the struct's */
	switch (rng_below(r, 6)) {
	case 0:
		q->size = rng_below(r, 64);
		break;
	case 1:
		q->size = 64 + rng_below(r, 4096 - 64 + 1);
		break;
	case 2:
		q->size = rng_below(r, MAXSZ + 1);
		break;
	default:
		q->size = rng_pct(r, 70) ? 64 : 64 + 8 * rng_below(r, 8);
	}
	if (rng_pct(r, 12)) {
		switch (rng_below(r, 4)) {
		case 0: dir = rng_below(r, 4); break;
		case 1: type = rng_below(r, 256); break;
		case 2: nr = rng_below(r, 256); break;
		default:
			q->cmd = (unsigned int)rng_next(r);
			goto have_cmd;
		}
	}
	q->cmd = _IOC(dir, type, nr, q->size);
have_cmd:
	q->size = _IOC_SIZE(q->cmd);

	memset(a, 0, sizeof(*a));
	a->flags = pick_flags(r);
	/*
	 * ptid/ctid: the tids page (misaligned too), read-only memory, or
	 * outside user memory; never memory we use for anything else
	 */
	if (rng_pct(r, 30))
		a->ptid = pick_tid_ptr(r);
	if (rng_pct(r, 30))
		a->ctid = pick_tid_ptr(r);
	switch (rng_below(r, 8)) {
	case 0:
		a->stack_start = (uintptr_t)scratch;
		a->stack_size = PG;
		break;
	case 1:
		a->stack_start = rng_next(r);
		a->stack_size = rng_next(r) >> rng_below(r, 64);
		break;
	case 2:
		a->stack_start = rng_pct(r, 50) ? 0 : (uintptr_t)scratch;
		a->stack_size = a->stack_start ? 0 : PG;
		break;
	case 3:
		a->stack_start = USER_END - PG * (1 + rng_below(r, 4));
		a->stack_size = 0x100000000ULL;			/* past the end */
		break;
	default:
		break;
	}
	if (rng_pct(r, 10))
		a->tls = rng_pct(r, 50) ? rng_next(r) : (uintptr_t)scratch;
	if ((a->flags & CLONE_FD) ? rng_pct(r, 95) : rng_pct(r, 5))
		a->clonefd = pick_int_ptr(r);
	switch (rng_below(r, 10)) {
	case 0: a->clonefd_flags = rng_next(r); break;
	case 1: a->clonefd_flags = 1ULL << rng_below(r, 64); break;
	case 2: case 3: a->clonefd_flags = O_CLOEXEC; break;
	case 4: a->clonefd_flags = O_NONBLOCK; break;
	case 5: a->clonefd_flags = O_CLOEXEC | O_NONBLOCK; break;
	default: a->clonefd_flags = 0;
	}
	if (!(a->flags & CLONE_FD) && rng_pct(r, 90))
		a->clonefd_flags = 0;
	/*
	 * SIGKILL or SIGSTOP as the exit signal would hit us (or the
	 * supervisor), glibc owns 32 and 33: the model is the same for any
	 * valid signal.
	 */
	switch (a->flags & CSIGNAL_) {
	case SIGKILL: case SIGSTOP: case 32: case 33:
		a->flags = (a->flags & ~CSIGNAL_) | SIGCHLD;
	}

	memcpy(q->buf, a, sizeof(*a) < q->size ? sizeof(*a) : q->size);
	for (i = sizeof(*a); i < q->size; i++)
		q->buf[i] = 0;
	if (q->size > sizeof(*a) && rng_pct(r, 30)) {
		/* one non-zero byte, or noise */
		if (rng_pct(r, 70))
			q->buf[sizeof(*a) + rng_below(r, q->size - sizeof(*a))] = 1 + rng_below(r, 255);
		else
			for (i = sizeof(*a); i < q->size; i++)
				q->buf[i] = rng_pct(r, 20) ? rng_next(r) : 0;
	}
	q->ptr = pick_ptr(r, q->size ? q->size : 64, 1);
	put_bytes(q->ptr, q->buf, q->size);
}

/* --- the model --- */

#define AMBIGUOUS_STACK	(-2)

static int stack_ok(const struct clonefd_clone4_args *a)
{
	uint64_t end = a->stack_start + a->stack_size;

	if (!a->stack_start)
		return a->stack_size ? 0 : 1;
	if (!a->stack_size || end < a->stack_start)
		return 0;
	if (end <= USER_SAFE_END)
		return 1;
	if (end >= USER_END)
		return 0;
	return AMBIGUOUS_STACK;
}

/* The expected outcome (R_*) of a request. */
static int predict(const struct req *q, int *ambiguous)
{
	const struct clonefd_clone4_args *a = (const void *)q->buf;
	uint64_t f = a->flags, sig = f & CSIGNAL_;
	size_t i;
	int s;

	*ambiguous = 0;
	if (_IOC_TYPE(q->cmd) != CLONEFD_IOC_MAGIC || _IOC_NR(q->cmd) != 0 ||
	    _IOC_DIR(q->cmd) != _IOC_WRITE)
		return R_ENOTTY;
	if (q->size < CLONEFD_CLONE4_ARGS_SIZE_VER0)
		return R_EINVAL_SIZE;
	/* copy_struct_from_user(): the tail first, in order, then the head */
	for (i = 64; i < q->size; i++) {
		if (!readable(q->ptr + i) || q->ptr + i < q->ptr)
			return R_EFAULT_ARGS;
		if (q->buf[i])
			return R_E2BIG;
	}
	if (!range(readable, q->ptr, 64))
		return R_EFAULT_ARGS;
	if ((f & ~VALID_FLAGS) || sig > 64)
		return R_EINVAL_FLAGS;
	if ((f & CLONE_AUTOREAP) && (sig || (f & (CLONE_PARENT | CLONE_THREAD))))
		return R_EINVAL_FLAGS;
	if ((f & (CLONE_FD | CLONE_NNP)) && (f & CLONE_THREAD))
		return R_EINVAL_FLAGS;
	/* (without CLONE_NNP autokill takes CAP_SYS_ADMIN: we are root) */
	if ((f & CLONE_PIDFD_AUTOKILL) &&
	    (f & (CLONE_FD | CLONE_AUTOREAP)) != (CLONE_FD | CLONE_AUTOREAP))
		return R_EINVAL_FLAGS;
	if (!(f & CLONE_FD) && (a->clonefd || a->clonefd_flags))
		return R_EINVAL_FLAGS;
	if (a->clonefd_flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK))
		return R_EINVAL_FLAGS;
	s = stack_ok(a);
	if (s == AMBIGUOUS_STACK)
		*ambiguous = 1;
	else if (!s)
		return R_EINVAL_STACK;
	if ((f & CLONE_FD) && !range(writable, a->clonefd, 4))
		return R_EFAULT_CLONEFD;
	return R_CHILD;
}

static int outcome_errno(int r)
{
	switch (r) {
	case R_ENOTTY: return ENOTTY;
	case R_EINVAL_SIZE: case R_EINVAL_FLAGS: case R_EINVAL_STACK: return EINVAL;
	case R_EFAULT_ARGS: case R_EFAULT_CLONEFD: return EFAULT;
	case R_E2BIG: return E2BIG;
	}
	return 0;
}

static int clone_errno(int e)
{
	return e == EINVAL || e == EPERM || e == ENOMEM || e == ENOSPC || e == EUSERS ||
	       e == EAGAIN;
}

/* --- clonefd pool --- */

#define POOL	16
static int pool[POOL], npool;

static int is_clonefd(int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = 0;
	return !strcmp(target, "anon_inode:[clonefd]");
}

static void retire(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct clonefd_info info;

	if (poll(&pfd, 1, 60000) != 1)
		fail("clonefd %d: child not dead after 60 s", fd);
	else if (read(fd, &info, sizeof(info)) != sizeof(info))
		fail("clonefd %d: read: %s", fd, strerror(errno));
	else if (info.code != CLD_EXITED || info.status != 0)
		fail("clonefd %d: record code %u status %u, expected exited 0", fd, info.code,
		     info.status);
	pool_records++;
	close(fd);
}

static void pool_add(int fd)
{
	if (npool == POOL) {
		retire(pool[0]);
		memmove(pool, pool + 1, (POOL - 1) * sizeof(int));
		npool--;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	pool[npool++] = fd;
}

/* --- one step --- */

static void reap(void)
{
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
}

static void step_ioctl(struct rng *r, int dev, struct req *q)
{
	int amb, want, fd, fdflags;
	long ret;
	int sentinel = -12345;
	const struct clonefd_clone4_args *a = (const void *)q->buf;

	rearm_uffd();
	gen_request(r, q);
	want = predict(q, &amb);
	/* a sentinel where the clonefd number goes (not inside the request) */
	if (want == R_CHILD && range(writable, a->clonefd, 4) &&
	    !overlaps(a->clonefd, 4, q->ptr, q->size))
		put_bytes(a->clonefd, &sentinel, 4);
	errno = 0;
	ret = raw_ioctl(dev, q->cmd, q->ptr);
	if (ret < 0) {
		errno = -ret;
		ret = -1;
	}
	if (want != R_CHILD) {
		if (amb && ret >= 0) {
			want = R_CHILD;
		} else if (ret != -1 || errno != (amb && errno == EINVAL ? EINVAL : outcome_errno(want))) {
			fail("ioctl cmd %#lx size %zu ptr %#lx flags %#llx stack %#llx+%#llx clonefd %#llx "
			     "clonefd_flags %#llx: %ld (%s), expected %s", q->cmd, q->size,
			     (unsigned long)q->ptr, (unsigned long long)a->flags,
			     (unsigned long long)a->stack_start, (unsigned long long)a->stack_size,
			     (unsigned long long)a->clonefd, (unsigned long long)a->clonefd_flags,
			     ret, ret < 0 ? strerror(errno) : "success", r_names[want]);
			return;
		}
	}
	if (want == R_CHILD && ret < 0) {
		if (amb && errno == EINVAL) {
			r_count[R_EINVAL_STACK]++;
			return;
		}
		if (!clone_errno(errno)) {
			fail("ioctl flags %#llx stack %#llx+%#llx clonefd %#llx: %s, expected a child "
			     "or a clone(2) error", (unsigned long long)a->flags,
			     (unsigned long long)a->stack_start, (unsigned long long)a->stack_size,
			     (unsigned long long)a->clonefd, strerror(errno));
			return;
		}
		/* the number written, if any, is no open descriptor */
		if ((a->flags & CLONE_FD) && range(writable, a->clonefd, 4) &&
		    !overlaps(a->clonefd, 4, q->ptr, q->size) &&
		    (memcpy(&fd, load(a->clonefd), sizeof(fd)), fd != sentinel) &&
		    fcntl(fd, F_GETFD) != -1 && is_clonefd(fd))
			fail("failed request left clonefd %d open", fd);
		r_count[R_CLONE_ERR]++;
		return;
	}
	r_count[want]++;
	if (want != R_CHILD)
		return;
	children++;
	if (a->flags & CLONE_FD) {
		memcpy(&fd, load(a->clonefd), sizeof(fd));
		if (fd < 0 || !is_clonefd(fd)) {
			fail("CLONE_FD child %ld: %d is not a clonefd", ret, fd);
		} else {
			fdflags = fcntl(fd, F_GETFD);
			if (!!(fdflags & FD_CLOEXEC) != !!(a->clonefd_flags & O_CLOEXEC) ||
			    !!(fcntl(fd, F_GETFL) & O_NONBLOCK) != !!(a->clonefd_flags & O_NONBLOCK))
				fail("clonefd %d: flags do not match clonefd_flags %#llx", fd,
				     (unsigned long long)a->clonefd_flags);
			pool_add(fd);
		}
	}
	reap();
}

static const unsigned vfs_types[] = { 'T', 'X', 'f', 0x15, 0x94, 0x12, 'v' };

static int vfs_handles(unsigned long cmd)
{
	size_t i;

	for (i = 0; i < sizeof(vfs_types) / sizeof(vfs_types[0]); i++)
		if (_IOC_TYPE(cmd) == vfs_types[i])
			return 1;
	return 0;
}

static void step_file(struct rng *r, int dev)
{
	int fd, readable_before, e;
	struct pollfd pfd;
	size_t n;
	uintptr_t p;
	ssize_t ret;
	unsigned long cmd;

	file_ops++;
	rearm_uffd();
	if (!npool || rng_pct(r, 10)) {
		/* the device itself: no read or write */
		char c;

		if (rng_pct(r, 50)) {
			ret = read(dev, &c, 1);
			if (ret != -1 || errno != EINVAL)
				fail("read(/dev/clonefd): %zd (%s), expected EINVAL", ret, strerror(errno));
		} else {
			ret = write(dev, &c, 1);
			if (ret != -1 || errno != EINVAL)
				fail("write(/dev/clonefd): %zd (%s), expected EINVAL", ret, strerror(errno));
		}
		return;
	}
	fd = pool[rng_below(r, npool)];
	pfd.fd = fd;
	pfd.events = POLLIN;
	readable_before = poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
	switch (rng_below(r, 6)) {
	case 0:
	case 1:
	case 2:
		n = rng_pct(r, 50) ? rng_below(r, 64) : rng_below(r, 4097);
		p = pick_ptr(r, n, 1);
		ret = read(fd, (void *)p, n);
		e = errno;
		if (!range(writable, p, 0) || p + n < p || p + n > USER_END) {
			/* the VFS checks the range first */
			if (p + n > USER_SAFE_END && p + n < USER_END)
				break;
			if (ret != -1 || e != EFAULT)
				fail("read(clonefd, %#lx, %zu): %zd (%s), expected EFAULT",
				     (unsigned long)p, n, ret, strerror(e));
		} else if (n < sizeof(struct clonefd_info)) {
			if (ret != -1 || e != EINVAL)
				fail("read(clonefd, %zu): %zd (%s), expected EINVAL", n, ret, strerror(e));
		} else if (ret == -1 && e == EAGAIN) {
			if (readable_before)
				fail("read(clonefd): EAGAIN after poll said readable");
		} else if (!range(writable, p, sizeof(struct clonefd_info))) {
			if (ret != -1 || e != EFAULT)
				fail("read(clonefd, %#lx, %zu) unwritable: %zd (%s), expected EFAULT",
				     (unsigned long)p, n, ret, strerror(e));
		} else if (ret != sizeof(struct clonefd_info)) {
			fail("read(clonefd, %zu): %zd (%s), expected 24", n, ret, strerror(e));
		} else {
			struct clonefd_info info;
			size_t i;

			for (i = 0; i < sizeof(info); i++)
				((char *)&info)[i] = *load(p + i);
			if (info.code != CLD_EXITED || info.status != 0)
				fail("clonefd record code %u status %u, expected exited 0",
				     info.code, info.status);
		}
		break;
	case 3:
		ret = write(fd, "x", 1);
		if (ret != -1 || errno != EBADF)
			fail("write(clonefd): %zd (%s), expected EBADF", ret, strerror(errno));
		break;
	case 4:
		/*
		 * Requests of other drivers only: the clonefd's own
		 * (CLONEFD_IOC_GET_PID, SEND_SIGNAL, PIDFD, GET_RUSAGE) are
		 * not modelled here yet.
		 */
		do
			cmd = rng_pct(r, 50) ? (unsigned int)rng_next(r) :
			      _IOC(rng_below(r, 4), rng_below(r, 256), rng_below(r, 4),
				   rng_below(r, MAXSZ + 1));
		while (vfs_handles(cmd) || _IOC_TYPE(cmd) == CLONEFD_IOC_MAGIC);
		ret = raw_ioctl(fd, cmd, pick_ptr(r, 64, 1));
		if (ret != -ENOTTY)
			fail("ioctl(clonefd, %#lx): %zd, expected ENOTTY", cmd, ret);
		break;
	default:
		ret = lseek(fd, rng_next(r) >> rng_below(r, 64), rng_below(r, 5));
		if (ret != -1 || errno != ESPIPE)
			fail("lseek(clonefd): %zd (%s), expected ESPIPE", ret, strerror(errno));
	}
}

/* --- the fuzzing process --- */

static int fuzz_main(uint64_t seed, double seconds, long max_iter)
{
	struct rng r;
	struct req *q = malloc(sizeof(*q));
	pthread_t th;
	double t0 = now_s(), next = t0 + 60;
	int dev, fds0, sig, i;

	for (sig = 1; sig < 65; sig++)
		if (sig != SIGCHLD)
			signal(sig, SIG_IGN);	/* exit signals of random children */
	setup_memory();
	dev = open("/dev/clonefd", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		say("open /dev/clonefd: %s", strerror(errno));
		return 2;
	}
	uffd_seed = seed;
	if (uffd >= 0)
		pthread_create(&th, NULL, uffd_handler, NULL);
	fds0 = count_fds();
	rng_seed(&r, seed, 0);
	for (iterations = 0; iterations < max_iter; iterations++) {
		if (now_s() - t0 >= seconds)
			break;
		if (rng_pct(&r, 80))
			step_ioctl(&r, dev, q);
		else
			step_file(&r, dev);
		if (now_s() >= next) {
			say("%ld iterations, %ld children, %.0f s", iterations, children, now_s() - t0);
			next += 60;
		}
	}
	for (i = 0; i < npool; i++)
		retire(pool[i]);
	npool = 0;
	if (reap_all(10000) < 0)
		fail("children of the fuzzer still alive");
	uffd_quit = 1;
	if (uffd >= 0)
		pthread_join(th, NULL);
	if (count_fds() != fds0)
		fail("fuzzer: %d descriptors open, %d at the start", count_fds(), fds0);
	close(dev);
	say("%ld iterations in %.0f s: %ld ioctls, %ld file operations, %ld children, %ld records "
	    "read, %ld userfaultfd stalls", iterations, now_s() - t0, iterations - file_ops,
	    file_ops, children, pool_records, uffd_stalls);
	for (i = 0; i < NR_R; i++)
		say("  %-16s %ld", r_names[i], r_count[i]);
	return nr_failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "iterations", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t seed = 0;
	int have_seed = 0, c, st, sig, leaks, fds0;
	double seconds = 60, t0 = now_s();
	long max_iter = -1, tracked0, refcnt0;
	pid_t worker, p;

	prog_name = "fuzz";
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); have_seed = 1; break;
		case 'S': seconds = atof(optarg); break;
		case 'n': max_iter = parse_count(optarg); break;
		default:
			fprintf(stderr, "usage: clonefd-fuzz [--seed S] [--seconds S] [--iterations N]\n");
			return 2;
		}
	}
	if (!have_seed)
		seed = fresh_seed();
	if (max_iter < 0)
		max_iter = 1L << 62;
	else
		seconds = 1e9;
	say("seed %llu (replay: --seed %llu --iterations N)", (unsigned long long)seed,
	    (unsigned long long)seed);

	/* the supervisor: reaps what CLONE_PARENT gives it, ignores exit signals */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (sig = 1; sig < 65; sig++)
		if (sig != SIGCHLD)
			signal(sig, SIG_IGN);
	tracked0 = module_tracked();
	refcnt0 = module_refcnt();
	fds0 = count_fds();
	if (tracked0 < 0)
		say("tracked: unknown (%s missing); the final check fails without it", TRACKED_PATH);
	worker = fork();
	if (worker == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(fuzz_main(seed, seconds, max_iter));
	}
	st = 0;
	while ((p = waitpid(-1, &c, __WALL)) > 0 || (p < 0 && errno == EINTR))
		if (p == worker)
			st = c;
	if (!WIFEXITED(st) || WEXITSTATUS(st) > 1)
		fail("fuzzing process: status %#x", st);
	else if (WEXITSTATUS(st))
		fail("fuzzing process reported failures (above)");
	leaks = leak_check("fuzz", tracked0 < 0 ? 0 : tracked0, refcnt0, fds0, 1);
	say("seed %llu, %.0f s, %s, %d leaks", (unsigned long long)seed, now_s() - t0,
	    nr_failures ? "FAILED" : "no failure", leaks);
	return nr_failures || leaks ? 1 : 0;
}
