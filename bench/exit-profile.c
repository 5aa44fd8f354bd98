// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * exit-profile - where the CPU goes when children exit at once: a
 * system-wide sampling profile, per kind of child, per kernel function.
 * A profile, not a timing (clonefd-bench times); the sampling has its own
 * cost, so read the differences between kinds, not the absolute figures.
 *
 *   exit-profile [--waves N] [--period NS] [--top N]
 *
 * A wave: BLOCK children of one kind, sharing the parent's descriptor
 * table, blocked on a pipe; after a pause (the creation's aftermath done)
 * sampling starts, the children are released, their exits collected
 * through one epoll set, and sampling goes on for TAIL_MS (the exits' own
 * aftermath: the last context switches, RCU callbacks).  The kinds, in a
 * new random order each time:
 *   pidfd       clone3(CLONE_PIDFD), collected with waitid(P_PIDFD)
 *   autoreap    clone4(CLONE_FD|CLONE_AUTOREAP), collected with read()
 *   clonefd     clone4(CLONE_FD), collected with read() and waitpid()
 *
 * Sampling: perf_event_open(2), the cpu-clock software event on every CPU
 * (any process), PERF_SAMPLE_IP|TID; samples of the idle task are counted
 * apart, user-mode samples as one line, kernel ones by the function of
 * /proc/kallsyms that holds them.  Output: CPU microseconds per exit
 * (samples x period / exits) for each kind, the busy total, the clonefd
 * module's own functions, the kprobe/ftrace machinery that calls them
 * (the only probes on a test guest are the module's), then the functions
 * that differ most.
 *
 * Needs root (system-wide sampling, kernel addresses) and /dev/clonefd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <clonefd.h>

#include "bench.h"

#define BLOCK		100	/* children per wave */
#define PAUSE_MS	100	/* before a wave is released */
#define TAIL_MS		50	/* sampled after its last exit is collected */
#define RING_PAGES	256	/* per CPU, a power of two */
#define MAX_CPUS	64
#define MAX_FUNCS	8192

enum kind { PIDFD, AUTOREAP, CLONEFD, NKINDS };

static const char *const kind_name[NKINDS] = { "pidfd", "autoreap", "clonefd" };

enum owner { KERNEL, MODULE, PROBES };

struct ksym {
	uint64_t addr;
	char name[64];
	enum owner owner;
};

struct func {
	char name[64];
	enum owner owner;
	double samples[NKINDS];
};

static struct ksym *ksyms;
static int nksyms;
static struct func funcs[MAX_FUNCS];
static int nfuncs;
static double idle[NKINDS], lost[NKINDS];

static int ncpus;
static int perf_fd[MAX_CPUS];
static void *ring[MAX_CPUS];
static long page_size;
static int child_gate;

static void die(const char *what)
{
	fprintf(stderr, "exit-profile: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* --- kernel symbols --- */

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

/* Kernel functions that run a kprobe, kretprobe or ftrace callback. */
static int probe_machinery(const char *name)
{
	static const char *const prefix[] = {
		"kprobe", "kretprobe", "__kretprobe", "pre_handler_kretprobe", "aggr_",
		"rethook", "arch_rethook", "ftrace_", "arch_ftrace", "__ftrace",
	};
	size_t i;

	for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
		if (!strncmp(name, prefix[i], strlen(prefix[i])))
			return 1;
	return 0;
}

/* The text symbols of /proc/kallsyms, sorted by address. */
static void ksyms_load(void)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], name[256], mod[256];
	int cap = 0, n;
	uint64_t addr;
	char type;

	if (!f)
		die("/proc/kallsyms");
	while (fgets(line, sizeof(line), f)) {
		mod[0] = 0;
		n = sscanf(line, "%" SCNx64 " %c %255s %255s", &addr, &type, name, mod);
		if (n < 3 || (type != 't' && type != 'T') || !addr)
			continue;
		if (nksyms == cap) {
			cap = cap ? 2 * cap : 1 << 16;
			ksyms = realloc(ksyms, cap * sizeof(*ksyms));
			if (!ksyms)
				die("realloc");
		}
		ksyms[nksyms].addr = addr;
		snprintf(ksyms[nksyms].name, sizeof(ksyms[nksyms].name), "%.63s", name);
		ksyms[nksyms].owner = !strcmp(mod, "[clonefd]") ? MODULE :
				      probe_machinery(name) ? PROBES : KERNEL;
		nksyms++;
	}
	fclose(f);
	if (!nksyms) {
		fprintf(stderr, "exit-profile: no kernel addresses in /proc/kallsyms (not root?)\n");
		exit(1);
	}
	qsort(ksyms, nksyms, sizeof(*ksyms), cmp_ksym);
}

/* The symbol that holds @ip, NULL below the first one. */
static const struct ksym *ksym_of(uint64_t ip)
{
	int lo = 0, hi = nksyms - 1, mid;

	if (ip < ksyms[0].addr)
		return NULL;
	while (lo < hi) {
		mid = (lo + hi + 1) / 2;
		if (ksyms[mid].addr <= ip)
			lo = mid;
		else
			hi = mid - 1;
	}
	return &ksyms[lo];
}

static void count(const char *name, enum owner owner, enum kind k)
{
	int i;

	for (i = 0; i < nfuncs; i++)
		if (!strcmp(funcs[i].name, name))
			break;
	if (i == nfuncs) {
		if (nfuncs == MAX_FUNCS)
			return;
		snprintf(funcs[i].name, sizeof(funcs[i].name), "%.63s", name);
		funcs[i].owner = owner;
		nfuncs++;
	}
	funcs[i].samples[k]++;
}

/* --- sampling --- */

static void perf_open(long period_ns)
{
	struct perf_event_attr attr = {
		.size		= sizeof(attr),
		.type		= PERF_TYPE_SOFTWARE,
		.config		= PERF_COUNT_SW_CPU_CLOCK,
		.sample_period	= period_ns,
		.sample_type	= PERF_SAMPLE_IP | PERF_SAMPLE_TID,
		.disabled	= 1,
	};
	int cpu;

	page_size = sysconf(_SC_PAGESIZE);
	ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpus > MAX_CPUS)
		ncpus = MAX_CPUS;
	for (cpu = 0; cpu < ncpus; cpu++) {
		perf_fd[cpu] = syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (perf_fd[cpu] < 0)
			die("perf_event_open");
		ring[cpu] = mmap(NULL, (RING_PAGES + 1) * page_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, perf_fd[cpu], 0);
		if (ring[cpu] == MAP_FAILED)
			die("mmap perf ring");
	}
}

static void perf_enable(int on)
{
	int cpu;

	for (cpu = 0; cpu < ncpus; cpu++)
		if (ioctl(perf_fd[cpu], on ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE, 0))
			die("perf ioctl");
}

/* Copy @len bytes at @pos of a ring's data area, which wraps. */
static void ring_copy(const char *data, uint64_t pos, void *dst, size_t len)
{
	uint64_t size = RING_PAGES * page_size;
	size_t i;

	for (i = 0; i < len; i++)
		((char *)dst)[i] = data[(pos + i) % size];
}

struct sample {
	struct perf_event_header header;
	uint64_t ip;
	uint32_t pid, tid;
};

/* Take every record out of the rings, counting samples for kind @k. */
static void perf_drain(enum kind k)
{
	struct perf_event_mmap_page *meta;
	const struct ksym *sym;
	uint64_t head, tail;
	struct sample s;
	const char *data;
	int cpu;

	for (cpu = 0; cpu < ncpus; cpu++) {
		meta = ring[cpu];
		data = (const char *)ring[cpu] + page_size;
		head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
		for (tail = meta->data_tail; tail < head; tail += s.header.size) {
			ring_copy(data, tail, &s.header, sizeof(s.header));
			if (s.header.type == PERF_RECORD_LOST) {
				lost[k]++;
				continue;
			}
			if (s.header.type != PERF_RECORD_SAMPLE || s.header.size < sizeof(s))
				continue;
			ring_copy(data, tail, &s, sizeof(s));
			if (s.pid == 0) {
				idle[k]++;
			} else if (s.ip < (1ULL << 63)) {
				count("[user mode]", KERNEL, k);
			} else {
				sym = ksym_of(s.ip);
				count(sym ? sym->name : "[unknown]", sym ? sym->owner : KERNEL, k);
			}
		}
		__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
	}
}

/* --- the waves --- */

struct child {
	int fd;
	pid_t pid;
};

static int block_on_gate(void *arg)
{
	char c;

	(void)arg;
	return read(child_gate, &c, 1) == 1 ? 0 : 1;
}

static void create(enum kind k, struct child *ch)
{
	struct clone_args cargs = {
		.flags = CLONE_PIDFD | CLONE_FILES,
		.pidfd = (uintptr_t)&ch->fd,
		.exit_signal = SIGCHLD,
	};
	struct clone4_args args = { .clonefd = &ch->fd, .clonefd_flags = O_CLOEXEC };
	uint64_t how = k == AUTOREAP ? CLONE_AUTOREAP : SIGCHLD;

	ch->fd = -1;
	if (k == PIDFD) {
		ch->pid = syscall(SYS_clone3, &cargs, sizeof(cargs));
		if (ch->pid == 0)
			_exit(block_on_gate(NULL));
	} else {
		ch->pid = clone4(CLONE_FD | CLONE_FILES | how, sizeof(args), &args,
				 block_on_gate, NULL);
	}
	if (ch->pid < 0)
		die(kind_name[k]);
}

static void collect(enum kind k, struct child *ch)
{
	struct clonefd_info info;
	siginfo_t si;
	int err;

	if (k == PIDFD)
		err = waitid(P_PIDFD, ch->fd, &si, WEXITED);
	else
		err = read(ch->fd, &info, sizeof(info)) != sizeof(info) ||
		      (k == CLONEFD && waitpid(ch->pid, NULL, 0) != ch->pid);
	if (err || close(ch->fd))
		die("collect");
}

/* One wave of kind @k, sampled; returns its wall time in us. */
static double wave(enum kind k, int ep)
{
	static char bytes[BLOCK];
	struct child ch[BLOCK];
	struct epoll_event ev[64];
	int gate[2], i, n, left;
	double t0;

	if (pipe2(gate, O_CLOEXEC))
		die("pipe");
	child_gate = gate[0];
	for (i = 0; i < BLOCK; i++) {
		create(k, &ch[i]);
		ev[0] = (struct epoll_event){ .events = EPOLLIN, .data.u32 = i };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, ch[i].fd, &ev[0]))
			die("epoll_ctl");
	}
	usleep(PAUSE_MS * 1000);
	perf_enable(1);
	t0 = bench_now_us();
	if (write(gate[1], bytes, BLOCK) != BLOCK)
		die("gate");
	for (left = BLOCK; left > 0; left -= n) {
		n = epoll_wait(ep, ev, 64, -1);
		if (n < 0)
			die("epoll_wait");
		for (i = 0; i < n; i++)
			collect(k, &ch[ev[i].data.u32]);	/* close() leaves the set */
	}
	t0 = bench_now_us() - t0;
	usleep(TAIL_MS * 1000);
	perf_enable(0);
	perf_drain(k);
	close(gate[0]);
	close(gate[1]);
	return t0;
}

