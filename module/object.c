// SPDX-License-Identifier: GPL-2.0-only
/*
 * object.c - struct clonefd: one process created through /dev/clonefd with
 * CLONE_FD and/or, on kernels before 7.1, CLONE_AUTOREAP.
 *
 * Semantics
 * ---------
 * A struct clonefd stands for the child *process* (its thread group), not a
 * thread: it is keyed by the child's TGID struct pid, which de_thread() keeps
 * when a non-leader thread execs.  It records, exactly once, how the process
 * ended (struct clonefd_info) at the moment its last thread is gone, i.e. the
 * first do_notify_parent() for the group leader with an empty thread group,
 * and wakes every reader and poller.  With CLONE_AUTOREAP on a kernel that
 * lacks it (CLONEFD_HOOK_AUTOREAP: before 7.1; newer kernels reap such a
 * child themselves, and an object exists only for its clonefd) it also makes
 * the kernel release the zombie right there and suppresses the exit signal,
 * unless the child is being traced: a tracer keeps the zombie for itself, and
 * the autoreap happens at the next do_notify_parent() (the tracer detaches
 * or reaps it), or the real parent's wait releases it; either way the
 * release hook below ends tracking.
 *
 * Life cycle
 * ----------
 * 1. clonefd_alloc() in the ioctl.  The ioctl links it in the *pending
 *    table*, keyed by the parent task (only that task's own fork can match,
 *    and a task is in at most one ioctl), before it calls kernel_clone().
 * 2. The sched_process_fork tracepoint fires for the new child after
 *    copy_process() and before wake_up_new_task(): the child has not run
 *    yet.  clonefd_fork_attach() takes a reference on the child's TGID pid
 *    and links the object in the *tracked table*, keyed by that pid.
 * 3. The ioctl unlinks it from the pending table when kernel_clone()
 *    returns, and installs the clonefd (CLONE_FD) on success.
 * 4. clonefd_exit_notify() (do_notify_parent() probe) records the exit and
 *    decides autoreap.
 * 5. clonefd_release() (release_task() probe, for the group leader: the
 *    process is gone for good) unlinks it from the tracked table.  If step 4
 *    was never reached, it records the exit there.
 * 6. The last reference frees it after an RCU grace period: lookups in both
 *    tables are lock-free (RCU) and use the object without a reference.
 *
 * References (refs)
 * -----------------
 * - the ioctl, from clonefd_alloc() until it returns;
 * - the tracked table, from attach (2) until release (5); together with it
 *   the object holds a reference on THIS_MODULE, so rmmod is refused while a
 *   tracked child exists (an autoreap promise made by the hook must not
 *   lapse);
 * - each clonefd file, from clonefd_file_create() until ->release (the file
 *   also pins THIS_MODULE through its f_op owner).
 * The pending table holds none: the ioctl's reference covers it.
 * @pid holds one reference on the struct pid from attach until free.
 *
 * Locking
 * -------
 * - The tables are arrays of hlist_bl heads; each bucket's bit lock
 *   serialises insertions and removals in it.  Readers walk buckets under
 *   rcu_read_lock().  Writers: the ioctl (pending), the fork tracepoint
 *   (tracked insert) and the release probe (tracked removal).  Nothing else
 *   is taken with a bucket lock held.
 * - clonefd_nr_pending/clonefd_nr_tracked count linked objects; they are
 *   the fast path of the fork and exit hooks, which fire for every process
 *   on the machine: zero means "nothing to look up", no lock, no hashing.
 * - @recorded (atomic 0 -> 1) elects the one writer of @info; @exited is
 *   published with release semantics after @info is written and read with
 *   acquire semantics.  The writer runs under tasklist_lock (write, irqs
 *   off) in do_notify_parent(), or in release_task() with the task dead:
 *   it neither sleeps nor allocates; wake_up_all() takes @wqh's irq-safe
 *   lock, nested inside tasklist_lock (as pidfd's do_notify_pidfd() does).
 * - @flags and @parent are constant once the object is published; @pid is
 *   written once by the attaching tracepoint before the object is linked in
 *   the tracked table, which publishes it.
 */
#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/rculist_bl.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "clonefd.h"

#define CLONEFD_PENDING_BITS	6	/* concurrent ioctls */
#define CLONEFD_TRACKED_BITS	12	/* live children, ~O(1) up to thousands */

static struct hlist_bl_head clonefd_pending[1 << CLONEFD_PENDING_BITS];
static struct hlist_bl_head clonefd_tracked[1 << CLONEFD_TRACKED_BITS];
static atomic_t clonefd_nr_pending = ATOMIC_INIT(0);
static atomic_t clonefd_nr_tracked = ATOMIC_INIT(0);

