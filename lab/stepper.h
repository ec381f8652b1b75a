/* stepper — two unmodified programs as a lab's sides, stepped at their
 * socket calls: the model `socklab step` shows, in the TUI or as text.
 *
 * A stepper owns a session whose sides are programs (session_observe),
 * and one tracer per program (tracer.h). Each program stops at the entry
 * of its next socket call and waits there: that is its "next" call, shown
 * before it runs. stepper_release() lets one side's held call run; when it
 * returns (or sleeps in the kernel, or the program ends) the event is
 * recorded in the session, the probe reads both ends, and the program runs
 * on to its next socket call, where it waits again. A call that sleeps
 * comes back, when the other side's call wakes it, as a step of its own.
 *
 * Nothing here waits for a program: stepper_pump() takes what the tracers
 * have sent, and stepper_fds() gives the caller's poll() loop the fds to
 * wait on. --plain instead releases every call in a fixed order (step.h).
 */
#ifndef SOCKLAB_STEPPER_H
#define SOCKLAB_STEPPER_H

#include <stdbool.h>
#include <stddef.h>

#include "sandbox.h"
#include "session.h"
#include "tracer.h"

enum { STEPPER_SIDES = 2, STEPPER_OUTPUT_MAX = 2048 };

enum stepper_state {
	STEPPER_RUNNING,   /* runs toward its next socket call (or was just released) */
	STEPPER_HELD,      /* stopped before `next`: waits for stepper_release */
	STEPPER_BLOCKED,   /* its call sleeps in the kernel: another side must act */
	STEPPER_ASLEEP,    /* asleep outside any socket call (reading a terminal, sleep()) */
	STEPPER_OVER,      /* every process of the program has exited */
};

struct stepper_side {
	char name[NAME_MAX_LEN];           /* "server" */
	char command[512];                 /* as given */
	enum stepper_state state;
	char next[TRACER_TEXT_MAX];        /* HELD: the call, decoded: "bind(3, {AF_INET, 127.0.0.1:65432}, 16)";
	                                      BLOCKED: the sleeping call */
	char line[TRACER_LINE_MAX];        /* HELD: the source line that made it, or "" */
	char message[256];                 /* ASLEEP: where; OVER: "exited with code 0" */
	char output[STEPPER_OUTPUT_MAX];   /* the tail of what it printed, raw (escape to show) */
	size_t output_len;
	size_t startup_calls;              /* the interpreter's start-up calls, run unstopped */
};

struct stepper;

/* Starts `commands` (server, client; see stepper_start_program) in
 * `sandbox` (entered by the caller, borrowed). A Python program runs
 * through the line reporter in `examples_dir`. Returns 0, or -1 with *err
 * (a program that does not exist, ptrace refused: one line). */
int stepper_new(struct stepper **out, const char *const commands[STEPPER_SIDES], const char *examples_dir,
		struct sandbox *sandbox, char **err);

/* Stops the programs (nothing outlives it) and the session. Safe on NULL. */
void stepper_free(struct stepper *stepper);

struct session *stepper_session(struct stepper *stepper);
const struct stepper_side *stepper_side(const struct stepper *stepper, int side);

/* The fds to poll for the programs' news, at most STEPPER_SIDES; returns how many. */
int stepper_fds(const struct stepper *stepper, int fds[STEPPER_SIDES]);

/* Takes every event the tracers have sent, without waiting. Returns 1
 * when something changed (a step was recorded, a state, output), 0 when
 * nothing did, -1 with *err when the lab failed. */
int stepper_pump(struct stepper *stepper, char **err);

/* Lets `side`'s held call run. Returns 0 (-1 with *err); 1 when the side
 * holds no call (it runs, sleeps or is over: nothing to release). */
int stepper_release(struct stepper *stepper, int side, char **err);

/* Waits up to timeout_ms for news from the programs, then pumps. Returns
 * as stepper_pump; 0 when the time passed quietly. For tests and
 * frontends without a loop of their own. */
int stepper_wait(struct stepper *stepper, int timeout_ms, char **err);

/* Whether every program is over or waits on the student or the other
 * side: nothing will happen until a release. */
bool stepper_quiet(const struct stepper *stepper);

/* Pumps until stepper_quiet or timeout_ms passes: a call just released
 * has returned or sleeps, and a call it woke has come back. Returns 1
 * when quiet, 0 when a program still runs after timeout_ms (it computes,
 * or waits where the tracer cannot see), -1 with *err. */
int stepper_settle(struct stepper *stepper, int timeout_ms, char **err);

/* The side whose call should be shown next: `preferred` while it holds a
 * call or runs toward one, else the other side when that holds a call. */
int stepper_next_side(const struct stepper *stepper, int preferred);

/* A tracer event as the session records it (the shared part of --plain
 * and the TUI): 1 when it became a step, 0 when it is not one (a call the
 * catalog has no row for, start-up, output), -1 with *err. */
int stepper_observe(struct session *session, int side, const struct tracer_event *event, char **err);

/* Starts one program under a tracer (--plain drives its own): the
 * command split as words.h says (a shell's quoting, nothing expanded;
 * ./ and ../ words from `base_dir` when not NULL); a Python program runs
 * through the line reporter in `examples_dir`, so each call carries its
 * line and the interpreter's start-up is told apart. Returns as
 * tracer_start. */
int stepper_start_program(struct tracer **tracer, const char *command, const char *base_dir, const char *name,
			  const char *examples_dir, char **err);

#endif