/* --- output --- */

static double diff_of(const struct func *f)
{
	double a = f->samples[AUTOREAP] - f->samples[PIDFD];
	double b = f->samples[CLONEFD] - f->samples[PIDFD];

	a = a < 0 ? -a : a;
	b = b < 0 ? -b : b;
	return a > b ? a : b;
}

static int cmp_diff(const void *a, const void *b)
{
	double x = diff_of(a), y = diff_of(b);

	return (x < y) - (x > y);
}

static void print_line(const char *name, const double *v, double scale)
{
	printf("  %-40s %9.2f %9.2f %9.2f %+9.2f %+9.2f\n", name, v[PIDFD] * scale,
	       v[AUTOREAP] * scale, v[CLONEFD] * scale, (v[AUTOREAP] - v[PIDFD]) * scale,
	       (v[CLONEFD] - v[PIDFD]) * scale);
}

static void report(int waves, long period_ns, int top, const double *wall)
{
	double busy[NKINDS] = { 0 }, module[NKINDS] = { 0 }, probes[NKINDS] = { 0 }, per;
	double scale = period_ns / 1e3 / ((double)waves * BLOCK);
	int i, k;

	for (i = 0; i < nfuncs; i++)
		for (k = 0; k < NKINDS; k++) {
			busy[k] += funcs[i].samples[k];
			if (funcs[i].owner == MODULE)
				module[k] += funcs[i].samples[k];
			else if (funcs[i].owner == PROBES)
				probes[k] += funcs[i].samples[k];
		}
	printf("exit-profile: %d waves of %d exits per kind, cpu-clock every %ld ns on %d CPUs\n",
	       waves, BLOCK, period_ns, ncpus);
	printf("CPU us per exit, sampled (the sampling's own cost included)\n");
	printf("  %-40s %9s %9s %9s %9s %9s\n", "", kind_name[PIDFD], kind_name[AUTOREAP],
	       kind_name[CLONEFD], "autoreap-", "clonefd-");
	per = 1 / ((double)waves * BLOCK);
	printf("  %-40s %9.1f %9.1f %9.1f  (wall, us)\n", "release to last exit collected",
	       wall[PIDFD] * per, wall[AUTOREAP] * per, wall[CLONEFD] * per);
	print_line("busy (every CPU, idle task excluded)", busy, scale);
	print_line("idle task", idle, scale);
	print_line("clonefd module's own functions", module, scale);
	print_line("kprobe/ftrace machinery", probes, scale);
	if (lost[PIDFD] + lost[AUTOREAP] + lost[CLONEFD])
		printf("  (lost records: %.0f %.0f %.0f)\n", lost[PIDFD], lost[AUTOREAP], lost[CLONEFD]);
	printf("functions that differ most from pidfd's:\n");
	qsort(funcs, nfuncs, sizeof(*funcs), cmp_diff);
	for (i = 0; i < nfuncs && i < top; i++)
		print_line(funcs[i].name, funcs[i].samples, scale);
}

static void usage(void)
{
	fprintf(stderr, "usage: exit-profile [--waves N] [--period NS] [--top N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "waves", required_argument, NULL, 'w' },
		{ "period", required_argument, NULL, 'p' },
		{ "top", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	double wall[NKINDS] = { 0 };
	int opt, waves = 30, top = 25, w, j, ep, order[NKINDS];
	long period_ns = 20000;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'w': waves = atoi(optarg); break;
		case 'p': period_ns = atol(optarg); break;
		case 't': top = atoi(optarg); break;
		default: usage();
		}
	}
	if (waves < 1 || period_ns < 1000 || top < 0)
		usage();
	ksyms_load();
	perf_open(period_ns);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	for (w = 0; w < waves; w++) {
		bench_shuffle(order, NKINDS);
		for (j = 0; j < NKINDS; j++)
			wall[order[j]] += wave(order[j], ep);
	}
	report(waves, period_ns, top, wall);
	return 0;
}
