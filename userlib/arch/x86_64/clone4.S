/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * long __clonefd_ioctl(int devfd, unsigned long cmd,
 *                      const struct clonefd_clone4_args *req,
 *                      int (*fn)(void *), void *arg, int child_close);
 *
 * Issue CLONEFD_IOC_CLONE4, which returns twice, like fork(), and start
 * the child.  The discipline is that of glibc's clone3.S and musl's
 * clone.s.
 *
 * Register map
 *   entry:    rdi devfd, rsi cmd, rdx req, rcx fn, r8 arg, r9d child_close
 *   syscall:  rax __NR_ioctl, rdi/rsi/rdx as on entry.  syscall clobbers
 *             rcx and r11 only, so fn is moved to r10; fn (r10), arg (r8)
 *             and child_close (r9) survive it in both processes: the child
 *             starts with a copy of the parent's user registers, rax = 0,
 *             and rsp = the top of its own stack if the request gave one.
 *   parent:   returns rax: the child's pid, or -errno.
 *   child:    fn == NULL (fork-like, caller's stack, no CLONE_VM; clone4()
 *             guarantees it): returns 0 through the copied frames.
 *             Otherwise the child never touches a frame of the parent: it
 *             closes child_close if that is >= 0 (the library's device
 *             descriptor, in the child's own descriptor table), clears
 *             rbp, aligns rsp down to 16 bytes (the psABI's alignment at a
 *             call), calls fn(arg) and passes fn's return value to
 *             SYS_exit (this thread only, like clone(2)).  With
 *             CLONE_VM|CLONE_VFORK and no new stack, this runs below the
 *             suspended parent's stack pointer: the return address the
 *             parent still needs is above it and is never overwritten.
 *
 * Unwind information: the FDE of the parent's frame ends before the
 * syscall - in the child the return address it describes may be another
 * process's or lie past the end of a new stack.  The child's entry is its
 * own FDE whose return address is undefined (the outermost frame), so
 * unwinders and debuggers stop there.
 */
#include <sys/syscall.h>

	.text
	.globl	__clonefd_ioctl
	.hidden	__clonefd_ioctl
	.type	__clonefd_ioctl, @function
	.p2align 4
__clonefd_ioctl:
	.cfi_startproc
#ifdef __CET__
	endbr64
#endif
	movq	%rcx, %r10		/* fn: syscall clobbers rcx */
	movl	$SYS_ioctl, %eax
	.cfi_endproc			/* no valid frame from here in the child */
	syscall

	testq	%rax, %rax
	jnz	1f			/* parent: pid or -errno */
	testq	%r10, %r10
	jnz	clonefd_child_start	/* child with a function to run */
1:	ret
	.size	__clonefd_ioctl, .-__clonefd_ioctl

	.type	clonefd_child_start, @function
	.p2align 4
clonefd_child_start:
	.cfi_startproc
	.cfi_undefined rip		/* the outermost frame of the child */
	testl	%r9d, %r9d
	js	1f
	movl	%r9d, %edi		/* close(child_close): clobbers rcx, r11 */
	movl	$SYS_close, %eax
	syscall
1:	xorl	%ebp, %ebp		/* the outermost frame for frame-pointer walkers too */
	andq	$-16, %rsp
	movq	%r8, %rdi		/* arg */
	call	*%r10			/* fn(arg) */
	movl	%eax, %edi		/* its return value is the exit status */
	movl	$SYS_exit, %eax
	syscall
	hlt				/* SYS_exit does not return */
	.cfi_endproc
	.size	clonefd_child_start, .-clonefd_child_start

	.section .note.GNU-stack, "", @progbits
