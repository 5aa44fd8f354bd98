# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# private-apt.sh - sourced by fetch-kernel and arm64-sysroot: a private apt
# configuration for a Debian release (own sources list, own state and cache
# directories under CACHE/apt/; the system's apt setup and dpkg are never
# touched), from which packages are downloaded and unpacked, not installed.
#
# CLONEFD_CACHE overrides the cache location (default: ~/.cache/clonefd),
# CLONEFD_MIRROR and CLONEFD_SECURITY_MIRROR the archives.

cache=${CLONEFD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clonefd}

# private_apt RELEASE ARCH: set up the index of RELEASE (bookworm, trixie;
# bookworm-backports, trixie-backports: that release with its backports,
# which apt prefers only when asked, -t) for this host
# (amd64) and, for a foreign ARCH (arm64), that architecture too - one index
# per RELEASE and ARCH, shared by every script that asks for the same pair -
# and set apt_opts, the options that make apt-get and apt-cache use it.
# Holds a lock on the index (fd 9) until the calling script exits; refreshes
# it at most once an hour (the archive moves slowly, and make check should
# not hit the network on every run).
private_apt() {
	local release=$1 arch=$2 suites sec archs s
	local mirror=${CLONEFD_MIRROR:-http://deb.debian.org/debian}
	local security=${CLONEFD_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

	case $release in
	bookworm|trixie)
		suites="$release $release-updates"; sec="$release-security" ;;
	bookworm-backports|trixie-backports)
		s=${release%-backports}
		suites="$s $s-updates $release"; sec="$s-security" ;;
	*)	echo "unknown release '$release' (supported: bookworm, trixie, and their -backports)" >&2
		return 2 ;;
	esac
	case $arch in
	amd64)	archs=amd64; apt_dir=$cache/apt/$release ;;
	arm64)	archs=amd64,arm64; apt_dir=$cache/apt/$release-amd64+arm64 ;;
	*)	echo "unknown architecture '$arch' (supported: amd64, arm64)" >&2; return 2 ;;
	esac

	mkdir -p "$apt_dir"/{lists/partial,archives/partial,etc/preferences.d,etc/apt.conf.d}
	# One user at a time per index (apt's own locking is off: Debug::NoLocking).
	exec 9> "$apt_dir/.lock"
	flock 9
	: > "$apt_dir/status"
	{
		for s in $suites; do echo "deb [arch=$archs] $mirror $s main"; done
		echo "deb [arch=$archs] $security $sec main"
	} > "$apt_dir/etc/sources.list"

	apt_opts=(
		-o "Dir::Etc::sourcelist=$apt_dir/etc/sources.list"
		-o "Dir::Etc::sourceparts=-"
		-o "Dir::Etc::preferencesparts=$apt_dir/etc/preferences.d"
		-o "Dir::State=$apt_dir"
		-o "Dir::State::lists=$apt_dir/lists"
		-o "Dir::State::status=$apt_dir/status"
		-o "Dir::Cache=$apt_dir"
		-o "Dir::Cache::archives=$apt_dir/archives"
		-o "APT::Architecture=amd64"
		-o "APT::Architectures=$archs"
		-o "Debug::NoLocking=1"
	)

	if [ -z "$(find "$apt_dir/lists/.updated" -mmin -60 2>/dev/null)" ]; then
		echo "${0##*/}: updating private package index for $release ($archs)" >&2
		apt-get -q "${apt_opts[@]}" update >&2
		touch "$apt_dir/lists/.updated"
	fi
}

# newest_deb DIR NAME ARCH: the most recently downloaded NAME_*_ARCH.deb in
# DIR (ARCH "all" for an Architecture: all package), or nothing.
newest_deb() {
	find "$1" -maxdepth 1 -name "${2}_*_${3}.deb" -printf '%T@ %p\n' |
		sort -rn | head -n1 | cut -d' ' -f2-
}
