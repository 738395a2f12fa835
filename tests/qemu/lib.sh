# Shared helpers of the guest test harness (sourced, not run).
# shellcheck shell=bash

memtag_cache=${MEMTAG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/memtag}

say() { printf 'memtag: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# Host tools and target names differ: x86_64/arm64 (kernel) vs amd64/arm64 (Debian).
deb_arch() {
	case "$1" in
	x86_64 | amd64) echo amd64 ;;
	arm64 | aarch64) echo arm64 ;;
	*) die "unknown architecture '$1' (use x86_64 or arm64)" ;;
	esac
}

# Newest kernel ABI of a series for which image and headers are in the apt
# lists: "6.1" -> 6.1.0-NN-ARCH, "6.12" -> 6.12.NN+deb12-ARCH.
resolve_kernel() {
	local arch=$1 series=$2 pattern abi
	case "$series" in
	6.1) pattern='6\.1\.0-[0-9]+' ;;
	6.12) pattern='6\.12\.[0-9]+\+deb12' ;;
	*) die "unsupported kernel series '$series' (6.1 or 6.12)" ;;
	esac
	for abi in $(apt-cache search --names-only "^linux-headers-${pattern}-${arch}\$" |
		awk '{print $1}' | sed "s/^linux-headers-//; s/-${arch}\$//" | sort -rV); do
		if apt-cache show "linux-image-${abi}-${arch}-unsigned:${arch}" >/dev/null 2>&1; then
			echo "${abi}-${arch}"
			return 0
		fi
	done
	die "no linux-image/linux-headers pair for $series on $arch in the apt lists (run 'make deps')"
}

# Download a package (name[:arch]) into the deb cache once; print its path.
fetch_deb() {
	local spec=$1 dir="$memtag_cache/debs" name arch ver file
	name=${spec%%:*}
	arch=$(echo "$spec" | awk -F: '{print (NF > 1) ? $2 : "amd64"}')
	ver=$(apt-cache show "$name:$arch" 2>/dev/null | awk '/^Version:/ {print $2; exit}')
	[ -n "$ver" ] || die "package $name:$arch is not in the apt lists (run 'make deps')"
	file="$dir/${name}_${ver//:/%3a}_${arch}.deb"
	if [ ! -s "$file" ]; then
		mkdir -p "$dir"
		say "downloading $name:$arch $ver"
		(cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "$name:$arch=$ver" >&2) ||
			die "apt-get download $name:$arch failed"
	fi
	echo "$file"
}

# Unpack a Debian kernel (image, modules, headers, kbuild) into the cache once
# and print its root. Its build tree is ROOT/build.
fetch_kernel() {
	local arch kver root common kbuild pkg deb
	arch=$(deb_arch "$1")
	kver=$(resolve_kernel "$arch" "$2")
	root="$memtag_cache/kernels/$kver"
	if [ -f "$root/.complete" ]; then
		echo "$root"
		return 0
	fi
	rm -rf "$root"
	mkdir -p "$root/tree"
	common=$(apt-cache depends "linux-headers-$kver:$arch" |
		awk '/Depends: <?linux-headers-.*-common/ {gsub(/[<>]/, "", $2); sub(/:.*/, "", $2); print $2; exit}')
	kbuild=$(apt-cache depends "linux-headers-$kver:$arch" |
		awk '/Depends: <?linux-kbuild-/ {gsub(/[<>]/, "", $2); sub(/:.*/, "", $2); print $2; exit}')
	[ -n "$common" ] && [ -n "$kbuild" ] || die "cannot find the common headers or kbuild of $kver"
	for pkg in "linux-image-$kver-unsigned:$arch" "linux-headers-$kver:$arch" \
		"$common:all" "$kbuild:amd64"; do
		deb=$(fetch_deb "$pkg")
		dpkg-deb -x "$deb" "$root/tree"
	done
	# The arch headers include the common tree by absolute /usr/src path:
	# point that include at our unpacked copy instead.
	sed -i "s|/usr/src/|$root/tree/usr/src/|g" "$root/tree/usr/src/linux-headers-$kver/Makefile"
	ln -sfn "tree/usr/src/linux-headers-$kver" "$root/build"
	ln -sfn "$(ls "$root"/tree/boot/vmlinu[xz]-* | head -n1 | sed "s|^$root/||")" "$root/kernel"
	echo "$kver" >"$root/release"
	touch "$root/.complete"
	echo "$root"
}
