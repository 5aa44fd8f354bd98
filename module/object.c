// SPDX-License-Identifier: GPL-2.0-only
/*
 * object.c - struct clonefd: one process created through /dev/clonefd with
 * CLONE_FD and/or, on kernels before 7.1, CLONE_AUTOREAP.
 *
 * Semantics
 * ---------
 * A struct clonefd stands for a child created with CLONE_FD and/or
 * CLONE_AUTOREAP.  It stands for the child *process* (its thread group), not a
 * thread: it is keyed by the child's TGID struct pid, which de_thread() keeps
 * when a non-leader thread execs.  It records, exactly once, how the process
 * ended (struct clonefd_info) at the moment its last thread is gone, i.e. the
 * first do_notify_parent() for the group leader with an empty thread group.
 * With CLONE_AUTOREAP on a kernel that lacks it (CLONEFD_HOOK_AUTOREAP:
 * before 7.1; newer kernels reap such a child themselves, and the object
 * only keeps its exit signal 0 across exec) it also makes the kernel
 * release the zombie right there and suppresses the exit signal, unless
 * the child is being traced: a tracer keeps the zombie for itself, and the
 * autoreap happens at the next do_notify_parent() (the tracer detaches or
 * reaps it), or the real parent's wait releases it.
 *
 * The record is *published* (readers and pollers woken) when do_notify_parent()
 * returns:
 * - if it returned false, the zombie stays for somebody to wait for (the
 *   parent, or a tracer): published at once;
 * - if it returned true, the caller releases the process right away (an
 *   autoreaped child, a parent that ignores SIGCHLD): published only once the
 *   pid is gone, so that for any reader who sees the clonefd readable
 *   kill(pid, 0) fails with ESRCH.
 *
 * Life cycle
 * ----------
 * 1. clonefd_alloc() in the ioctl.  The ioctl links it in the *pending
 *    table*, keyed by the parent task (only that task's own fork can match,
 *    and a task is in at most one ioctl), before it calls kernel_clone().
 * 2. The sched_process_fork tracepoint fires for the new child after
 *    copy_process() and before wake_up_new_task(): the child has not run
 *    yet.  clonefd_fork_attach(), in the parent's own context, unlinks the
 *    object from the pending table (so a parent parked in a vfork wait
 *    costs other forks nothing), takes a reference on the child's TGID pid
 *    and links the object in the *tracked table*, keyed by that pid.
 * 3. The ioctl unlinks it from the pending table if the fork never
 *    happened, and installs the clonefd (CLONE_FD) on success.
 * 4. clonefd_exit_notify() (do_notify_parent() entry) records the exit and
 *    decides autoreap; clonefd_exit_notified() (its return) publishes the
 *    record unless the kernel is about to release the process.
 * 5. clonefd_release_pid() (proc_flush_pid() entry, which release_task()
 *    calls for every task it releases, the group leader it releases by
 *    "goto repeat" included, after the task is unhashed) unlinks it from the
 *    tracked table and publishes the record if step 4 did not.
 *    Tracking must not end at release_task()'s entry: that entry is skipped
 *    for a group leader released by its last thread (the leader exits
 *    first, and the last thread's release finds do_notify_parent() true).
 *    With CLONE_PIDFD_AUTOKILL, the release of the clonefd file before
 *    that SIGKILLs the process (handle.c).
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
 * The pending table holds none: the ioctl's reference covers it.  Between
 * steps 4 and 5 the tracked table's reference covers the object: both run
 * in tasklist_lock's write section, which release (5) follows.
 * @pid holds one reference on the struct pid from attach until free.
 *
 * Locking
 * -------
 * - The pending table is an array of hlist_bl heads; each bucket's bit lock
 *   serialises insertions and removals in it, readers walk it under RCU.
 *   Writers: the ioctl and the fork tracepoint, both in the parent task.
 * - The tracked table is an rhashtable: it grows with the number of tracked
 *   children (a deferred worker resizes it), so the lookup done for every
 *   process exit on the machine stays O(1) however many are tracked.  Its
 *   insertion runs in the fork tracepoint, where it must not fail; in the
 *   rare case the rhashtable refuses it (it would need a GFP_ATOMIC table
 *   while over-full and that allocation failed) the object goes to a small
 *   overflow list instead, which lookups walk only while it is non-empty.
 * - clonefd_nr_pending/clonefd_nr_tracked count linked objects; they are
 *   the fast path of the fork and exit hooks, which fire for every process
 *   on the machine: zero means "nothing to look up", no lock, no hashing.
 *   An object is counted before it is linked and uncounted after it is
 *   unlinked.
 * - @recorded (atomic 0 -> 1) elects the one writer of @info; @exited is
 *   published with release semantics after @info is written and read with
 *   acquire semantics.  Recording and the publication in step 4 run under
 *   tasklist_lock (write, irqs off) in do_notify_parent(): they neither
 *   sleep nor allocate; wake_up_all() takes @wqh's irq-safe lock, nested
 *   inside tasklist_lock (as pidfd's do_notify_pidfd() does).  Step 5 runs
 *   after tasklist_lock is dropped, once per process, after step 4.
 */
