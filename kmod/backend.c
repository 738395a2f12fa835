// SPDX-License-Identifier: GPL-2.0
/* Choice of the tagging backend, made once at load. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/moduleparam.h>
#include <linux/string.h>
#ifdef CONFIG_ARM64_MTE
#include <asm/cpufeature.h>
#endif
#include "memtag.h"

static char *backend = "auto";
module_param(backend, charp, 0444);
MODULE_PARM_DESC(backend,
		 "Tagging backend: auto (mte when the CPUs support MTE, else software), mte or software");

static enum memtag_backend active_backend;
static bool backend_forced;

bool memtag_cpu_has_mte(void)
{
#ifdef CONFIG_ARM64_MTE
	return system_supports_mte();
#else
	return false;
#endif
}

const char *memtag_backend_name(enum memtag_backend which)
{
	return which == MEMTAG_BACKEND_MTE ? "mte" : "software";
}

int memtag_backend_init(void)
{
	bool mte = memtag_cpu_has_mte();

	if (sysfs_streq(backend, "auto")) {
		active_backend = mte ? MEMTAG_BACKEND_MTE : MEMTAG_BACKEND_SOFTWARE;
	} else if (sysfs_streq(backend, "software")) {
		active_backend = MEMTAG_BACKEND_SOFTWARE;
		backend_forced = true;
	} else if (sysfs_streq(backend, "mte")) {
		if (!mte) {
			pr_err("backend=mte asked, but the CPUs do not support MTE; use backend=auto or software\n");
			return -ENODEV;
		}
		active_backend = MEMTAG_BACKEND_MTE;
		backend_forced = true;
	} else {
		pr_err("unknown backend '%s': use auto, mte or software\n", backend);
		return -EINVAL;
	}
	pr_info("backend %s%s (CPU MTE support: %s)\n",
		memtag_backend_name(active_backend),
		backend_forced ? ", set by parameter" : "", mte ? "yes" : "no");
	return 0;
}

enum memtag_backend memtag_backend(void)
{
	return active_backend;
}

bool memtag_backend_forced(void)
{
	return backend_forced;
}
