#!/usr/bin/env bash
# Install what building and testing memtag needs on Debian 12 (bookworm).
# Idempotent: when everything is present it touches neither apt nor the net.
set -euo pipefail

host_packages=(
	gcc make pkg-config perl xz-utils cpio kmod busybox-static
	libnl-genl-3-dev libcunit1-dev libjson-c-dev
	linux-headers-amd64 sparse dwarves
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	linux-source-6.1 bc bison flex libelf-dev libssl-dev
	libdw-dev libprotobuf-c-dev protobuf-c-compiler libncurses-dev
	golang-go golang-github-google-pprof-dev prometheus zlib1g-dev libtsan2
	libtalloc-dev libapr1-dev uuid-dev liblua5.4-dev valgrind
	debhelper dh-dkms dkms dpkg-dev fakeroot lintian
)
# Target libraries for cross-linking the arm64 guest binaries (multiarch).
arm64_packages=(
	libnl-genl-3-dev:arm64 libcunit1-dev:arm64 libjson-c-dev:arm64
	libkmod2:arm64 libdw-dev:arm64 libprotobuf-c-dev:arm64 libncurses-dev:arm64
	zlib1g-dev:arm64 libtalloc-dev:arm64 uuid-dev:arm64 liblua5.4-dev:arm64
)
# From bookworm-backports: QEMU 7.2's MTE emulation faults on some stores
# whose tags match (seen with a 22-byte memset at ...0b0); QEMU 10 does not.
backports_packages=(qemu-system-x86 qemu-system-arm)
qemu_min_version=1:8.0
backports_file=/etc/apt/sources.list.d/memtag-bookworm-backports.sources

missing() {
	local pkg
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null |
			grep -q '^install ok installed$' || echo "$pkg"
	done
}

need_update=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	echo "memtag: adding the arm64 architecture to dpkg"
	dpkg --add-architecture arm64
	need_update=1
fi
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "memtag: adding the bookworm-backports suite ($backports_file)"
	cat >"$backports_file" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	need_update=1
fi

# Installed, and at least qemu_min_version?
too_old() {
	local pkg version
	for pkg in "$@"; do
		version=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
		if [ -z "$version" ] || dpkg --compare-versions "$version" lt "$qemu_min_version"; then
			echo "$pkg"
		fi
	done
}

# libapr1-dev is not multiarch (the arm64 one would remove the amd64 one):
# the benchmark's cross build takes a copy unpacked into the cache.
foreign_dev() {
	"$(dirname "$0")/foreign-dev.sh" arm64 >/dev/null
}

mapfile -t todo < <(missing "${host_packages[@]}" "${arm64_packages[@]}")
mapfile -t todo_backports < <(too_old "${backports_packages[@]}")
if [ "${#todo[@]}" -eq 0 ] && [ "${#todo_backports[@]}" -eq 0 ] && [ "$need_update" -eq 0 ]; then
	foreign_dev
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "memtag: missing packages: ${todo[*]} ${todo_backports[*]}" >&2
	echo "memtag: run 'make deps' as root, or install them with apt-get" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
if [ "${#todo[@]}" -gt 0 ]; then
	echo "memtag: installing ${todo[*]}"
	apt-get install -y -q --no-install-recommends "${todo[@]}"
fi
if [ "${#todo_backports[@]}" -gt 0 ]; then
	echo "memtag: installing ${todo_backports[*]} from bookworm-backports"
	apt-get install -y -q --no-install-recommends -t bookworm-backports "${todo_backports[@]}"
fi
foreign_dev
