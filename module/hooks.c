// SPDX-License-Identifier: GPL-2.0-only
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
/*
 * hooks.c - how clonefd reaches into the kernel's process machinery
 * without a single non-exported symbol being called through a pointer.
 *
 * kernel_clone(), __secure_computing(), the pidfd_open(2) entry
 *                  not exported, and on kernels built with X86_KERNEL_IBT
 *                  their ENDBRs are sealed (Debian 13's 6.12), so an
 *                  indirect call to them would trap.  Instead we call a stub
 *                  of our own, and a kprobe on the stub's entry rewrites the
 *                  saved instruction pointer to the target: the
 *                  kprobe/ftrace trampoline *returns* into it with the
 *                  stub's arguments, and the target returns to our caller
 *                  (livepatch transfers control the same way).  Targets are
 *                  resolved once at load with a kprobe on the symbol.  If a
 *                  redirect ever did not fire, the stub body fails the
 *                  request (ENOLINK, as for disarmed kprobes below).
 * sched_process_fork  tracepoint, found with for_each_kernel_tracepoint():
 *                  attaches the child before it can run.
 * do_notify_parent()  kretprobe: records the exit, and for an autoreaped
 *                  child on a kernel without native CLONE_AUTOREAP (before
 *                  7.1) passes sig = 0 and forces the "release it now"
 *                  return value; on return, publishes the record of a
 *                  process that stays a zombie.  Runs with tasklist_lock
 *                  held for writing.
 * proc_flush_pid() kprobe: release_task() calls it for every task it
 *                  releases, after the unhash and outside tasklist_lock -
 *                  also for a group leader released by its last thread,
 *                  whose release_task() entry is skipped ("goto repeat").
 *                  For a tracked TGID pid the process is gone: tracking
 *                  ends and, if not done yet, the record is published.
 * sched_process_exec  tracepoint: an autoreaped child that exec'd gets its
 *                  exit signal 0 back (de_thread() set SIGCHLD).
 * sched_process_exit  tracepoint: a thread killed by seccomp inside the
 *                  ioctl drops what the ioctl still held (seccomp.c).
 *
 * The kprobes are ftrace-based on Debian's x86 kernels and int3/BRK-based
 * on arm64.  Anyone with root can disarm them all at run time (debugfs
 * kprobes/enabled, or sysctl kernel.ftrace_enabled=0 for the ftrace-based
 * ones); no module is told.  So every request first calls a canary stub
 * that only a live kprobe of the same kind redirects (clonefd_hooks_armed()),
 * and is refused with ENOLINK otherwise.  Children created earlier lose
 * what the disarmed hooks did for them (clone4(3), "Disarmed hooks").
 *
 * Every hook's fast path, taken for every fork and exit on the machine
 * while clonefd has nothing in flight, is a single atomic_read().
 */
#include <linux/kprobes.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "clonefd.h"
#include "compat.h"

struct linux_binprm;

/*
 * A non-exported function reached through a stub of ours: the stub's entry
 * kprobe sets the saved instruction pointer to @addr and the trampoline
 * returns there (a return, not an indirect call: nothing for IBT to check).
 */
struct clonefd_transfer {
	const char	*target;
	unsigned long	addr;		/* resolved at load, or ours from the start */
	struct kprobe	kp;
};

/* The transfer stubs.  Their bodies run only if a redirect did not fire. */
clonefd_opaque pid_t clonefd_kernel_clone(struct kernel_clone_args *kargs)
{
	return -ENOLINK;
}

clonefd_opaque clonefd_seccomp_ret clonefd_secure_computing(const struct seccomp_data *sd)
{
	return CLONEFD_SECCOMP_SKIP;	/* fails closed: see clonefd_seccomp_judge() */
}

clonefd_opaque long clonefd_sys_pidfd_open(const struct pt_regs *regs)
{
	return -ENOLINK;
}

/* The canary: returns false unless its kprobe sent it to clonefd_armed(). */
static clonefd_opaque bool clonefd_canary(void)
{
	return false;
}

static clonefd_opaque bool clonefd_armed(void)
{
	return true;
}

static int clonefd_redirect(struct kprobe *kp, struct pt_regs *regs)
{
	struct clonefd_transfer *t = container_of(kp, struct clonefd_transfer, kp);

	instruction_pointer_set(regs, t->addr);
	return 1;	/* ip changed: do not single-step, do not restore ip */
}

