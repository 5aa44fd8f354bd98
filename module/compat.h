/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compat.h - every kernel-version and architecture difference clonefd has
 * to care about, in one place.  The rest of the module is #if-free.
 *
 * Each shim names the kernel (or architecture) that needed it.
 */
#ifndef _CLONEFD_COMPAT_H
#define _CLONEFD_COMPAT_H

#include <linux/compat.h>
#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/ptrace.h>
#include <linux/types.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

/*
 * A function whose body the compiler must neither inline, clone, nor
 * summarise into its callers (its return value would be constant-folded):
 * the kernel_clone() transfer stub is redirected at run time.  GCC >= 8 has
 * noipa; clang has no IPA constant propagation across noinline functions.
 */
#if __has_attribute(__noipa__)
#define clonefd_opaque	noinline __attribute__((__noipa__))
#else
#define clonefd_opaque	noinline
#endif

/*
 * Replace the second argument of a probed function from a kprobe
 * pre-handler (architecture calling conventions).
 */
static inline void clonefd_regs_set_arg1(struct pt_regs *regs, unsigned long val)
{
#if defined(CONFIG_X86_64)
	regs->si = val;
#elif defined(CONFIG_ARM64)
	regs->regs[1] = val;
#else
#error "clonefd: no argument register mapping for this architecture"
#endif
}

/*
 * Fill the argument registers of a two-argument system call, for calling
 * its __<arch>_sys_ entry with a pt_regs of our own.
 */
static inline void clonefd_regs_set_syscall2(struct pt_regs *regs, unsigned long a0,
					     unsigned long a1)
{
#if defined(CONFIG_X86_64)
	regs->di = a0;
	regs->si = a1;
#elif defined(CONFIG_ARM64)
	regs->regs[0] = a0;
	regs->regs[1] = a1;
#else
#error "clonefd: no system call argument mapping for this architecture"
#endif
}

#if defined(CONFIG_X86_64)
#define CLONEFD_SYS_PIDFD_OPEN	"__x64_sys_pidfd_open"
#elif defined(CONFIG_ARM64)
#define CLONEFD_SYS_PIDFD_OPEN	"__arm64_sys_pidfd_open"
#endif

/*
 * The child's initial stack pointer for a stack [start, start + size), or
 * 0 to keep the caller's: clone3()'s rule, by stack growth direction.
 */
static inline unsigned long clonefd_stack_pointer(unsigned long start, unsigned long size)
{
	if (!start)
		return 0;
#ifdef CONFIG_STACK_GROWSUP
	return start;
#else
	return start + size;
#endif
}

#ifdef CONFIG_ARM64
/*
 * arm64: AArch32's clone(2), number 120 of the arm EABI; <asm/unistd.h>
 * names only the few compat calls the kernel itself issues.
 */
#define CLONEFD_NR_COMPAT_CLONE	120
#endif

/*
 * Make the saved user registers of the current (ioctl) syscall look like
 * clone(2) entry with these arguments, for seccomp to judge: the syscall
 * number, the arguments in the architecture's clone argument order
 * (CLONE_BACKWARDS on i386, arm and arm64: flags, newsp, parent_tid, tls,
 * child_tid; x86_64's native order puts child_tid before tls), and the
 * return value register as syscall entry leaves it: -ENOSYS on x86; on
 * arm64 x0 still holds the first argument (orig_x0 is its copy, which
 * seccomp reads; a tracer reads x0).
 */
static inline void clonefd_regs_set_clone(struct pt_regs *regs, unsigned long flags,
					  unsigned long sp, unsigned long ptid,
					  unsigned long ctid, unsigned long tls)
{
#if defined(CONFIG_X86_64)
	if (in_ia32_syscall()) {
		regs->orig_ax = __NR_ia32_clone;
		regs->bx = flags;
		regs->cx = sp;
		regs->dx = ptid;
		regs->si = tls;
		regs->di = ctid;
	} else {
		regs->orig_ax = __NR_clone;
		regs->di = flags;
		regs->si = sp;
		regs->dx = ptid;
		regs->r10 = ctid;
		regs->r8 = tls;
	}
	regs->ax = -ENOSYS;
#elif defined(CONFIG_ARM64)
	regs->syscallno = is_compat_task() ? CLONEFD_NR_COMPAT_CLONE : __NR_clone;
	regs->orig_x0 = flags;
	regs->regs[0] = flags;
	regs->regs[1] = sp;
	regs->regs[2] = ptid;
	regs->regs[3] = tls;
	regs->regs[4] = ctid;
#else
#error "clonefd: no clone(2) register mapping for this architecture"
#endif
}

