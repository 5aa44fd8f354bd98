/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compat.h - every kernel-version and architecture difference clonefd has
 * to care about, in one place.  The rest of the module is #if-free.
 *
 * Each shim names the kernel (or architecture) that needed it.
 */
#ifndef _CLONEFD_COMPAT_H
#define _CLONEFD_COMPAT_H

#include <linux/compiler.h>
#include <linux/ptrace.h>

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

/* Does the stack grow down (all supported architectures)?  clone3 rule. */
static inline unsigned long clonefd_stack_pointer(unsigned long start, unsigned long size)
{
#ifdef CONFIG_STACK_GROWSUP
	return start;
#else
	return start + size;
#endif
}

#endif /* _CLONEFD_COMPAT_H */
