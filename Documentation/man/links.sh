#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# For each man page given, print "LINK PAGE" for every other name its NAME
# section lists (the names before "\-"), so that 'man tag_free' finds
# tag_alloc.3. install-man and uninstall both read this list.
for page in "$@"; do
	base=${page##*/}
	sect=${base##*.}
	awk '/^\.SH/ { if (in_name) exit; in_name = ($2 == "NAME" || $2 == "\"NAME\"") ; next }
	     in_name { sub(/^\.[A-Z]+ /, ""); n = index($0, "\\-")
	               if (n) { print substr($0, 1, n - 1); exit } print }' "$page" |
		sed 's/\\f[BIRP]//g' | tr ',' '\n' | tr -d ' \t' | sed '/^$/d' |
		while read -r name; do
			[ "$name.$sect" = "$base" ] || echo "$name.$sect $base"
		done
done