/*
 * Clone flags that kernel_clone() implements itself on this kernel, among
 * those clonefd offers beyond clone(2)'s.
 *   7.1+       CLONE_AUTOREAP (signal->autoreap, same value and rules as
 *              clonefd's): the flag goes through to the kernel, which
 *              checks it and reaps; clonefd's do_notify_parent() hook only
 *              records the exit (Debian sid's 7.2, trixie-backports' 7.3).
 *              CLONE_NNP came with it and goes through too.  (7.1's
 *              CLONE_PIDFD_AUTOKILL does not: it is tied to the kernel's
 *              own pidfd, clonefd's to the clonefd.)  Detected by Kbuild
 *              in <uapi/linux/sched.h>.
 *   older      none: clonefd strips both; its hooks reap and set
 *              no_new_privs.
 */
#ifdef CLONEFD_HAVE_NATIVE_AUTOREAP
#define CLONEFD_NATIVE_FLAGS	(CLONE_AUTOREAP | CLONE_NNP)
#else
#define CLONEFD_NATIVE_FLAGS	0ULL
#endif

/*
 * The seccomp entry that runs the current task's filters on its current
 * syscall registers, as at syscall entry (reached through a transfer stub,
 * see hooks.c):
 *   up to 7.2  int __secure_computing(const struct seccomp_data *sd): 0 lets
 *              the syscall proceed, -1 skips it.  The argument is (sd) in
 *              6.x, where NULL means "read the current registers", and
 *              (void) in 7.0-7.2; passing NULL is correct for both, the 7.x
 *              function ignores the register.
 *   7.3        bool __seccomp_permit_syscall(void): true lets it proceed
 *              (Debian trixie-backports' 7.3.4).  Detected by Kbuild in
 *              <linux/seccomp.h>.
 * clonefd_seccomp_ret is the stub's return type (it must match the
 * target's: a bool comes back in %al only), CLONEFD_SECCOMP_SKIP what the
 * stub returns if the redirect did not fire (fail closed).
 */
#ifdef CLONEFD_HAVE_SECCOMP_PERMIT_SYSCALL
#define CLONEFD_SECCOMP_ENTRY		"__seccomp_permit_syscall"
typedef bool clonefd_seccomp_ret;
#define CLONEFD_SECCOMP_SKIP		false
#define clonefd_seccomp_permits(ret)	(ret)
#else
#define CLONEFD_SECCOMP_ENTRY		"__secure_computing"
typedef int clonefd_seccomp_ret;
#define CLONEFD_SECCOMP_SKIP		(-1)
#define clonefd_seccomp_permits(ret)	((ret) == 0)
#endif

/*
 * The sched_process_exit tracepoint's arguments after the task:
 *   up to 6.x  (struct task_struct *p)
 *   newer      (struct task_struct *p, bool group_dead): the probe must
 *              have the tracepoint's prototype.  Detected by Kbuild in
 *              <trace/events/sched.h>.
 */
#ifdef CLONEFD_HAVE_TP_EXIT_GROUP_DEAD
#define CLONEFD_TP_EXIT_ARGS	struct task_struct *tsk, bool group_dead
#else
#define CLONEFD_TP_EXIT_ARGS	struct task_struct *tsk
#endif

/*
 * The struct pid of a pidfd file (pidfd_pid() is not exported):
 *   up to 6.8  an anon inode file, the pid in file->private_data
 *   6.9+       a pidfs file, the pid in its inode's i_private (Debian's
 *              6.12 and 7.x).  Detected by Kbuild: <linux/pidfs.h>.
 */
#ifdef CLONEFD_HAVE_PIDFS
static inline struct pid *clonefd_pidfd_pid(const struct file *file)
{
	return file_inode(file)->i_private;
}
#else
static inline struct pid *clonefd_pidfd_pid(const struct file *file)
{
	return file->private_data;
}
#endif

#endif /* _CLONEFD_COMPAT_H */
