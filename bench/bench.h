/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * What the measuring programs in bench/ share: the clock and the order in
 * which they interleave what they compare.
 */
#ifndef CLONEFD_BENCH_H
#define CLONEFD_BENCH_H

#include <stdint.h>
#include <time.h>

static inline double bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/*
 * A new random order of @n things in @order: Fisher-Yates on a fixed-seed
 * xorshift generator, so that runs are alike.  A fixed rotation would make
 * every thing follow the same predecessor, whose deferred costs (an exited
 * child's last context switch, RCU callbacks freeing its task) it would
 * then always pay.
 */
static inline void bench_shuffle(int *order, int n)
{
	static uint64_t x = 88172645463325252ULL;
	int i, j, tmp;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = x % (i + 1);
		tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
}

#endif /* CLONEFD_BENCH_H */
