// SPDX-License-Identifier: GPL-2.0-only
/*
 * seccomp.c - CLONEFD_IOC_CLONE4 under the caller's seccomp filter.
 *
 * The clone happens inside an ioctl, which a filter forbidding clone,
 * clone3 and fork would otherwise let through.  So when the caller runs
 * under a filter, the filter judges the legacy clone(2) call the request is
 * equivalent to - clone, not clone3: real filters inspect clone's flags
 * argument and answer clone3 with ENOSYS - before anything is allocated or
 * reserved for the request:
 *
 * 1. The saved user registers of the ioctl are rewritten to look like
 *    clone(2) entry (number, arguments, return value register), so a tracer
 *    (SECCOMP_RET_TRACE) or a user-notification supervisor sees clone with
 *    the real flags.
 * 2. The kernel's __secure_computing() runs the filters and carries out
 *    the action exactly as at syscall entry.
 * 3. What it left in the registers is read, and the registers are restored
 *    at once: kernel_clone() copies them into the child.
 *
 * Verdicts:
 *   ALLOW, LOG, USER_NOTIF answered CONTINUE, TRACE with the tracer
 *     continuing                           -> the clone proceeds; but a
 *     tracer that changed the number or the arguments -> ENOSYS (the
 *     request cannot turn into another system call).
 *   ERRNO(n), an error from a supervisor or tracer -> that error;
 *     ERRNO(0) or a faked success value    -> ENOSYS (0 would mean "child").
 *   TRAP                                   -> SIGSYS for clone, ENOSYS.
 *   TRACE without a tracer                 -> ENOSYS.
 *   KILL_PROCESS                           -> SIGSYS forced, no child.
 *   USER_NOTIF wait interrupted by a signal -> -ERESTARTSYS: the ioctl is
 *     restarted or fails with EINTR, as the syscall would.
 *   KILL_THREAD in a multi-threaded caller -> do_exit() inside step 2.
 *
 * That last case returns neither to us nor to vfs_ioctl(), which therefore
 * never drops the reference fdget() took on the /dev/clonefd file when the
 * fd table was shared: file and module would stay pinned forever.  So while
 * step 2 runs, an in-flight record {task, file, whether fdget() owns a
 * reference} sits in a small table keyed by task.  If the thread dies
 * there, the sched_process_exit tracepoint (every exiting thread passes
 * it, in its own context, before exit_files(); unlike a release_task()
 * entry, which a group leader released by its last thread skips) finds the
 * record and drops that reference; otherwise the ioctl removes the record
 * itself.  fdget() takes a reference iff the fd table is shared; the ioctl
 * samples that at its entry, before any user memory is touched (a fault
 * there could be stretched by userfaultfd while another sharer exits).
 *
 * Locking: each bucket's bit lock serialises insertion (ioctl) and removal
 * (the ioctl, or the exit tracepoint in the same task - never both); the
 * tracepoint looks up under rcu_read_lock() and records are freed by RCU.
 * clonefd_nr_inflight is the exit hook's fast path.
 */
#include <linux/file.h>
#include <linux/hash.h>
#include <linux/processor.h>	/* cpu_relax(): arm64's bit_spinlock.h needs it */
#include <linux/rculist_bl.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/seccomp.h>
#include <linux/slab.h>

#include "clonefd.h"
#include "compat.h"

#define CLONEFD_INFLIGHT_BITS	6

struct clonefd_inflight {
	struct hlist_bl_node	node;		/* bucket lock */
	struct task_struct	*task;		/* const: key */
	struct file		*file;		/* const: the ioctl's file */
	bool			owns_ref;	/* const: fdget() took a reference */
	struct rcu_head		rcu;
};

static struct hlist_bl_head clonefd_inflight[1 << CLONEFD_INFLIGHT_BITS];
static atomic_t clonefd_nr_inflight = ATOMIC_INIT(0);

static struct hlist_bl_head *clonefd_inflight_head(const struct task_struct *task)
{
	return &clonefd_inflight[hash_ptr(task, CLONEFD_INFLIGHT_BITS)];
}

