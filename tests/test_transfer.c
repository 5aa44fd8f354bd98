// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The kernel functions the module transfers control to (kernel_clone(),
 * the seccomp entry), checked in the running kernel's own text.
 *
 * Kernels with indirect branch tracking trap an indirect call to a
 * function that does not start with a landing pad: x86 with
 * X86_KERNEL_IBT (Debian 13's 6.12 and later) on a CPU with IBT, where
 * these functions' ENDBRs are even sealed (#CP); arm64 with
 * ARM64_BTI_KERNEL (not in Debian 12's arm64 kernel) on a CPU with BTI.
 * QEMU's TCG cannot raise #CP, so on x86 a regression to an indirect call
 * would pass every other test here.
 * So: at load the module logs one line per transfer,
 *   "clonefd: NAME at NAME+0xOFF/0xSIZE reached by return from a kprobe on ..."
 * and this test reads those lines from the kernel log, reads each target's
 * first instruction from /proc/kcore, and checks that
 *   - both transfers are there and are returns (no indirect call);
 *   - the return lands where kprobes put it:
 *     x86_64: past the ENDBR slot (+4) when the function starts with one
 *     (a live ENDBR64 f3 0f 1e fa, or a sealed one: 66 0f 1f 00 on 6.12,
 *     0f 1f 40 d6 on 7.x), at +0 otherwise;
 *     arm64: at +0 always - kprobes do not skip a landing pad there, and
 *     the first instruction may be the PACIASP that signs the return
 *     address the function's AUTIASP checks, so none may be skipped;
 *   - a target reached any other way would have to start with a live
 *     landing pad (ENDBR64; BTI c, BTI jc, PACIASP or PACIBSP).
 * The instruction found is printed, so a log shows what the kernel had.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

#include "testlib.h"

#define MAX_TRANSFERS	8

struct transfer {
	char		name[64];
	unsigned long	off;		/* NAME+OFF is where the return lands */
	int		by_return;	/* "reached by return ... (no indirect call)" */
};

/* The kernel log (SYSLOG_ACTION_READ_ALL); free() it. */
static char *read_klog(void)
{
	int size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf;
	int n;

	ck_assert_int_gt(size, 0);
	buf = malloc(size + 1);
	ck_assert_ptr_nonnull(buf);
	n = klogctl(3, buf, size);		/* SYSLOG_ACTION_READ_ALL */
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	return buf;
}

/* The transfer lines of the last load of the module; returns their count. */
static int parse_transfers(struct transfer *t, int max)
{
	char *log = read_klog(), *line, *save = NULL, *p;
	int n = 0;

	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64], at[64];

		p = strstr(line, "clonefd: ");
		if (!p || !strstr(p, " reached by "))
			continue;
		if (sscanf(p, "clonefd: %63s at %63s", name, at) != 2)
			continue;
		/* a line for the first target again: a later load starts over */
		if (n > 0 && !strcmp(name, t[0].name))
			n = 0;
		ck_assert_int_lt(n, max);
		snprintf(t[n].name, sizeof(t[n].name), "%s", name);
		/* at = NAME+0xOFF/0xSIZE */
		ck_assert_msg(!strncmp(at, name, strlen(name)) && at[strlen(name)] == '+',
			      "unexpected target %s for %s", at, name);
		t[n].off = strtoul(at + strlen(name) + 1, NULL, 16);
		t[n].by_return = strstr(p, "reached by return") && strstr(p, "(no indirect call)");
		n++;
	}
	free(log);
	return n;
}

/* The address of text symbol @name in /proc/kallsyms, 0 if not found. */
static unsigned long kallsyms_addr(const char *name)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char sym[256], type;
	unsigned long addr, found = 0;

	ck_assert_ptr_nonnull(f);
	while (fscanf(f, "%lx %c %255s%*[^\n]", &addr, &type, sym) == 3) {
		if ((type == 'T' || type == 't') && !strcmp(sym, name)) {
			found = addr;
			break;
		}
	}
	fclose(f);
	return found;
}

/* Reads @len bytes of kernel memory at @addr through /proc/kcore's ELF
 * program headers; returns 0 on success. */
static int kcore_read(unsigned long addr, unsigned char *buf, size_t len)
{
	int fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int i, ret = -1;

	if (fd < 0)
		return -1;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh))
		goto out;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + (off_t)i * eh.e_phentsize) != sizeof(ph))
			goto out;
		if (ph.p_type != PT_LOAD || addr < ph.p_vaddr ||
		    addr + len > ph.p_vaddr + ph.p_memsz)
			continue;
		if (pread(fd, buf, len, ph.p_offset + (addr - ph.p_vaddr)) == (ssize_t)len)
			ret = 0;
		break;
	}
