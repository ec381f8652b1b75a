/* tracer — runs a real program and stops it at each of its socket calls.
 *
 * Life: tracer_start() forks the program, attaches with PTRACE_SEIZE
 * (exit-kill, following forks, threads and exec) and installs a seccomp
 * filter in it before exec: the kernel stops the program only at the
 * socket-family calls of lab/syscalls.c, and everything else runs at full
 * speed. The lab itself is the tracer: a stop costs one switch to the lab
 * and one back, which is what lets `socklab step` keep up with strace.
 * The kernel kills every traced task when the lab dies
 * (PTRACE_O_EXITKILL), and the lab reaps the orphans of a traced program
 * (child_watch.h), so nothing outlives it. The program runs in the
 * caller's network namespace and working directory, in its own process
 * group, with stdin on /dev/null and stdout and stderr on a
 * pseudo-terminal of its own.
 *
 * Nothing here blocks but tracer_wait and tracer_freeze: tracer_fd() is an
 * epoll fd for the caller's poll() loop, readable when a task has news
 * (SIGCHLD, shared by every tracer of the lab: child_watch.h), the
 * program printed, or a look at a released call is due; tracer_poll() then
 * does the tracer's work and returns its events. Whatever the caller's
 * loop, it calls tracer_poll or tracer_serve when the fd is readable: the
 * program's own stops (a fork, a signal, a call on an fd that is not a
 * socket) wait for that.
 *
 * Events, in the order things happened: output written before a stop
 * comes before it. A call stops twice: at entry (TRACER_CALL, decoded,
 * held) and, once tracer_release() lets it run, at exit (TRACER_RETURNED,
 * held again so the probe can read both ends before the program goes on).
 * A released call that sleeps in the kernel is reported TRACER_BLOCKED,
 * told from a slow call by asking the kernel (/proc/TID/stat asleep,
 * /proc/TID/syscall in this call) as puppet.c does, and returns later as
 * TRACER_RETURNED with `woke` set. TRACER_SETTLED says nothing more will
 * happen until the caller releases a held task or the kernel wakes a
 * sleeper.
 *
 * read/write/close stop only on fds that are sockets (a filter per fd).
 * A process the program starts is reported at its first socket call
 * (TRACER_FORKED with its parent, then TRACER_EXECED if it ran another
 * program), later execs as they happen, and its end (TRACER_EXITED, naming
 * the process): a side is a set of processes, each with its own fd table,
 * and threads share their process's. Processes that make no socket call
 * (a shell's subshells, pyenv's launcher) come and go unreported.
 *
 * All calls on one tracer come from one thread, which must outlive it:
 * ptrace binds a tracee to the thread that seized it, and the program
 * dies with that thread (PR_SET_PDEATHSIG).
 */
#ifndef SOCKLAB_TRACER_H
#define SOCKLAB_TRACER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "text.h"
#include "tracer_event.h"

#define TRACER_MAX_PROCESSES 64      /* the program and its children; beyond, the lab stops it */
#define TRACER_MAX_TASKS 512         /* threads of all of them */


struct tracer;

enum tracer_start_flags {
	TRACER_PLAIN = 0,
	/* argv runs the line reporter (tracer_python_argv): the calls made
	 * before its first report are the interpreter's own start-up (the C
	 * library asking nscd for the user's passwd entry when HOME is unset,
	 * say), not the program's. They run without stopping and come as one
	 * RETURNED event each, not held, with `startup` set. */
	TRACER_REPORTS_LINES = 1 << 0,
};

/* Starts `argv` (searched in PATH) under the tracer, labelled `label` in
 * messages ("server"); `flags` are enum tracer_start_flags. Returns once the program has been
 * exec'd: 0 with *out, or -1 with *err (malloc'd) saying why in one line: the program
 * does not exist, ptrace or seccomp is not allowed here, ... */
int tracer_start(struct tracer **out, char *const argv[], const char *label, unsigned flags,
		 char **err);

/* The program's pid (its first process). */
pid_t tracer_pid(const struct tracer *tracer);

/* Readable when the tracer has work (then tracer_poll or tracer_serve), for poll(). */
int tracer_fd(const struct tracer *tracer);

