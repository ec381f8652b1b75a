/* tracer_spawn — starts a program under the lab's ptrace and seccomp.
 *
 * The program is forked with its stdout and stderr on a pseudo-terminal
 * of its own (a pipe where none can be had), its stdin on /dev/null, the
 * line reporter's pipe at TRACER_LINE_FD, in its own process group; the
 * calling thread seizes it (exit-kill, following forks, threads and exec)
 * before it installs the seccomp filter of lab/syscalls.c and execs.
 * Whatever fails on the way is said in one line: the program does not
 * exist (with the package that has it), ptrace is refused (and why), the
 * filter is refused.
 */
#ifndef SOCKLAB_TRACER_SPAWN_H
#define SOCKLAB_TRACER_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

/* The fd on which a program may report its source lines (the Python
 * helper examples/trace_python_lines.py does); named in the environment
 * as SOCKLAB_LINE_FD. High, so the program's own fds start at 3; under an
 * open file limit of 1003 or less, the limit's third fd from the top. */
#define TRACER_LINE_FD 1001

struct spawned {
	pid_t pid;          /* seized, stopped at nothing, running its new program */
	int output_fd;      /* its stdout and stderr, non-blocking: the pty's master */
	int line_fd;        /* the line reporter's pipe, non-blocking */
};

/* Starts `argv` (searched in PATH), labelled `label` in messages. Returns
 * 0 once it has exec'd, with *out; or -1 with the reason in `reason`,
 * every fd closed and the child reaped. */
int tracer_spawn(char *const argv[], const char *label, struct spawned *out, char *reason,
		 size_t reason_size);

#endif