static struct clonefd_inflight *clonefd_inflight_begin(struct file *dev, bool owns_ref)
{
	struct clonefd_inflight *inf = kmalloc(sizeof(*inf), GFP_KERNEL_ACCOUNT);
	struct hlist_bl_head *head = clonefd_inflight_head(current);

	if (!inf)
		return NULL;
	inf->task = current;
	inf->file = dev;
	inf->owns_ref = owns_ref;
	atomic_inc(&clonefd_nr_inflight);
	hlist_bl_lock(head);
	hlist_bl_add_head_rcu(&inf->node, head);
	hlist_bl_unlock(head);
	return inf;
}

static void clonefd_inflight_end(struct clonefd_inflight *inf)
{
	struct hlist_bl_head *head = clonefd_inflight_head(inf->task);

	hlist_bl_lock(head);
	hlist_bl_del_rcu(&inf->node);
	hlist_bl_unlock(head);
	atomic_dec(&clonefd_nr_inflight);
	kfree_rcu(inf, rcu);
}

/* sched_process_exit(tsk), tsk == current: dying inside __secure_computing()? */
void clonefd_seccomp_exit(struct task_struct *tsk)
{
	struct clonefd_inflight *inf, *found = NULL;
	struct hlist_bl_node *pos;

	if (!atomic_read(&clonefd_nr_inflight))
		return;
	rcu_read_lock();
	hlist_bl_for_each_entry_rcu(inf, pos, clonefd_inflight_head(tsk), node) {
		if (inf->task == tsk) {
			found = inf;
			break;
		}
	}
	rcu_read_unlock();
	if (!found)
		return;
	if (found->owns_ref)
		fput(found->file);
	clonefd_inflight_end(found);
}

/* Compared with memcmp(): no padding (nr is an int widened to long). */
struct clonefd_syscall {
	long		nr;
	unsigned long	args[6];
};

static void clonefd_syscall_get(struct pt_regs *regs, struct clonefd_syscall *sc)
{
	sc->nr = syscall_get_nr(current, regs);
	syscall_get_arguments(current, regs, sc->args);
}

/* Run the filters on the clone(2) equivalent of @req; see the top. */
static long clonefd_seccomp_judge(const struct clonefd_clone4_args *req)
{
	struct pt_regs *regs = current_pt_regs();
	struct clonefd_syscall asked, after;
	struct pt_regs saved = *regs;
	long ret;
	clonefd_seccomp_ret verdict;

	clonefd_regs_set_clone(regs, lower_32_bits(req->flags),
			       clonefd_stack_pointer(req->stack_start, req->stack_size),
			       req->ptid, req->ctid, req->tls);
	clonefd_syscall_get(regs, &asked);
	verdict = clonefd_secure_computing(NULL);
	clonefd_syscall_get(regs, &after);
	ret = syscall_get_return_value(current, regs);
	*regs = saved;

	if (clonefd_seccomp_permits(verdict))
		return memcmp(&asked, &after, sizeof(asked)) ? -ENOSYS : 0;
	if (!clonefd_hooks_armed())	/* the transfer stub itself answered */
		return -ENOLINK;
	return IS_ERR_VALUE(ret) ? ret : -ENOSYS;
}

/*
 * @owns_ref: the fd table was shared at the ioctl's entry, so vfs_ioctl()'s
 * fdget() took a reference on @dev that a thread dying here would leak.
 */
int clonefd_seccomp_check(struct file *dev, bool owns_ref,
			  const struct clonefd_clone4_args *req)
{
	struct clonefd_inflight *inf;
	long ret;

	if (READ_ONCE(current->seccomp.mode) != SECCOMP_MODE_FILTER)
		return 0;
	inf = clonefd_inflight_begin(dev, owns_ref);
	if (!inf)
		return -ENOMEM;
	ret = clonefd_seccomp_judge(req);
	clonefd_inflight_end(inf);
	return ret;
}
