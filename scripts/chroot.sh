# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# chroot.sh - sourced by the scripts that run a Debian release's tools in
# its cached rootfs (scripts/release-rootfs): the kernel API file systems
# mounted for the duration, and a clean environment inside.

# Mounts made by mount_api, undone by unmount_all (installed as the EXIT
# trap by whoever sources this file, also on failure).
mounted=()

# shellcheck disable=SC2317 # invoked by the trap
unmount_all() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount -l "${mounted[i]}" 2> /dev/null || true
	done
	mounted=()
}

# mount_api DIR: /proc, /sys and /dev inside DIR for the chrooted tools.
mount_api() {
	local d=$1
	mount -t proc proc "$d/proc" && mounted+=("$d/proc")
	mount -t sysfs sysfs "$d/sys" && mounted+=("$d/sys")
	mount --bind /dev "$d/dev" && mounted+=("$d/dev")
}

# in_root DIR CMD...: run CMD chrooted in DIR, non-interactively.
in_root() {
	local d=$1
	shift
	chroot "$d" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 HOME=/root "$@"
}
