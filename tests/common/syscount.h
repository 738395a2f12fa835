/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * System calls counted by a tracer: a function runs in a child traced with
 * PTRACE_SYSCALL; the child marks sections with syscount_begin/end (a
 * getppid carrying a magic and the section number), and the parent counts
 * the system calls each section makes. No seccomp, no strace in the guest.
 */
#ifndef MEMTAG_SYSCOUNT_H
#define MEMTAG_SYSCOUNT_H

#define SYSCOUNT_SECTIONS 16
#define SYSCOUNT_KEPT 16	/* numbers of the first calls of a section */

struct syscount {
	unsigned int count[SYSCOUNT_SECTIONS];
	long nr[SYSCOUNT_SECTIONS][SYSCOUNT_KEPT];
	int status;		/* of the child, from waitpid; -1 if it could not run */
};

/* In the child: the calls between these two count for section. */
void syscount_begin(unsigned int section);
void syscount_end(unsigned int section);
/* Run fn(arg) in a traced child (single-threaded), then _exit(0). */
void syscount_run(void (*fn)(void *), void *arg, struct syscount *out);
/* The names (or numbers) of a section's first calls, for messages. */
const char *syscount_list(const struct syscount *sc, unsigned int section, char *buf,
			  unsigned long len);

#endif
