#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make package-check: the Debian packages as a user gets them.
#  1. make deb: the .debs in build/deb;
#  2. lintian: any error or warning (not overridden in debian/) fails;
#  3. the .debs unpacked into a scratch root (dpkg-deb -x: the host's dpkg
#     database is not touched);
#  4. DKMS builds the module from that root's /usr/src/memtag-VERSION for a
#     guest kernel's headers, in a private DKMS tree (not /var/lib/dkms);
#  5. a guest boots with that module in /lib/modules/RELEASE/updates/dkms and
#     the packaged tagctl, libmemtag and modules-load.d file, loads the module
#     from modules-load.d and passes the status suite (guest-status.sh).
# MEMTAG_PACKAGE_TARGET picks the guest (default x86_64-6.1);
# MEMTAG_GUEST_WRAPPER prefixes the guest's run, e.g.
# "flock /tmp/memtag-guest.lock" on a shared machine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/qemu/lib.sh"

target=${MEMTAG_PACKAGE_TARGET:-x86_64-6.1}
arch=${target%%-*}
series=${target#*-}
work=$top/build/package
start=$(date +%s)
step() { say "package-check: $* ($(($(date +%s) - start))s)"; }

rm -rf "$work"
mkdir -p "$work"
make -s -C "$top" deb >"$work/deb.log" 2>&1 || { tail -n 40 "$work/deb.log" >&2; die "make deb failed (log: $work/deb.log)"; }
step "built $(cd "$top/build/deb" && echo *.deb)"

rc=0
lintian --fail-on error,warning --info "$top"/build/deb/*.changes >"$work/lintian.log" 2>&1 || rc=$?
# lintian says it runs as root; that is no finding
grep -v '^running with root privileges is not recommended!$' "$work/lintian.log" >&2 || true
[ "$rc" -eq 0 ] || die "lintian found errors or warnings (log: $work/lintian.log)"
step "lintian clean"

root=$work/root
for deb in "$top"/build/deb/*.deb; do
	case "$deb" in *-dbgsym_*) continue ;; esac
	dpkg-deb -x "$deb" "$root"
done
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$root"/usr/src/memtag-*/dkms.conf)
[ -n "$version" ] && [ -d "$root/usr/src/memtag-$version" ] || die "no /usr/src/memtag-VERSION in memtag-dkms"

kroot=$(fetch_kernel "$arch" "$series") || die "cannot fetch the $series kernel for $arch"
kver=$(cat "$kroot/release")
mkdir -p "$work/dkms"
# sign_file: no signing, so that DKMS makes no key in /var/lib/dkms
sign_file=/nonexistent dkms build -m memtag -v "$version" -k "$kver" -a "$arch" \
	--sourcetree "$root/usr/src" --dkmstree "$work/dkms" --kernelsourcedir "$kroot/build" \
	>"$work/dkms.log" 2>&1 || { cat "$work/dkms.log" >&2; die "dkms build failed"; }
ko=$work/dkms/memtag/$version/$kver/$arch/module/memtag.ko
[ -f "$ko" ] || ko=$ko.xz
[ -f "$ko" ] || die "dkms build left no memtag.ko (log: $work/dkms.log)"
step "dkms built memtag $version for $kver"

# what the guest gets from the packages; DEST_MODULE_LOCATION from dkms.conf
overlay=$work/overlay
dest=$(sed -n 's/^DEST_MODULE_LOCATION\[0\]="\(.*\)"$/\1/p' "$root/usr/src/memtag-$version/dkms.conf")
install -D -m 644 "$ko" "$overlay/lib/modules/$kver$dest/$(basename "$ko")"
cp -a "$root/usr" "$overlay/"
rm -rf "$overlay/usr/src" "$overlay/usr/share/doc" "$overlay/usr/share/man"
# shellcheck disable=SC2086
MEMTAG_GUEST_OVERLAY=$overlay ${MEMTAG_GUEST_WRAPPER:-} "$top/tests/qemu/run.sh" --script "$here/guest-status.sh" "$target" |
	tee "$work/guest.log"
grep -q '^MEMTAG-PACKAGE-PASS' "$work/guest.log" || die "the guest did not pass on the packaged module"
step "$target passed the status suite on the DKMS-built module"
