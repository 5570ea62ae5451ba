# shellcheck shell=bash
# test/matrix/root.sh - sourced by test/matrix/run.sh and test/deb/run.sh:
# Debian roots made with debootstrap --variant=minbase, cached in
# SECANT_PRE_MATRIX_CACHE (default /var/cache/secant-pre-matrix), and
# throwaway systems over them.  Needs root (debootstrap, mount, chroot).
#
# The cache holds, per Debian suite, the bare root (base-SUITE) and, per
# set of packages, an overlay layer over it (layer-NAME, the files that
# `apt-get install` added); a run mounts a fresh overlay of its own over
# those in a private mount namespace, so nothing it does reaches the cache
# and no mount outlives it.
#
#   mx_suite MAJOR              the Debian suite that carries PostgreSQL MAJOR
#   mx_base SUITE               the bare root of SUITE (made once)
#   mx_layer NAME SUITE PKG...  the layer NAME: PKG... installed over
#                               mx_base SUITE (made again when PKG... change)
#   mx_copy_tree SRC DEST       the files of the work tree SRC (tracked and
#                               new, not ignored: no build output) into DEST
#   mx_run DIR LOWER CMD        CMD (a bash script) as root in a system whose
#                               lower directories are LOWER (overlayfs syntax,
#                               top first) and whose changes go to DIR/upper;
#                               DIR/upper/X is /X inside, so files put there
#                               before are seen

MX_CACHE=${SECANT_PRE_MATRIX_CACHE:-/var/cache/secant-pre-matrix}
# the mirror: the first deb.debian.org-like URI of this machine's apt sources
MX_MIRROR=${SECANT_PRE_MIRROR:-$(sed -n 's|^URIs: *\(http[^ ]*/debian\)$|\1|p' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)}
MX_MIRROR=${MX_MIRROR:-http://deb.debian.org/debian}
MX_SECURITY=${SECANT_PRE_SECURITY_MIRROR:-$(sed -n 's|^URIs: *\(http[^ ]*/debian-security\)$|\1|p' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)}
MX_SECURITY=${MX_SECURITY:-http://deb.debian.org/debian-security}

mx_say() { printf '\n== %s\n' "$*"; }

mx_suite() {
	case "$1" in
		15) echo bookworm ;;
		17) echo trixie ;;
		18) echo sid ;;
		*) echo "no Debian suite known for PostgreSQL $1 (15, 17, 18)" >&2; return 1 ;;
	esac
}

mx_base() {
	local suite=$1 dir=$MX_CACHE/base-$1
	[ -f "$dir/.secant-pre-done" ] && return 0
	mx_say "debootstrap --variant=minbase $suite into $dir ($MX_MIRROR)"
	rm -rf "$dir" && mkdir -p "$MX_CACHE" || return 1
	debootstrap --variant=minbase "$suite" "$dir" "$MX_MIRROR" >"$MX_CACHE/base-$suite.log" 2>&1 ||
		{ tail -n 20 "$MX_CACHE/base-$suite.log" >&2; return 1; }
	# a stable suite's updates and security updates too
	[ "$suite" = sid ] || printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-security main\n' \
		"$MX_MIRROR" "$suite" "$MX_MIRROR" "$suite" "$MX_SECURITY" "$suite" >"$dir/etc/apt/sources.list"
	# no service starts inside; no main cluster made by postgresql-common
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
	chmod 755 "$dir/usr/sbin/policy-rc.d"
	mkdir -p "$dir/etc/postgresql-common"
	echo 'create_main_cluster = false' >"$dir/etc/postgresql-common/createcluster.conf"
	# no recommends; a mirror's sid may be older than its Valid-Until
	printf 'APT::Install-Recommends "false";\nAcquire::Check-Valid-Until "false";\n' \
		>"$dir/etc/apt/apt.conf.d/90secant-pre"
	touch "$dir/.secant-pre-done"
}

mx_layer() {
	local name=$1 suite=$2 dir=$MX_CACHE/layer-$1
	shift 2
	local want="$*"
	[ -f "$dir/.secant-pre-packages" ] && [ "$(cat "$dir/.secant-pre-packages")" = "$want" ] && return 0
	mx_base "$suite" || return 1
	mx_say "layer $name over $suite: apt-get install $want"
	rm -rf "$dir" "$dir.run" && mkdir -p "$dir.run" || return 1
	mx_run "$dir.run" "$MX_CACHE/base-$suite" "
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq && apt-get install -y -qq $want >/dev/null && apt-get clean" ||
		{ rm -rf "$dir.run"; return 1; }
	mv "$dir.run/upper" "$dir" && rm -rf "$dir.run" &&
		echo "$want" >"$dir/.secant-pre-packages"
}

mx_copy_tree() {
	mkdir -p "$2" && git -C "$1" ls-files -co --exclude-standard -z |
		(cd "$1" && xargs -0 cp --parents -t "$2")
}

mx_run() {
	local dir=$1 lower=$2 script=$3
	mkdir -p "$dir/upper" "$dir/work" "$dir/root" || return 1
	# the host's name servers, for apt
	mkdir -p "$dir/upper/etc" && cp /etc/resolv.conf "$dir/upper/etc/resolv.conf" 2>/dev/null
	unshare --mount --propagation private -- bash -c '
		set -e
		d=$1 r=$1/root
		mount -t overlay overlay -o "lowerdir=$2,upperdir=$d/upper,workdir=$d/work" "$r"
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		mount -t tmpfs tmpfs "$r/tmp"
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 TERM=dumb /bin/bash -c "$3"
	' mx_run "$dir" "$lower" "$script"
}
