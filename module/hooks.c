// SPDX-License-Identifier: GPL-2.0-only
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
/*
 * hooks.c - how clonefd reaches into the kernel's process machinery
 * without a single non-exported symbol being called through a pointer.
 *
 * kernel_clone(), __secure_computing()
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
 *                  request (ENOSYS).
 * sched_process_fork  tracepoint, found with for_each_kernel_tracepoint():
 *                  attaches the child before it can run.
 * do_notify_parent()  kretprobe: records the exit, and for an autoreaped
 *                  child on a kernel without native CLONE_AUTOREAP (before
 *                  7.1) passes sig = 0 and forces the "release it now"
 *                  return value.  Runs with tasklist_lock held for writing.
 * release_task()   kprobe: the process is gone; stop tracking it (and
 *                  drop what a thread killed by seccomp inside the ioctl
 *                  still held, see seccomp.c).
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

/*
 * A non-exported function reached through a stub of ours: the stub's entry
 * kprobe sets the saved instruction pointer to @addr and the trampoline
 * returns there (a return, not an indirect call: nothing for IBT to check).
 */
struct clonefd_transfer {
	const char	*target;
	unsigned long	addr;
	struct kprobe	kp;
};

/* The transfer stubs.  Their bodies run only if a redirect did not fire. */
clonefd_opaque pid_t clonefd_kernel_clone(struct kernel_clone_args *kargs)
{
	return -ENOSYS;
}

clonefd_opaque clonefd_seccomp_ret clonefd_secure_computing(const struct seccomp_data *sd)
{
	return CLONEFD_SECCOMP_SKIP;	/* fails closed with -ENOSYS */
}

static int clonefd_redirect(struct kprobe *kp, struct pt_regs *regs)
{
	struct clonefd_transfer *t = container_of(kp, struct clonefd_transfer, kp);

	instruction_pointer_set(regs, t->addr);
	return 1;	/* ip changed: do not single-step, do not restore ip */
}

static struct clonefd_transfer clonefd_transfers[] = {
	{
		.target		= "kernel_clone",
		.kp.addr	= (kprobe_opcode_t *)clonefd_kernel_clone,
		.kp.pre_handler	= clonefd_redirect,
	},
	{
		.target		= CLONEFD_SECCOMP_ENTRY,
		.kp.addr	= (kprobe_opcode_t *)clonefd_secure_computing,
		.kp.pre_handler	= clonefd_redirect,
	},
};

static void clonefd_fork_probe(void *data, struct task_struct *parent,
			       struct task_struct *child)
{
	clonefd_fork_attach(parent, child);
}

static struct tracepoint *clonefd_fork_tp;

static int clonefd_notify_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct task_struct *tsk = (struct task_struct *)regs_get_kernel_argument(regs, 0);

	if (!clonefd_exit_notify(tsk))
		return 1;	/* nothing to change on return */
	clonefd_regs_set_arg1(regs, 0);
	return 0;
}

static int clonefd_notify_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	regs_set_return_value(regs, true);
	return 0;
}

static struct kretprobe clonefd_notify_krp = {
	.kp.symbol_name	= "do_notify_parent",
	.entry_handler	= clonefd_notify_entry,
	.handler	= clonefd_notify_return,
};

static int clonefd_release_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct task_struct *tsk = (struct task_struct *)regs_get_kernel_argument(regs, 0);

	clonefd_release(tsk);
	clonefd_seccomp_release(tsk);
	return 0;
}

static struct kprobe clonefd_release_kp = {
	.symbol_name	= "release_task",
	.pre_handler	= clonefd_release_pre,
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
	if (!strcmp(tp->name, "sched_process_fork"))
		*(struct tracepoint **)priv = tp;
}

static void clonefd_unregister_transfers(unsigned int n)
{
	while (n--)
		unregister_kprobe(&clonefd_transfers[n].kp);
}

static int clonefd_register_transfers(void)
{
	struct clonefd_transfer *t;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(clonefd_transfers); i++) {
		t = &clonefd_transfers[i];
		t->addr = clonefd_resolve(t->target);
		if (!t->addr) {
			pr_err("cannot resolve %s: this kernel is not supported\n", t->target);
			err = -ENOENT;
			goto out;
		}
		err = register_kprobe(&t->kp);
		if (err) {
			pr_err("cannot probe the %s transfer stub: %d\n", t->target, err);
			goto out;
		}
		pr_info("%s at %pS reached by return from a kprobe on %pS (no indirect call)\n",
			t->target, (void *)t->addr, t->kp.addr);
	}
	return 0;
out:
	clonefd_unregister_transfers(i);
	return err;
}

int clonefd_hooks_init(void)
{
	int err;

	err = clonefd_register_transfers();
	if (err)
		return err;

	for_each_kernel_tracepoint(clonefd_match_tp, &clonefd_fork_tp);
	if (!clonefd_fork_tp) {
		pr_err("cannot find the sched_process_fork tracepoint\n");
		err = -ENOENT;
		goto out_transfer;
	}
	err = tracepoint_probe_register(clonefd_fork_tp, clonefd_fork_probe, NULL);
	if (err) {
		pr_err("cannot attach to sched_process_fork: %d\n", err);
		goto out_transfer;
	}
	err = register_kretprobe(&clonefd_notify_krp);
	if (err) {
		pr_err("cannot probe do_notify_parent: %d\n", err);
		goto out_tp;
	}
	err = register_kprobe(&clonefd_release_kp);
	if (err) {
		pr_err("cannot probe release_task: %d\n", err);
		goto out_notify;
	}
	pr_info("CLONE_AUTOREAP %s\n", CLONEFD_HOOK_AUTOREAP ?
		"done by the do_notify_parent() hook" : "done by the kernel (native)");
	return 0;

out_notify:
	unregister_kretprobe(&clonefd_notify_krp);
out_tp:
	tracepoint_probe_unregister(clonefd_fork_tp, clonefd_fork_probe, NULL);
	tracepoint_synchronize_unregister();
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
	tracepoint_probe_unregister(clonefd_fork_tp, clonefd_fork_probe, NULL);
	tracepoint_synchronize_unregister();
	clonefd_unregister_transfers(ARRAY_SIZE(clonefd_transfers));
}