static struct hlist_bl_head *clonefd_pending_head(const struct task_struct *parent)
{
	return &clonefd_pending[hash_ptr(parent, CLONEFD_PENDING_BITS)];
}

static struct hlist_bl_head *clonefd_tracked_head(const struct pid *pid)
{
	return &clonefd_tracked[hash_ptr(pid, CLONEFD_TRACKED_BITS)];
}

struct clonefd *clonefd_alloc(u64 flags)
{
	struct clonefd *cfd = kzalloc(sizeof(*cfd), GFP_KERNEL);

	if (!cfd)
		return NULL;
	refcount_set(&cfd->refs, 1);
	cfd->flags = flags;
	init_waitqueue_head(&cfd->wqh);
	return cfd;
}

static void clonefd_get(struct clonefd *cfd)
{
	refcount_inc(&cfd->refs);
}

void clonefd_put(struct clonefd *cfd)
{
	if (!refcount_dec_and_test(&cfd->refs))
		return;
	put_pid(cfd->pid);
	kfree_rcu(cfd, rcu);
}

/* --- the pending table: ioctl in progress, keyed by the parent task --- */

void clonefd_pending_add(struct clonefd *cfd)
{
	struct hlist_bl_head *head = clonefd_pending_head(current);

	cfd->parent = current;
	atomic_inc(&clonefd_nr_pending);
	hlist_bl_lock(head);
	hlist_bl_add_head_rcu(&cfd->pending_node, head);
	hlist_bl_unlock(head);
}

void clonefd_pending_del(struct clonefd *cfd)
{
	struct hlist_bl_head *head = clonefd_pending_head(cfd->parent);

	hlist_bl_lock(head);
	hlist_bl_del_rcu(&cfd->pending_node);
	hlist_bl_unlock(head);
	atomic_dec(&clonefd_nr_pending);
}

/* Caller holds rcu_read_lock(). */
static struct clonefd *clonefd_pending_find(const struct task_struct *parent)
{
	struct hlist_bl_node *pos;
	struct clonefd *cfd;

	hlist_bl_for_each_entry_rcu(cfd, pos, clonefd_pending_head(parent), pending_node)
		if (cfd->parent == parent)
			return cfd;
	return NULL;
}

/* --- the tracked table: live children, keyed by their TGID pid --- */

/* Caller holds rcu_read_lock(). */
static struct clonefd *clonefd_tracked_find(const struct pid *pid)
{
	struct hlist_bl_node *pos;
	struct clonefd *cfd;

	hlist_bl_for_each_entry_rcu(cfd, pos, clonefd_tracked_head(pid), tracked_node)
		if (cfd->pid == pid)
			return cfd;
	return NULL;
}

static void clonefd_track(struct clonefd *cfd, struct task_struct *child)
{
	struct pid *pid = get_pid(task_tgid(child));
	struct hlist_bl_head *head = clonefd_tracked_head(pid);

	cfd->pid = pid;
	clonefd_get(cfd);
	__module_get(THIS_MODULE);
	atomic_inc(&clonefd_nr_tracked);
	hlist_bl_lock(head);
	hlist_bl_add_head_rcu(&cfd->tracked_node, head);
	hlist_bl_unlock(head);
}

static void clonefd_untrack(struct clonefd *cfd)
{
	struct hlist_bl_head *head = clonefd_tracked_head(cfd->pid);

	hlist_bl_lock(head);
	hlist_bl_del_rcu(&cfd->tracked_node);
	hlist_bl_unlock(head);
	atomic_dec(&clonefd_nr_tracked);
}

/* sched_process_fork: runs with preemption disabled, before the child runs. */
void clonefd_fork_attach(struct task_struct *parent, struct task_struct *child)
{
	struct clonefd *cfd;

	if (!atomic_read(&clonefd_nr_pending))
		return;
	rcu_read_lock();
	cfd = clonefd_pending_find(parent);
	if (cfd)
		clonefd_track(cfd, child);
	rcu_read_unlock();
}

/* --- the exit record --- */

/*
 * CPU time of the whole (dead) process, children excluded: the threads
 * already released are summed in @sig by __exit_signal(), the leader is
 * the one left.  As the kernel does for wait4()/getrusage()
 * (cputime_adjust()), the precise scheduler runtime is split between user
 * and system time in the ratio of the tick samples.
 */
static void clonefd_cputime(struct task_struct *tsk, u64 *utime, u64 *stime)
{
	struct signal_struct *sig = tsk->signal;
	u64 rtime = sig->sum_sched_runtime + tsk->se.sum_exec_runtime;
	u64 ut = sig->utime + tsk->utime;
	u64 st = sig->stime + tsk->stime;

	if (!st) {
		ut = rtime;
	} else if (!ut) {
		st = rtime;
	} else {
		st = mul_u64_u64_div_u64(st, rtime, st + ut);
		ut = rtime - st;
	}
	*utime = ut;
	*stime = st;
}