/*
 * Never called (the pre-handler returns 1), but its presence matters: a
 * kprobe with a post_handler is never jump-optimised (an optprobe would
 * run the pre-handler from a detour buffer and ignore the new ip), and on
 * ftrace-based kprobes it selects the ftrace ops that declare IPMODIFY.
 * Documentation/trace/kprobes.rst, "Changing Execution Path".
 */
static void clonefd_redirect_post(struct kprobe *kp, struct pt_regs *regs,
				  unsigned long flags)
{
}

static struct clonefd_transfer clonefd_transfers[] = {
	{
		.target		= "kernel_clone",
		.kp.addr	= (kprobe_opcode_t *)clonefd_kernel_clone,
		.kp.pre_handler	= clonefd_redirect,
		.kp.post_handler = clonefd_redirect_post,
	},
	{
		.target		= CLONEFD_SECCOMP_ENTRY,
		.kp.addr	= (kprobe_opcode_t *)clonefd_secure_computing,
		.kp.pre_handler	= clonefd_redirect,
		.kp.post_handler = clonefd_redirect_post,
	},
	{
		.target		= CLONEFD_SYS_PIDFD_OPEN,
		.kp.addr	= (kprobe_opcode_t *)clonefd_sys_pidfd_open,
		.kp.pre_handler	= clonefd_redirect,
		.kp.post_handler = clonefd_redirect_post,
	},
	{
		.target		= "clonefd_armed",
		.addr		= (unsigned long)clonefd_armed,
		.kp.addr	= (kprobe_opcode_t *)clonefd_canary,
		.kp.pre_handler	= clonefd_redirect,
		.kp.post_handler = clonefd_redirect_post,
	},
};

/*
 * Are the kprobes live?  Debugfs kprobes/enabled and ftrace_enabled switch
 * them all off together, this one as well as those on the kernel.
 */
bool clonefd_hooks_armed(void)
{
	if (likely(clonefd_canary()))
		return true;
	pr_warn_once("kprobes are disarmed (debugfs kprobes/enabled or sysctl kernel.ftrace_enabled): new requests fail with ENOLINK until they are armed again\n");
	return false;
}

static void clonefd_fork_probe(void *data, struct task_struct *parent,
			       struct task_struct *child)
{
	clonefd_fork_attach(parent, child);
}

static void clonefd_exec_probe(void *data, struct task_struct *tsk, pid_t old_pid,
			       struct linux_binprm *bprm)
{
	clonefd_exec(tsk);
}

static void clonefd_exit_probe(void *data, CLONEFD_TP_EXIT_ARGS)
{
	clonefd_seccomp_exit(tsk);
}

/* The tracepoints we attach to, found by name at load. */
struct clonefd_tp {
	const char		*name;
	void			*probe;
	struct tracepoint	*tp;
};

static struct clonefd_tp clonefd_tps[] = {
	{ .name = "sched_process_fork", .probe = clonefd_fork_probe },
	{ .name = "sched_process_exec", .probe = clonefd_exec_probe },
	{ .name = "sched_process_exit", .probe = clonefd_exit_probe },
};

/* What do_notify_parent()'s entry hands its return: the tracked object. */
struct clonefd_notify {
	struct clonefd	*cfd;
	bool		reap;
};

static int clonefd_notify_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct task_struct *tsk = (struct task_struct *)regs_get_kernel_argument(regs, 0);
	struct clonefd_notify *n = (struct clonefd_notify *)ri->data;

	n->cfd = clonefd_exit_notify(tsk, &n->reap);
	if (!n->cfd)
		return 1;	/* not ours: no return handler */
	if (n->reap)
		clonefd_regs_set_arg1(regs, 0);
	return 0;
}

static int clonefd_notify_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct clonefd_notify *n = (struct clonefd_notify *)ri->data;

	if (n->reap)
		regs_set_return_value(regs, true);
	clonefd_exit_notified(n->cfd, regs_return_value(regs));
	return 0;
}

/*
 * do_notify_parent() runs under tasklist_lock held for writing, so one
 * instance at a time is in use; the default pool is ample.
 */
static struct kretprobe clonefd_notify_krp = {
	.kp.symbol_name	= "do_notify_parent",
	.entry_handler	= clonefd_notify_entry,
	.handler	= clonefd_notify_return,
	.data_size	= sizeof(struct clonefd_notify),
};

