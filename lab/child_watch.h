/* child_watch — news of the lab's traced tasks, for a poll() loop.
 *
 * A ptrace stop or a tracee's end reaches its tracer only as SIGCHLD, and
 * the kernel keeps one SIGCHLD for the whole process: two tracers reading
 * it apart would take each other's news. So the lab has one signalfd for
 * it (SIGCHLD blocked in the thread that traces, and given back unblocked
 * to every child the lab forks), and each tracer a "watch": an eventfd
 * that whoever reads the signalfd bumps for everybody. A tracer polls its
 * watch and the signalfd together; either readable means "look at your
 * tasks with waitpid". While a watch is open the lab is a child subreaper:
 * the orphans of a traced program come back to it to be reaped.
 */
#ifndef SOCKLAB_CHILD_WATCH_H
#define SOCKLAB_CHILD_WATCH_H

#include <stdbool.h>

/* A new watch: its eventfd (non-blocking, close-on-exec), or -1 with
 * errno. The first one blocks SIGCHLD in the calling thread and opens the
 * shared signalfd. */
int child_watch_open(void);

/* The shared signalfd, to poll beside a watch (-1 before the first open). */
int child_watch_signal_fd(void);

/* Reads the signalfd and tells every watch, then empties `watch`.
 * Returns whether there was news for it (a SIGCHLD, or a child_watch_poke). */
bool child_watch_take(int watch);

/* Makes `watch` readable, so its owner looks again. */
void child_watch_poke(int watch);

/* Closes a watch. */
void child_watch_close(int watch);

#endif