/* The next event without waiting: 1 with *event filled, 0 when none is
 * waiting, -1 with *err when the lab failed. After the last process
 * of the program has exited, returns 0 for ever. */
int tracer_poll(struct tracer *tracer, struct tracer_event *event, char **err);

/* The tracer's own work, for a caller that takes no event now (a lesson
 * between steps): when tracer_fd is readable, serves the program's stops
 * that are not shown and reads its output; events wait for tracer_poll.
 * Returns 0, or -1 with *err. */
int tracer_serve(struct tracer *tracer, char **err);

/* Whether a process of the program is on its way out (the kernel's
 * PF_EXITING, /proc/PID/stat): its fds are closed, or being closed, before
 * its end can be reaped and reported. */
bool tracer_exiting(struct tracer *tracer);

/* As tracer_poll, waiting up to timeout_ms (-1: for ever) for an event. */
int tracer_wait(struct tracer *tracer, struct tracer_event *event, int timeout_ms, char **err);

/* Asks for a TRACER_SETTLED event once the program is settled, even if it
 * already is: after it, every call the kernel had woken has come back as
 * RETURNED. Returns 0, or -1 with *err. */
int tracer_request_settle(struct tracer *tracer, char **err);

/* Lets a held task go on: from TRACER_CALL the call runs; from
 * TRACER_RETURNED the program runs to its next socket call. A task that
 * is not held (or has died) is left alone. Returns 0, or -1 with *err. */
int tracer_release(struct tracer *tracer, pid_t task, char **err);

enum tracer_run_result {
	TRACER_RUN_SETTLED,   /* the program sleeps: blocked in a socket call, or elsewhere */
	TRACER_RUN_OVER,      /* every process of the program has exited */
	TRACER_RUN_TIMEOUT,   /* still running after timeout_ms (a program that never sleeps) */
};

typedef void tracer_event_fn(const struct tracer_event *event, void *context);

/* One program run on its own (the tracer's tests): reports every event to
 * `each` (may be NULL) and releases every held call, until the program
 * settles without a held task or is over, or timeout_ms passes. Returns an enum
 * tracer_run_result, or
 * -1 with *err. */
int tracer_run_until_blocked_or_exit(struct tracer *tracer, tracer_event_fn *each, void *context,
				     int timeout_ms, char **err);

/* Holds every task asleep in a socket call still, as puppet_freeze does,
 * so the probe can read what the kernel did before the sleeper runs again:
 * a connection complete in the accept queue before the woken accept()
 * takes it. PTRACE_INTERRUPT takes the task out of the call (the kernel
 * will run it again: -ERESTARTSYS) and it stays stopped there; on
 * tracer_thaw() the kernel restarts the call, unseen by the program and
 * not reported again. A call that completes before it is caught is
 * reported RETURNED, held. Events that arrive meanwhile are kept for
 * tracer_poll. Returns how many tasks were frozen, or -1 with *err.
 * (A call with a timeout, SO_RCVTIMEO, returns EINTR instead of
 * restarting: the kernel's rule, as for any signal.) */
int tracer_freeze(struct tracer *tracer, char **err);
int tracer_thaw(struct tracer *tracer, char **err);

/* Kills (SIGKILL) every process of the program and reaps them. Safe
 * twice. Events not read yet are dropped. */
void tracer_stop(struct tracer *tracer);

/* tracer_stop, then frees. Safe on NULL. */
void tracer_free(struct tracer *tracer);

/* For a Python program: the argv that runs it through the line reporter
 * (`python3 [options] reporter script args...`), so each socket call
 * carries its Python line. *out is malloc'd (free the array only; the
 * strings are borrowed). Returns 1 when argv[0] is a Python interpreter
 * running a script, 0 when it is not (*out NULL), -1 with *err. */
int tracer_python_argv(char *const argv[], const char *reporter_path, char ***out, char **err);

const char *tracer_event_kind_name(enum tracer_event_kind kind);
/* SETTLED: where the program waits, in English for logs and failures
 * ("asleep in clock_nanosleep", "blocked in accept4"; "" when nowhere), into
 * `out`; returns `out`. */
const char *tracer_event_where(const struct tracer_event *event, char *out, size_t size);

#endif