static int clonefd_flush_pid_pre(struct kprobe *kp, struct pt_regs *regs)
{
	clonefd_release_pid((struct pid *)regs_get_kernel_argument(regs, 0));
	return 0;
}

static struct kprobe clonefd_release_kp = {
	.symbol_name	= "proc_flush_pid",
	.pre_handler	= clonefd_flush_pid_pre,
};

/* The address kprobes use for @name (past an ENDBR on IBT kernels), or 0. */
static unsigned long clonefd_resolve(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	unsigned long addr;

	if (register_kprobe(&kp))
		return 0;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	return addr;
}

static void clonefd_match_tp(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(clonefd_tps); i++)
		if (!strcmp(tp->name, clonefd_tps[i].name))
			clonefd_tps[i].tp = tp;
}

static void clonefd_unregister_tps(unsigned int n)
{
	while (n--)
		tracepoint_probe_unregister(clonefd_tps[n].tp, clonefd_tps[n].probe, NULL);
	tracepoint_synchronize_unregister();
}

static int clonefd_register_tps(void)
{
	struct clonefd_tp *t;
	unsigned int i;
	int err;

	for_each_kernel_tracepoint(clonefd_match_tp, NULL);
	for (i = 0; i < ARRAY_SIZE(clonefd_tps); i++) {
		t = &clonefd_tps[i];
		err = t->tp ? tracepoint_probe_register(t->tp, t->probe, NULL) : -ENOENT;
		if (err) {
			pr_err("cannot attach to the %s tracepoint: %d\n", t->name, err);
			goto out;
		}
	}
	return 0;
out:
	clonefd_unregister_tps(i);
	return err;
}

static void clonefd_unregister_transfers(unsigned int n)
{
	while (n--)
		unregister_kprobe(&clonefd_transfers[n].kp);
}

/*
 * Resolve @t's target (unless it is a function of ours, whose address it
 * has from the start) and arm the kprobe on its stub.
 */
static int clonefd_register_transfer(struct clonefd_transfer *t)
{
	bool ours = t->addr;
	int err;

	if (!ours)
		t->addr = clonefd_resolve(t->target);
	if (!t->addr) {
		pr_err("cannot resolve %s: this kernel is not supported\n", t->target);
		return -ENOENT;
	}
	err = register_kprobe(&t->kp);
	if (err) {
		pr_err("cannot probe the %s transfer stub: %d\n", t->target, err);
		return err;
	}
	if (!ours)
		pr_info("%s at %pS reached by return from a kprobe on %pS (no indirect call)\n",
			t->target, (void *)t->addr, t->kp.addr);
	return 0;
}

static int clonefd_register_transfers(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(clonefd_transfers); i++) {
		err = clonefd_register_transfer(&clonefd_transfers[i]);
		if (err) {
			clonefd_unregister_transfers(i);
			return err;
		}
	}
	return 0;
}

int clonefd_hooks_init(void)
{
	int err;

	err = clonefd_register_transfers();
	if (err)
		return err;
	err = clonefd_register_tps();
	if (err)
		goto out_transfer;
	err = register_kretprobe(&clonefd_notify_krp);
	if (err) {
		pr_err("cannot probe do_notify_parent: %d\n", err);
		goto out_tp;
	}
	err = register_kprobe(&clonefd_release_kp);
	if (err) {
		pr_err("cannot probe proc_flush_pid: %d\n", err);
		goto out_notify;
	}
	pr_info("CLONE_AUTOREAP %s\n", CLONEFD_HOOK_AUTOREAP ?
		"done by the do_notify_parent() hook" : "done by the kernel (native)");
	return 0;

out_notify:
	unregister_kretprobe(&clonefd_notify_krp);
out_tp:
	clonefd_unregister_tps(ARRAY_SIZE(clonefd_tps));
out_transfer:
	clonefd_unregister_transfers(ARRAY_SIZE(clonefd_transfers));
	return err;
}

/*
 * Called only when no clonefd file is open and no child is tracked (both pin
 * the module), so no hook has work in flight; unregistering synchronises
 * with handlers still running on other CPUs.
 */
void clonefd_hooks_exit(void)
{
	unregister_kprobe(&clonefd_release_kp);
	unregister_kretprobe(&clonefd_notify_krp);
	clonefd_unregister_tps(ARRAY_SIZE(clonefd_tps));
	clonefd_unregister_transfers(ARRAY_SIZE(clonefd_transfers));
}
