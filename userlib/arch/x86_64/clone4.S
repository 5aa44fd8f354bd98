/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * long __clonefd_ioctl(int devfd, unsigned long cmd,
 *                      const struct clonefd_clone4_args *req,
 *                      int (*fn)(void *), void *arg);
 *
 * Issue CLONEFD_IOC_CLONE4, which returns twice, like fork().
 *
 * Register map
 *   entry:    rdi devfd, rsi cmd, rdx req, rcx fn, r8 arg
 *   syscall:  rax __NR_ioctl, rdi/rsi/rdx as on entry.  fn is moved to r9
 *             because syscall clobbers rcx (and r11); r8 and r9 survive it,
 *             and the child starts with the parent's registers (rax = 0),
 *             on its own stack if one was given.
 *   parent:   returns rax: the child's pid, or -errno.
 *   child:    fn == NULL: returns 0 on the caller's (copied) stack.
 *             Otherwise never returns through any frame of the parent:
 *             it clears rbp, aligns rsp to 16, calls fn(arg) and passes
 *             the result to SYS_exit (this thread only, like clone()).
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
	movq	%rcx, %r9
	movl	$SYS_ioctl, %eax
	syscall
	testq	%rax, %rax
	jnz	1f			/* parent, or error */
	testq	%r9, %r9
	jnz	.Lchild			/* child with a function to run */
1:	ret
	.cfi_endproc
	.size	__clonefd_ioctl, .-__clonefd_ioctl

	.type	.Lchild, @function
.Lchild:
	.cfi_startproc
	.cfi_undefined rip		/* outermost frame of the child */
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	movq	%r8, %rdi
	call	*%r9
	movl	%eax, %edi
	movl	$SYS_exit, %eax
	syscall
	hlt
	.cfi_endproc
	.size	.Lchild, .-.Lchild

	.section .note.GNU-stack, "", @progbits
