/* program — an unmodified program as a lesson's side: one socket call a
 * step, as a puppet makes one.
 *
 * A lesson that says `program server: python3 ../examples/echo-server.py`
 * has no puppet on that side: the session runs the program under the
 * tracer (tracer.h) and each of the side's steps lets the program make its
 * next socket call. Between steps the program is held, at the return of
 * its last call, so the probe reads the kernel while it stands still; a
 * step first lets it run on to its next call, which the session compares
 * with the lesson's, then lets that call run and waits for it to return or
 * to sleep in the kernel, as puppet_wait does. A call that sleeps comes
 * back through program_check_woken(), which asks the tracer whether the
 * program has settled, never a timer.
 */
#ifndef SOCKLAB_PROGRAM_H
#define SOCKLAB_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>

#include "tracer.h"

enum program_status {
	PROGRAM_HELD,      /* stopped before a socket call: `call` says which */
	PROGRAM_RETURNED,  /* the call returned: `returned` says how; held there */
	PROGRAM_BLOCKED,   /* the call sleeps in the kernel */
	PROGRAM_ASLEEP,    /* asleep outside socket calls (a terminal read, sleep()) */
	PROGRAM_OVER,      /* every process of the program has exited */
};

enum { PROGRAM_OUTPUT_MAX = 1024 };

struct program {
	struct tracer *tracer;             /* owned; NULL before start and after stop */
	struct tracer_event *event;        /* owned scratch: one event, 64 KiB of bytes */
	struct tracer_event *call;         /* owned: the call held at entry, when at_call */
	struct tracer_event *returned;     /* owned: the last call's return */
	bool at_call;                      /* held before `call` */
	bool at_return;                    /* held after `returned` */
	bool blocked;                      /* the released call sleeps */
	bool over;
	char message[256];                 /* OVER: "exited with code 0"; ASLEEP: where */
	char output[PROGRAM_OUTPUT_MAX];   /* the tail of what it printed, raw */
	size_t output_len;
};

/* Starts one program under a tracer: `command` split as words.h says (a
 * shell's quoting, nothing expanded; ./ and ../ words from `base_dir`
 * when not NULL); a Python program runs through the line reporter in
 * `examples_dir`, so each call carries its line and the interpreter's
 * start-up is told apart. Returns as tracer_start. */
int program_launch(struct tracer **tracer, const char *command, const char *base_dir,
		   const char *name, const char *examples_dir, char **err);

/* Starts `command` (as program_launch), labelled `name`. Returns 0, or
 * -1 with *err. */
int program_start(struct program *program, const char *command, const char *base_dir,
		  const char *name, const char *examples_dir, char **err);

/* Kills and reaps the program; safe twice and on a program never started. */
void program_stop(struct program *program);

/* Lets the program run on to its next socket call (from the return of
 * the last one). Returns PROGRAM_HELD (program->call filled), ASLEEP,
 * OVER, or -1 with *err (the lab failed, or no call within timeout_ms). */
int program_next_call(struct program *program, int timeout_ms, char **err);

/* Lets the held call run and waits until it returns (PROGRAM_RETURNED,
 * program->returned filled) or sleeps (PROGRAM_BLOCKED); OVER when the
 * program died in it; -1 with *err. */
int program_run_call(struct program *program, int timeout_ms, char **err);

/* For a blocked program: has the kernel woken its call? Waits until the
 * program settles, then says PROGRAM_RETURNED (program->returned filled)
 * or PROGRAM_BLOCKED; OVER; -1 with *err. */
int program_check_woken(struct program *program, int timeout_ms, char **err);

/* The tracer's fd (tracer_fd), -1 when the program is not running, and
 * its work between steps when that fd is readable (tracer_serve): the
 * program's own stops are served and its output read, as it runs on to
 * its next call. program_serve returns 0, or -1 with *err. */
int program_fd(const struct program *program);
int program_serve(struct program *program, char **err);

/* Holds a program asleep in its released call still, as puppet_freeze
 * does, so the probe can read what another side's call did before the
 * woken call runs on; program_thaw lets it restart the call (unseen by
 * the program). Returns 0, or -1 with *err. */
int program_freeze(struct program *program, char **err);
void program_thaw(struct program *program);

#endif
