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
 *   entry:    x0 devfd, x1 cmd, x2 req, x3 fn, x4 arg, w5 child_close
 *   syscall:  x8 __NR_ioctl, x0-x2 as on entry.  svc changes x0 only, so
 *             fn (x3), arg (x4) and child_close (w5) stay where they are,
 *             in both processes: the child starts with a copy of the
 *             parent's user registers, x0 = 0, and sp = the top of its
 *             own stack if the request gave one (possibly misaligned).
 *   parent:   returns x0: the child's pid, or -errno.
 *   child:    fn == NULL (fork-like, caller's stack, no CLONE_VM; clone4()
 *             guarantees it): returns 0 to x30, through the copied frames.
 *             Otherwise the child never touches a frame of the parent: it
 *             closes child_close if that is >= 0 (the library's device
 *             descriptor, in the child's own descriptor table), clears
 *             x29, aligns sp down to 16 bytes (AAPCS64; the hardware
 *             checks sp alignment on every access through it), calls
 *             fn(arg) and passes fn's return value to SYS_exit (this
 *             thread only, like clone(2)).  With CLONE_VM|CLONE_VFORK and
 *             no new stack, this runs below the suspended parent's stack
 *             pointer; the parent's return address is in its own x30.
 *
 * Unwind information: the FDE of the parent's frame ends before the
 * syscall - in the child the return address it describes may be another
 * process's or lie past the end of a new stack.  The child's entry is its
 * own FDE whose return address is undefined (the outermost frame), so
 * unwinders and debuggers stop there.
 *
 * Branch protection: __clonefd_ioctl is called, so it starts with a BTI
 * landing pad ("bti c", in the hint space: a NOP before Armv8.5); the
 * child's entry is reached by a direct branch only.  No function here
 * saves x30, so there is nothing to sign with PAC.  The GNU property note
 * says both, so that linking this object does not turn BTI off for a
 * program built with -mbranch-protection.
 */
#include <sys/syscall.h>

#define BTI_C		hint	#34

	.text
	.globl	__clonefd_ioctl
	.hidden	__clonefd_ioctl
	.type	__clonefd_ioctl, %function
	.p2align 4
__clonefd_ioctl:
	.cfi_startproc
	BTI_C
	mov	x8, #SYS_ioctl
	.cfi_endproc			/* no valid frame from here in the child */
	svc	#0

	cbnz	x0, 1f			/* parent: pid or -errno */
	cbnz	x3, clonefd_child_start	/* child with a function to run */
1:	ret
	.size	__clonefd_ioctl, .-__clonefd_ioctl

	.type	clonefd_child_start, %function
	.p2align 4
clonefd_child_start:
	.cfi_startproc
	.cfi_undefined x30		/* the outermost frame of the child */
	tbnz	w5, #31, 1f
	mov	w0, w5			/* close(child_close): changes x0 only */
	mov	x8, #SYS_close
	svc	#0
1:	mov	x29, #0			/* the outermost frame for frame-pointer walkers too */
	mov	x9, sp
	and	x9, x9, #-16
	mov	sp, x9
	mov	x0, x4			/* arg */
	blr	x3			/* fn(arg) */
	mov	x8, #SYS_exit		/* w0, its return value, is the exit status */
	svc	#0
	brk	#1000			/* SYS_exit does not return */
	.cfi_endproc
	.size	clonefd_child_start, .-clonefd_child_start

/* GNU_PROPERTY_AARCH64_FEATURE_1_AND: BTI (bit 0) and PAC (bit 1). */
	.section .note.gnu.property, "a"
	.p2align 3
	.word	4			/* n_namesz */
	.word	16			/* n_descsz */
	.word	5			/* n_type: NT_GNU_PROPERTY_TYPE_0 */
	.asciz	"GNU"
	.word	0xc0000000		/* pr_type */
	.word	4			/* pr_datasz */
	.word	3			/* pr_data */
	.word	0			/* padding to 8 bytes */

	.section .note.GNU-stack, "", %progbits
