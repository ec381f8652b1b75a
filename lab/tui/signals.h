/* signals — how the TUI hears that it must stop, and how a crash still
 * gives the terminal back.
 *
 * SIGINT, SIGTERM and SIGHUP (Ctrl-C, kill, a dropped ssh session) write
 * their number into a self-pipe: the main loop polls it beside the
 * keyboard, so a signal that arrives at any moment ends the loop, and the
 * one cleanup path (endwin, session_free) runs. SIGSEGV, SIGBUS, SIGFPE and
 * SIGABRT call endwin() and die by the same signal; the puppets die with
 * us (PR_SET_PDEATHSIG).
 *
 * Puppets are forked from this process without exec, so they inherit the
 * handlers: in any other process the handlers only restore the default
 * and re-raise, so a puppet dies of a signal as a plain program would and
 * never writes into a pipe whose fd number is now a student's socket.
 *
 * The handlers need the pipe and the pid in static storage: a signal
 * handler gets nothing else. That is the one mutable state of the TUI
 * outside struct tui. */
#ifndef SOCKLAB_TUI_SIGNALS_H
#define SOCKLAB_TUI_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

/* Installs the handlers and makes the pipe. Returns 0, or -1 with *err. */
int signals_install(char **err);

/* The read end of the pipe, for poll(). */
int signals_fd(void);

/* The stop signal received (its number), or 0. Drains the pipe. */
int signals_pending(void);

/* Non-zero once a stop signal arrived: for session_set_interrupt, so a
 * step's bounded wait on the kernel ends at once. */
const volatile sig_atomic_t *signals_flag(void);

/* Curses is (or is no longer) active: a crash calls endwin() only then. */
void signals_set_curses(bool active);

/* Restores the previous handlers and closes the pipe. Safe twice. */
void signals_restore(void);

#endif