#include <linux/anon_inodes.h>
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/rculist_bl.h>
#include <linux/rhashtable.h>
#include <linux/sched/cputime.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/task_io_accounting_ops.h>
#include <linux/uaccess.h>

#include "clonefd.h"

#define CLONEFD_PENDING_BITS	6	/* tasks inside copy_process() for us */

static struct hlist_bl_head clonefd_pending[1 << CLONEFD_PENDING_BITS];
static atomic_t clonefd_nr_pending = ATOMIC_INIT(0);

static struct rhashtable clonefd_tracked;
static struct hlist_bl_head clonefd_overflow;	/* zero-initialised: empty */
static atomic_t clonefd_nr_tracked = ATOMIC_INIT(0);
static atomic_t clonefd_nr_overflow = ATOMIC_INIT(0);

static const struct rhashtable_params clonefd_tracked_params = {
	.key_len		= sizeof(struct pid *),
	.key_offset		= offsetof(struct clonefd, pid),
	.head_offset		= offsetof(struct clonefd, tracked_node),
	.automatic_shrinking	= true,
};

/*
 * /sys/module/clonefd/parameters/tracked: processes tracked right now.
 * Read-only; the kernel calls ->set for a value given at load time
 * ("modprobe clonefd tracked=1", clonefd.tracked= on the command line),
 * which refuses it: the load fails with EPERM.
 */
static int clonefd_param_set_tracked(const char *val,
				     const struct kernel_param *kp)
{
	return -EPERM;
}

static int clonefd_param_get_tracked(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&clonefd_nr_tracked));
}

static const struct kernel_param_ops clonefd_tracked_ops = {
	.set	= clonefd_param_set_tracked,
	.get	= clonefd_param_get_tracked,
};
module_param_cb(tracked, &clonefd_tracked_ops, NULL, 0444);
MODULE_PARM_DESC(tracked, "number of child processes tracked (read-only)");

static struct hlist_bl_head *clonefd_pending_head(const struct task_struct *parent)
{
	return &clonefd_pending[hash_ptr(parent, CLONEFD_PENDING_BITS)];
}

