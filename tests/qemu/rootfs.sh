# Building a guest root file system (sourced by run.sh).
# shellcheck shell=bash

# Guest-side paths of an architecture's libraries.
triplet() { [ "$1" = arm64 ] && echo aarch64-linux-gnu || echo x86_64-linux-gnu; }

lib_search_path() {
	local t
	t=$(triplet "$1")
	echo "/lib/$t /usr/lib/$t /usr/$t/lib /lib64 /lib"
}

# A static busybox and kmod (for modprobe & co) for the guest's arch.
guest_tool() {
	local arch=$1 tool=$2 dir deb
	if [ "$arch" = "$(deb_arch "$(uname -m)")" ]; then
		case "$tool" in
		busybox) echo /bin/busybox ;;
		kmod) echo /usr/bin/kmod ;;
		esac
		return 0
	fi
	dir="$memtag_cache/tools/$arch"
	if [ ! -x "$dir/$tool" ]; then
		mkdir -p "$dir/x"
		case "$tool" in
		busybox) deb=$(fetch_deb busybox-static:"$arch") || return 1 ;;
		kmod) deb=$(fetch_deb kmod:"$arch") || return 1 ;;
		esac
		dpkg-deb -x "$deb" "$dir/x"
		cp "$dir/x/bin/$tool" "$dir/x/usr/bin/$tool" "$dir/" 2>/dev/null || true
		[ -x "$dir/$tool" ] || die "no $tool in $deb"
	fi
	echo "$dir/$tool"
}

# Copy the dynamic libraries an ELF file needs (recursively) into ROOT.
copy_libs() {
	local root=$1 arch=$2 file=$3 t interp lib dir found
	t=$(triplet "$arch")
	interp=$(readelf -l "$file" 2>/dev/null | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then
		for dir in $(lib_search_path "$arch"); do
			if [ -e "$dir/$(basename "$interp")" ]; then
				install -D "$(readlink -f "$dir/$(basename "$interp")")" "$root$interp"
				break
			fi
		done
	fi
	for lib in $(readelf -d "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -e "$root/lib/$t/$lib" ] || [ -e "$root/usr/lib/$t/$lib" ] && continue
		found=
		for dir in $(lib_search_path "$arch"); do
			if [ -e "$dir/$lib" ]; then
				found=$(readlink -f "$dir/$lib")
				break
			fi
		done
		[ -n "$found" ] || die "library $lib needed by $file not found for $arch"
		install -D -m 755 "$found" "$root/lib/$t/$lib"
		copy_libs "$root" "$arch" "$found"
	done
}
