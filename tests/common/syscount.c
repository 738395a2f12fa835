// SPDX-License-Identifier: GPL-2.0-or-later
/* Counting a child's system calls per section with ptrace (see syscount.h). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "syscount.h"

#define MARKER 0x6d656d746167ULL	/* "memtag" */

static void mark(unsigned int section, int end)
{
	syscall(SYS_getppid, MARKER, section, end);
}

void syscount_begin(unsigned int section)
{
	mark(section, 0);
}

void syscount_end(unsigned int section)
{
	mark(section, 1);
}

/* A syscall-entry stop: a marker opens or closes a section, else count it. */
static void on_entry(pid_t pid, struct syscount *out, int *open)
{
	struct __ptrace_syscall_info info;
	unsigned int s;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info), &info) <= 0 ||
	    info.op != PTRACE_SYSCALL_INFO_ENTRY)
		return;
	if (info.entry.nr == SYS_getppid && info.entry.args[0] == MARKER &&
	    info.entry.args[1] < SYSCOUNT_SECTIONS) {
		*open = info.entry.args[2] ? -1 : (int)info.entry.args[1];
		return;
	}
	if (*open < 0)
		return;
	s = (unsigned int)*open;
	if (out->count[s] < SYSCOUNT_KEPT)
		out->nr[s][out->count[s]] = (long)info.entry.nr;
	out->count[s]++;
}

static void trace(pid_t pid, struct syscount *out)
{
	int status, sig, open = -1;

	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
	    ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return;
	}
	sig = 0;
	while (ptrace(PTRACE_SYSCALL, pid, 0, sig) == 0 && waitpid(pid, &status, 0) == pid) {
		sig = 0;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			out->status = status;
			return;
		}
		if (WSTOPSIG(status) == (SIGTRAP | 0x80))
			on_entry(pid, out, &open);
		else
			sig = WSTOPSIG(status);	/* a real signal: deliver it */
	}
	waitpid(pid, &out->status, 0);
}

void syscount_run(void (*fn)(void *), void *arg, struct syscount *out)
{
	pid_t pid;

	memset(out, 0, sizeof(*out));
	out->status = -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0))
			_exit(126);
		raise(SIGSTOP);
		fn(arg);
		_exit(0);
	}
	trace(pid, out);
}

/* Names of the calls libmemtag may make; others print as numbers. */
static const char *name_of(long nr)
{
	static const struct {
		long nr;
		const char *name;
	} names[] = {
		{ SYS_sendmsg, "sendmsg" }, { SYS_recvmsg, "recvmsg" }, { SYS_sendto, "sendto" },
		{ SYS_recvfrom, "recvfrom" }, { SYS_mmap, "mmap" }, { SYS_munmap, "munmap" },
		{ SYS_mprotect, "mprotect" }, { SYS_madvise, "madvise" }, { SYS_mremap, "mremap" },
		{ SYS_ioctl, "ioctl" }, { SYS_futex, "futex" }, { SYS_getpid, "getpid" },
		{ SYS_clock_gettime, "clock_gettime" }, { SYS_write, "write" },
		{ SYS_openat, "openat" }, { SYS_close, "close" }, { SYS_readlinkat, "readlinkat" },
		{ SYS_ppoll, "ppoll" }, { SYS_socket, "socket" }, { SYS_bind, "bind" },
		{ SYS_getsockname, "getsockname" }, { SYS_setsockopt, "setsockopt" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].nr == nr)
			return names[i].name;
	return NULL;
}

const char *syscount_list(const struct syscount *sc, unsigned int section, char *buf,
			  unsigned long len)
{
	unsigned int i, n = sc->count[section] < SYSCOUNT_KEPT ? sc->count[section] : SYSCOUNT_KEPT;
	size_t used = 0;
	const char *name;

	buf[0] = '\0';
	for (i = 0; i < n && used + 24 < len; i++) {
		name = name_of(sc->nr[section][i]);
		if (name)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "", name);
		else
			used += (size_t)snprintf(buf + used, len - used, "%s%ld", i ? " " : "",
						 sc->nr[section][i]);
	}
	return buf;
}