struct clonefd *clonefd_alloc(u64 flags)
{
	struct clonefd *cfd = kzalloc(sizeof(*cfd), GFP_KERNEL_ACCOUNT);

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

static void clonefd_pending_unlink(struct clonefd *cfd)
{
	struct hlist_bl_head *head = clonefd_pending_head(cfd->parent);

	hlist_bl_lock(head);
	hlist_bl_del_rcu(&cfd->pending_node);
	hlist_bl_unlock(head);
	atomic_dec(&clonefd_nr_pending);
}

/* The ioctl, after kernel_clone(): unlink unless the fork attached it. */
void clonefd_pending_del(struct clonefd *cfd)
{
	if (!cfd->attached)
		clonefd_pending_unlink(cfd);
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

int clonefd_objects_init(void)
{
	return rhashtable_init(&clonefd_tracked, &clonefd_tracked_params);
}

/* Module exit: nothing is tracked any more (each tracked child pins us). */
void clonefd_objects_exit(void)
{
	rhashtable_destroy(&clonefd_tracked);
}

/* Caller holds rcu_read_lock(). */
static struct clonefd *clonefd_overflow_find(const struct pid *pid)
{
	struct hlist_bl_node *pos;
	struct clonefd *cfd;

	hlist_bl_for_each_entry_rcu(cfd, pos, &clonefd_overflow, overflow_node)
		if (cfd->pid == pid)
			return cfd;
	return NULL;
}

/* Caller holds rcu_read_lock(). */
static struct clonefd *clonefd_tracked_find(const struct pid *pid)
{
	struct clonefd *cfd;

	cfd = rhashtable_lookup(&clonefd_tracked, &pid, clonefd_tracked_params);
	if (!cfd && unlikely(atomic_read(&clonefd_nr_overflow)))
		cfd = clonefd_overflow_find(pid);
	return cfd;
}

static void clonefd_track(struct clonefd *cfd, struct task_struct *child)
{
	WARN_ON_ONCE(cfd->pid);
	cfd->pid = get_pid(task_tgid(child));
	clonefd_get(cfd);
	__module_get(THIS_MODULE);
	atomic_inc(&clonefd_nr_tracked);
	if (likely(!rhashtable_insert_fast(&clonefd_tracked, &cfd->tracked_node,
					   clonefd_tracked_params)))
		return;
	cfd->overflow = true;
	atomic_inc(&clonefd_nr_overflow);
	hlist_bl_lock(&clonefd_overflow);
	hlist_bl_add_head_rcu(&cfd->overflow_node, &clonefd_overflow);
	hlist_bl_unlock(&clonefd_overflow);
}

static void clonefd_untrack(struct clonefd *cfd)
{
	if (likely(!cfd->overflow)) {
		rhashtable_remove_fast(&clonefd_tracked, &cfd->tracked_node,
				       clonefd_tracked_params);
	} else {
		hlist_bl_lock(&clonefd_overflow);
		hlist_bl_del_rcu(&cfd->overflow_node);
		hlist_bl_unlock(&clonefd_overflow);
		atomic_dec(&clonefd_nr_overflow);
	}
	atomic_dec(&clonefd_nr_tracked);
}

/*
 * sched_process_fork, in the parent's context, preemption disabled, before
 * the child runs.  Must not fail: the child exists.
 */
void clonefd_fork_attach(struct task_struct *parent, struct task_struct *child)
{
	struct clonefd *cfd;

	if (!atomic_read(&clonefd_nr_pending))
		return;
	rcu_read_lock();
	cfd = clonefd_pending_find(parent);
	if (cfd) {
		clonefd_pending_unlink(cfd);
		cfd->attached = true;
		if (cfd->flags & CLONEFD_HOOK_NNP)
			task_set_no_new_privs(child);
		if (cfd->flags & (CLONE_FD | CLONE_AUTOREAP))
			clonefd_track(cfd, child);
	}
	rcu_read_unlock();
}

/* --- the exit record --- */

/*
 * CPU time of the whole (dead) process, children excluded: the threads
 * already released are summed in @sig by __exit_signal(), the leader is
 * the one left.  The leader's share comes from the kernel's own accessor,
 * task_cputime_adjusted(), which also counts the time a nohz_full CPU has
 * not folded in yet (often the leader is the exiting task itself, still
 * running).  As the kernel does for wait4()/getrusage() (cputime_adjust()),
 * the precise scheduler runtime is split between user and system time in
 * the ratio of the samples.
 */
static void clonefd_cputime(struct task_struct *tsk, u64 *utime, u64 *stime)
{
	struct signal_struct *sig = tsk->signal;
	u64 leader_ut, leader_st, rtime, ut, st;

	task_cputime_adjusted(tsk, &leader_ut, &leader_st);
	rtime = sig->sum_sched_runtime + leader_ut + leader_st;
	ut = sig->utime + leader_ut;
	st = sig->stime + leader_st;
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

/*
 * What wait4() reports for the dead process (getrusage(RUSAGE_BOTH) in
 * wait_task_zombie()): the threads released so far are summed in @sig, the
 * leader is the only one left, and the c* fields hold the process's own
 * reaped descendants.  maxrss is kept in pages until here.
 */
static void clonefd_rusage(struct task_struct *tsk, struct clonefd *cfd)
{
	struct signal_struct *sig = tsk->signal;
	struct clonefd_rusage *ru = &cfd->rusage;

	ru->utime = cfd->info.utime + sig->cutime;
	ru->stime = cfd->info.stime + sig->cstime;
	ru->maxrss = max(sig->maxrss, sig->cmaxrss) * (PAGE_SIZE / 1024);
	ru->minflt = sig->cmin_flt + sig->min_flt + tsk->min_flt;
	ru->majflt = sig->cmaj_flt + sig->maj_flt + tsk->maj_flt;
	ru->nvcsw = sig->cnvcsw + sig->nvcsw + tsk->nvcsw;
	ru->nivcsw = sig->cnivcsw + sig->nivcsw + tsk->nivcsw;
	ru->inblock = sig->cinblock + sig->inblock + task_io_get_inblock(tsk);
	ru->oublock = sig->coublock + sig->oublock + task_io_get_oublock(tsk);
}

static void clonefd_record_exit(struct clonefd *cfd, struct task_struct *tsk)
{
	if (atomic_xchg(&cfd->recorded, 1))
		return;
	clonefd_status(tsk, &cfd->info);
	clonefd_cputime(tsk, &cfd->info.utime, &cfd->info.stime);
	clonefd_rusage(tsk, cfd);
}

/*
 * Wake readers and pollers, once.  The callers (do_notify_parent()'s
 * return, then the release of the same process) are ordered by
 * tasklist_lock, never concurrent.
 */
static void clonefd_publish(struct clonefd *cfd)
{
	if (cfd->exited)
		return;
	/* Pairs with clonefd_has_exited(): @info, @rusage, @lost first. */
	smp_store_release(&cfd->exited, true);
	wake_up_all(&cfd->wqh);
}

/*
 * sched_process_exec, in the task that has just exec'd: de_thread() set its
 * exit signal to SIGCHLD ("we have changed execution domain"), which would
 * make an autoreaped child visible to its parent's waitpid(-1) while it
 * runs, as clone(2) children with another exit signal become.  An
 * autoreaped child's exit signal is 0 for its whole life, so put it back;
 * then wake the parent's waiters, whom a waitpid(-1) that began during the
 * exec would otherwise leave waiting for this child: they look again and
 * find it gone from their view.  Writing exit_signal without tasklist_lock
 * is what de_thread() itself does; the only concurrent writer,
 * reparent_leader(), sets SIGCHLD for a new parent, for whom an autoreaped
 * child is just as invisible (Linux 7.1: autoreap survives reparenting).
 */
void clonefd_exec(struct task_struct *tsk)
{
	struct task_struct *parent;
	struct clonefd *cfd;

	if (!atomic_read(&clonefd_nr_tracked))
		return;

	rcu_read_lock();
	cfd = clonefd_tracked_find(task_tgid(tsk));
	if (cfd && (cfd->flags & CLONE_AUTOREAP) && READ_ONCE(tsk->exit_signal)) {
		WRITE_ONCE(tsk->exit_signal, 0);
		parent = rcu_dereference(tsk->real_parent);
		__wake_up_sync_key(&parent->signal->wait_chldexit, TASK_INTERRUPTIBLE, tsk);
	}
	rcu_read_unlock();
}

/*
 * do_notify_parent(tsk, sig) entry, tasklist_lock held for writing, irqs
 * off.  Returns the object of @tsk's process if this is the end of a
 * tracked process (the return handler then gets it), else NULL.  Sets
 * *@reap if the kernel must release @tsk now and send nothing: the caller
 * then passes sig = 0 and makes do_notify_parent() return true.
 */
struct clonefd *clonefd_exit_notify(struct task_struct *tsk, bool *reap)
{
	struct clonefd *cfd;

	*reap = false;
	if (!atomic_read(&clonefd_nr_tracked))
		return NULL;
	/* Only the end of the whole process; ptrace notifies threads too. */
	if (!thread_group_leader(tsk) || !thread_group_empty(tsk))
		return NULL;

	rcu_read_lock();
	cfd = clonefd_tracked_find(task_tgid(tsk));
	if (cfd) {
		clonefd_record_exit(cfd, tsk);
		*reap = (cfd->flags & CLONEFD_HOOK_AUTOREAP) && !tsk->ptrace;
	}
	rcu_read_unlock();

	/*
	 * do_notify_parent() turns any exit signal, 0 included, into SIGCHLD
	 * when the parent has exec'd since the fork (or after reparenting).
	 * Make the child look born of the parent's current image so that no
	 * signal is sent; the field means nothing else for a dead task.
	 */
	if (*reap)
		tsk->parent_exec_id = READ_ONCE(tsk->parent->self_exec_id);
	return cfd;
}

/*
 * do_notify_parent() return, still under tasklist_lock: @released is its
 * return value.  A process that stays a zombie is published now; one the
 * kernel releases at once is published by its release, after the unhash.
 */
void clonefd_exit_notified(struct clonefd *cfd, bool released)
{
	if (!released)
		clonefd_publish(cfd);
}

/*
 * proc_flush_pid(pid) entry: release_task() has unhashed the task whose
 * thread pid is @pid and dropped tasklist_lock.  For a tracked TGID pid
 * the process is gone for good.  Process context, preemption disabled.
 */
void clonefd_release_pid(struct pid *pid)
{
	struct clonefd *cfd;

	if (!atomic_read(&clonefd_nr_tracked))
		return;

	rcu_read_lock();
	cfd = clonefd_tracked_find(pid);
	if (cfd)
		clonefd_untrack(cfd);
	rcu_read_unlock();
	if (!cfd)
		return;

	/* No record: do_notify_parent() ran while the hooks were disarmed. */
	if (!atomic_xchg(&cfd->recorded, 1))
		cfd->lost = true;
	WRITE_ONCE(cfd->released, true);
	clonefd_publish(cfd);
	clonefd_put(cfd);
	module_put(THIS_MODULE);
}

/* --- the clonefd file --- */

static int clonefd_file_release(struct inode *inode, struct file *file)
{
	struct clonefd *cfd = file->private_data;

	clonefd_autokill(cfd);
	clonefd_put(cfd);
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
	if (cfd->lost)
		return -EIO;
	if (copy_to_user(buf, &cfd->info, sizeof(cfd->info)))
		return -EFAULT;
	return sizeof(cfd->info);
}

static __poll_t clonefd_file_poll(struct file *file, poll_table *pts)
{
	struct clonefd *cfd = file->private_data;

	poll_wait(file, &cfd->wqh, pts);
	if (!clonefd_has_exited(cfd))
		return 0;
	return cfd->lost ? EPOLLIN | EPOLLERR : EPOLLIN | EPOLLRDNORM;
}

static const struct file_operations clonefd_fops = {
	.owner		= THIS_MODULE,
	.release	= clonefd_file_release,
	.read		= clonefd_file_read,
	.poll		= clonefd_file_poll,
	.unlocked_ioctl	= clonefd_file_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.show_fdinfo	= clonefd_file_show_fdinfo,
};

/*
 * A new clonefd file holding its own reference on @cfd.  On success the
 * caller must either fd_install() it or fput() it.
 */
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
