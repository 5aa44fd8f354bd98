/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/* libclonefd internals: nothing here is exported from the library. */
#ifndef CLONEFD_INTERNAL_H
#define CLONEFD_INTERNAL_H

#include "clonefd.h"

#define CLONEFD_HIDDEN	__attribute__((visibility("hidden")))

/*
 * The per-architecture trampoline: userlib/arch/ARCH/clone4.S.  Issues
 * CLONEFD_IOC_CLONE4 on @devfd; a child with @fn closes @child_close (if
 * >= 0) in its own descriptor table, then exits with fn(arg).
 */
CLONEFD_HIDDEN long __clonefd_ioctl(int devfd, unsigned long cmd,
				    const struct clonefd_clone4_args *req,
				    int (*fn)(void *), void *arg, int child_close);

#endif
