// SPDX-License-Identifier: LGPL-2.1-or-later
/* Process-wide state of the allocator: set up once, on first use. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mte.h"
#include "alloc.h"

struct tag_runtime tag_rt = {
	.lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP,
	.dev_fd = -1,
	.report_fd = -1,
};

static pthread_once_t runtime_once = PTHREAD_ONCE_INIT;
static bool runtime_ok;

/* No thread is halfway through the allocator's lists when another forks. */
static void before_fork(void)
{
	pthread_mutex_lock(&tag_rt.lock);
}

static void after_fork_in_parent(void)
{
	pthread_mutex_unlock(&tag_rt.lock);
}

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "a region's key is magic, then pid");

/* What a live region of this process holds in its key, if the fast paths apply. */
static void set_fast_key(void)
{
	uint64_t live = REGION_LIVE | (uint64_t)(uint32_t)tag_rt.pid << 32;

	tag_rt.fast_key = tag_rt.backend == TAG_BACKEND_SOFTWARE ? live : 0;
	tag_rt.mte_key = tag_rt.backend == TAG_BACKEND_MTE ? live : 0;
}

/* After fork the child owns none of the parent's regions nor its socket. */
static void after_fork_in_child(void)
{
	tag_rt.pid = getpid();
	set_fast_key();
	/* a profile of its own: the parent's mapping is not inherited */
	if (tag_rt.dev_fd >= 0) {
		close(tag_rt.dev_fd);
		tag_rt.dev_fd = open(MEMTAG_DEVICE, O_RDWR | O_CLOEXEC);
	}
	tag_profile_after_fork(tag_rt.dev_fd);
	tag_segment_after_fork();
	if (tag_rt.client) {
		memtag_client_close(tag_rt.client);
		tag_rt.client = NULL;
	}
	tag_rt.lock = (pthread_mutex_t)PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
}

static void read_options(void)
{
	const char *require = getenv("MEMTAG_REQUIRE");
	char err[256];

	if (tag_options_parse(&tag_rt.opts, getenv("MEMTAG_OPTIONS"), err, sizeof(err))) {
		fprintf(stderr, "memtag: MEMTAG_OPTIONS: %s; using the defaults\n", err);
		tag_options_defaults(&tag_rt.opts);
	}
	tag_rt.opts.require = require && !strcmp(require, "1");
}

static bool open_module(void)
{
	struct memtag_status st;
	int ret = memtag_client_open(&tag_rt.client);

	if (!ret)
		ret = memtag_status_get(tag_rt.client, &st);
	if (ret) {
		memtag_client_close(tag_rt.client);
		tag_rt.client = NULL;
		if (tag_rt.opts.require) {
			fprintf(stderr, "memtag: MEMTAG_REQUIRE=1 and the memtag module is %s; "
					"regions cannot be created (load it with 'modprobe memtag')\n",
				ret == -ENOENT ? "not loaded" : "not answering");
			return false;
		}
		fprintf(stderr, "memtag: the memtag module is not loaded: regions fall back to "
				"plain allocation without checks (load it with 'modprobe memtag')\n");
		tag_rt.backend = TAG_BACKEND_NONE;
		return true;
	}
	tag_rt.backend = st.backend == MEMTAG_BACKEND_MTE ? TAG_BACKEND_MTE : TAG_BACKEND_SOFTWARE;
	tag_rt.family = memtag_client_family(tag_rt.client);
	return true;
}

/* Region lifetimes, segments (software) and the allocation profile come from it. */
static bool open_device(void)
{
	if (tag_rt.backend != TAG_BACKEND_NONE)
		tag_rt.dev_fd = open(MEMTAG_DEVICE, O_RDWR | O_CLOEXEC);
	/* both backends: regions are created and ended through it */
	if (tag_rt.dev_fd < 0 && tag_rt.backend != TAG_BACKEND_NONE) {
		fprintf(stderr, "memtag: cannot open %s: %s\n", MEMTAG_DEVICE, strerror(errno));
		return false;
	}
	tag_profile_init(tag_rt.dev_fd);
	tag_segment_table_init();
	return true;
}

bool tag_mte_enable(void)
{
	int ret;

	if (!tag_mte_supported()) {
		fprintf(stderr, "memtag: the module chose MTE but this process cannot use it\n");
		return false;
	}
	ret = tag_mte_thread_enable(tag_rt.opts.mte_mode);
	if (ret)
		fprintf(stderr, "memtag: cannot enable MTE tag checks: %s\n", strerror(-ret));
	return !ret;
}

/*
 * Tag checks are per thread and inherited by threads created later: turn
 * them on at load, before the program starts threads, where MTE exists.
 */
__attribute__((constructor)) static void enable_mte_early(void)
{
	struct tag_options opts;
	char err[128];

	if (!tag_mte_supported())
		return;
	if (tag_options_parse(&opts, getenv("MEMTAG_OPTIONS"), err, sizeof(err)))
		tag_options_defaults(&opts);
	tag_mte_thread_enable(opts.mte_mode);
}

/* Host tests and callgrind: the software layout on anonymous memory. */
static bool anonymous_init(void)
{
	tag_rt.backend = TAG_BACKEND_SOFTWARE;
	tag_profile_init(-1);
	return true;
}

static void runtime_init(void)
{
	read_options();
	tag_rt.pid = getpid();
	pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
	if (tag_rt.anonymous) {
		runtime_ok = anonymous_init();
	} else {
		runtime_ok = open_module() && open_device();
		if (runtime_ok && tag_rt.backend == TAG_BACKEND_MTE)
			runtime_ok = tag_mte_enable();
		if (runtime_ok && tag_rt.backend != TAG_BACKEND_NONE && tag_signal_init())
			fprintf(stderr, "memtag: cannot install the SIGSEGV handler: faults go unreported\n");
	}
	set_fast_key();
}

bool tag_runtime_ready(void)
{
	pthread_once(&runtime_once, runtime_init);
	return runtime_ok;
}

struct memtag_client *tag_client(void)
{
	/* a forked child connects anew, with its own socket */
	if (!tag_rt.client && tag_kernel_backed())
		memtag_client_open(&tag_rt.client);
	return tag_rt.client;
}

void tag_testing_anonymous_memory(void)
{
	tag_rt.anonymous = true;
}