out:
	close(fd);
	return ret;
}

#if defined(__x86_64__)
static const unsigned char endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
static const unsigned char sealed[][4] = {
	{ 0x66, 0x0f, 0x1f, 0x00 },	/* 6.12 */
	{ 0x0f, 0x1f, 0x40, 0xd6 },	/* 7.x */
};

/* Does the function start with a live landing pad? */
static int live_landing_pad(const unsigned char *b)
{
	return !memcmp(b, endbr64, 4);
}

/* Where kprobes, and so the return, land: past an ENDBR slot, live or sealed. */
static unsigned long landing_offset(const unsigned char *b)
{
	size_t i;

	if (live_landing_pad(b))
		return 4;
	for (i = 0; i < sizeof(sealed) / sizeof(sealed[0]); i++)
		if (!memcmp(b, sealed[i], 4))
			return 4;
	return 0;
}

static const char *describe(const unsigned char *b)
{
	return live_landing_pad(b) ? "ENDBR64" : landing_offset(b) ? "sealed ENDBR" : "no ENDBR";
}
#elif defined(__aarch64__)
/* Little-endian A64 instruction words. */
static const struct {
	uint32_t insn;
	const char *name;
	int landing_pad;	/* for an indirect call (BLR) */
} a64_first[] = {
	{ 0xd503245f, "BTI c", 1 },
	{ 0xd50324df, "BTI jc", 1 },
	{ 0xd503233f, "PACIASP", 1 },
	{ 0xd503237f, "PACIBSP", 1 },
	{ 0xd503201f, "NOP", 0 },
	{ 0xaa1e03e9, "MOV x9, x30: ftrace's patch site", 0 },
};

static int a64_index(const unsigned char *b)
{
	uint32_t insn = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
	size_t i;

	for (i = 0; i < sizeof(a64_first) / sizeof(a64_first[0]); i++)
		if (a64_first[i].insn == insn)
			return i;
	return -1;
}

static int live_landing_pad(const unsigned char *b)
{
	int i = a64_index(b);

	return i >= 0 && a64_first[i].landing_pad;
}

/* kprobes probe the first instruction itself, whatever it is. */
static unsigned long landing_offset(const unsigned char *b)
{
	(void)b;
	return 0;
}

static const char *describe(const unsigned char *b)
{
	int i = a64_index(b);

	return i >= 0 ? a64_first[i].name : "another instruction";
}
#else
#error "tests/test_transfer.c: no landing pads known for this architecture"
#endif

START_TEST(transfer_targets_reached_by_return)
{
	struct transfer t[MAX_TRANSFERS];
	int n = parse_transfers(t, MAX_TRANSFERS), i, clone = 0, seccomp = 0;

	for (i = 0; i < n; i++) {
		unsigned long addr = kallsyms_addr(t[i].name);
		unsigned char b[4];

		ck_assert_msg(addr, "%s not in /proc/kallsyms", t[i].name);
		ck_assert_msg(!kcore_read(addr, b, sizeof(b)),
			      "cannot read %s at %#lx from /proc/kcore", t[i].name, addr);
		printf("transfer: %s at %#lx+%#lx, first bytes %02x %02x %02x %02x (%s), %s\n",
		       t[i].name, addr, t[i].off, b[0], b[1], b[2], b[3], describe(b),
		       t[i].by_return ? "by return" : "NOT by return");
		if (t[i].by_return)
			ck_assert_msg(t[i].off == landing_offset(b),
				      "%s: return lands at +%#lx, expected +%#lx",
				      t[i].name, t[i].off, landing_offset(b));
		else
			ck_assert_msg(live_landing_pad(b),
				      "%s is reached other than by return but has no live landing pad",
				      t[i].name);
		clone |= !strcmp(t[i].name, "kernel_clone");
		seccomp |= !strcmp(t[i].name, "__secure_computing") ||
			   !strcmp(t[i].name, "__seccomp_permit_syscall");
	}
	fflush(stdout);
	ck_assert_msg(clone && seccomp,
		      "the module's load log names %d transfers, kernel_clone %s, seccomp entry %s",
		      n, clone ? "found" : "missing", seccomp ? "found" : "missing");
	for (i = 0; i < n; i++)
		ck_assert_msg(t[i].by_return, "%s is not reached by return", t[i].name);
}
END_TEST

Suite *transfer_suite(void)
{
	Suite *s = suite_create("transfer");
	TCase *tc = tcase_create("ibt");

	tcase_add_test(tc, transfer_targets_reached_by_return);
	suite_add_tcase(s, tc);
	return s;
}