/* The status waitpid() reports (wait_task_zombie()), as a SIGCHLD si_code. */
static void clonefd_status(struct task_struct *tsk, struct clonefd_info *info)
{
	struct signal_struct *sig = tsk->signal;
	int code = (sig->flags & SIGNAL_GROUP_EXIT) ? sig->group_exit_code
						    : tsk->exit_code;

	if (!(code & 0x7f)) {
		info->code = CLD_EXITED;
		info->status = (code >> 8) & 0xff;
	} else {
		info->code = (code & 0x80) ? CLD_DUMPED : CLD_KILLED;
		info->status = code & 0x7f;
	}
}

static void clonefd_record_exit(struct clonefd *cfd, struct task_struct *tsk)
{
	if (atomic_xchg(&cfd->recorded, 1))
		return;
	clonefd_status(tsk, &cfd->info);
	clonefd_cputime(tsk, &cfd->info.utime, &cfd->info.stime);
	smp_store_release(&cfd->exited, true);
	wake_up_all(&cfd->wqh);
}

static bool clonefd_has_exited(struct clonefd *cfd)
{
	return smp_load_acquire(&cfd->exited);
}

/*
 * do_notify_parent(tsk, sig) entry, tasklist_lock held for writing, irqs
 * off.  Returns true if the kernel must release @tsk now and send nothing:
 * the caller then passes sig = 0 and makes do_notify_parent() return true.
 */
bool clonefd_exit_notify(struct task_struct *tsk)
{
	struct clonefd *cfd;
	bool reap = false;

	if (!atomic_read(&clonefd_nr_tracked))
		return false;
	/* Only the end of the whole process; ptrace notifies threads too. */
	if (!thread_group_leader(tsk) || !thread_group_empty(tsk))
		return false;

	rcu_read_lock();
	cfd = clonefd_tracked_find(task_tgid(tsk));
	if (cfd) {
		clonefd_record_exit(cfd, tsk);
		reap = (cfd->flags & CLONEFD_HOOK_AUTOREAP) && !tsk->ptrace;
	}
	rcu_read_unlock();

	/*
	 * do_notify_parent() turns any exit signal, 0 included, into SIGCHLD
	 * when the parent has exec'd since the fork (or after reparenting).
	 * Make the child look born of the parent's current image so that no
	 * signal is sent; the field means nothing else for a dead task.
	 */
	if (reap)
		tsk->parent_exec_id = READ_ONCE(tsk->parent->self_exec_id);
	return reap;
}

/* release_task(tsk) entry: for the group leader the process is gone. */
void clonefd_release(struct task_struct *tsk)
{
	struct clonefd *cfd;

	if (!atomic_read(&clonefd_nr_tracked) || !thread_group_leader(tsk))
		return;

	rcu_read_lock();
	cfd = clonefd_tracked_find(task_tgid(tsk));
	if (cfd) {
		clonefd_record_exit(cfd, tsk);
		clonefd_untrack(cfd);
	}
	rcu_read_unlock();

	if (cfd) {
		clonefd_put(cfd);
		module_put(THIS_MODULE);
	}
}

/* --- the clonefd file --- */

static int clonefd_file_release(struct inode *inode, struct file *file)
{
	clonefd_put(file->private_data);
	return 0;
}

static ssize_t clonefd_file_read(struct file *file, char __user *buf,
				 size_t count, loff_t *ppos)
{
	struct clonefd *cfd = file->private_data;
	int err;

	if (count < sizeof(cfd->info))
		return -EINVAL;
	if (!clonefd_has_exited(cfd)) {
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(cfd->wqh, clonefd_has_exited(cfd));
		if (err)
			return err;
	}
	if (copy_to_user(buf, &cfd->info, sizeof(cfd->info)))
		return -EFAULT;
	return sizeof(cfd->info);
}

static __poll_t clonefd_file_poll(struct file *file, poll_table *pts)
{
	struct clonefd *cfd = file->private_data;

	poll_wait(file, &cfd->wqh, pts);
	return clonefd_has_exited(cfd) ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations clonefd_fops = {
	.owner		= THIS_MODULE,
	.release	= clonefd_file_release,
	.read		= clonefd_file_read,
	.poll		= clonefd_file_poll,
};

/* A new clonefd file holding its own reference on @cfd. */
struct file *clonefd_file_create(struct clonefd *cfd, unsigned int o_flags)
{
	struct file *file;

	clonefd_get(cfd);
	file = anon_inode_getfile("[clonefd]", &clonefd_fops, cfd,
				  O_RDONLY | (o_flags & O_NONBLOCK));
	if (IS_ERR(file))
		clonefd_put(cfd);
	return file;
}
