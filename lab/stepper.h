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
 * A side is a set of processes and threads: every task held before a
 * call is a candidate (stepper_side()->held, oldest first), forks, execs
 * and exits are news of their own, and each process keeps its own fd
 * table in the session (fdtable.h). A call the kernel woke is recorded
 * only after the call that woke it has returned, so a recv that got data
 * always comes after the send that fed it.
 *
 * Nothing here waits for a program: stepper_pump() takes what the tracers
 * have sent, and stepper_fds() gives the caller's poll() loop the fds to
 * wait on. Both frontends drive this one model: the TUI a key a release,
 * --plain (step.h) releasing in turn until every process has ended.
 */
#ifndef SOCKLAB_STEPPER_H
#define SOCKLAB_STEPPER_H

#include <stdbool.h>
#include <stddef.h>

#include "sandbox.h"
#include "session.h"
#include "tracer.h"

enum { STEPPER_SIDES = 2, STEPPER_OUTPUT_MAX = 2048, STEPPER_TASKS = 64, STEPPER_LABEL_MAX = 48 };

enum stepper_state {
	STEPPER_RUNNING,   /* runs toward its next socket call (or was just released) */
	STEPPER_HELD,      /* some task stopped before a call: waits for stepper_release */
	STEPPER_BLOCKED,   /* its calls sleep in the kernel: another side must act */
	STEPPER_ASLEEP,    /* asleep outside any socket call (reading a terminal, sleep()) */
	STEPPER_OVER,      /* every process of the program has exited */
};

/* A task (thread) of the side held before its next socket call. */
struct stepper_task {
	int task, process;                 /* tid, pid */
	char who[STEPPER_LABEL_MAX];       /* "server", "server/child1" */
	char next[TRACER_TEXT_MAX];        /* the call, decoded */
	char line[TRACER_LINE_MAX];        /* the source line that made it, or "" */
	uint64_t held_at;                  /* the stepper's release count when it stopped */
};

/* A task of the side asleep in a released call, until it comes back. */
struct stepper_sleeper {
	int task, process;
	char call[TRACER_TEXT_MAX];        /* the call, decoded */
};

struct stepper_side {
	char name[NAME_MAX_LEN];           /* "server" */
	char command[512];                 /* as given */
	enum stepper_state state;
	char next[TRACER_TEXT_MAX];        /* HELD: the chosen task's call, decoded:
	                                      "bind(3, {AF_INET, ...}, 16)"; BLOCKED: the
	                                      sleeping call */
	char line[TRACER_LINE_MAX];        /* HELD: the source line that made it, or "" */
	bool asleep_in_call;               /* ASLEEP: the tracer saw the task asleep in
	                                      `message`'s call */
	char message[256];                 /* ASLEEP: the call it sleeps in ("clock_nanosleep"), or
	                                      what else the tracer said; OVER:
	                                      "exited with code 0" */
	char output[STEPPER_OUTPUT_MAX];   /* the tail of what it printed, raw (escape to show) */
	size_t output_len;
	size_t startup_calls;              /* the interpreter's start-up calls, run unstopped */
	/* Every task of the side held before a call, oldest first: the next
	 * key releases held[chosen] (0, the oldest, unless the user picked). */
	struct stepper_task held[STEPPER_TASKS];
	size_t held_count;
	size_t chosen;
	/* Every task asleep in a released call, oldest first: BLOCKED's `next`
	 * is the first one's call. */
	struct stepper_sleeper sleeping[STEPPER_TASKS];
	size_t sleeping_count;
	size_t processes;                  /* processes the side has had */
	bool settled;                      /* nothing runs until a release or the
	                                      kernel wakes a call */
	bool all_held;                     /* settled with every task held in a stop: only a release
	                                      (or a kill) moves it, never another side's call */
};

/* What happened, for a frontend that tells it as it comes (--plain): a
 * step recorded (session events from `first_event` on), output, a
 * process forked, exec'd or ended. `event` is the
 * tracer's; `who` the process's label. */
enum stepper_news_kind { NEWS_STEP, NEWS_OUTPUT, NEWS_FORK, NEWS_EXEC, NEWS_EXIT, NEWS_STARTUP };

struct stepper_news {
	enum stepper_news_kind kind;
	int side;
	const char *who;
	const char *parent_who;            /* NEWS_FORK */
	const struct tracer_event *event;
	size_t first_event;                /* NEWS_STEP */
};

typedef void stepper_listener(const struct stepper_news *news, void *context);

struct stepper;

/* Starts `commands` (server, client; see program_launch) in
 * `sandbox` (entered by the caller, borrowed). A Python program runs
 * through the line reporter in `examples_dir`. Returns 0, or -1 with *err
 * (a program that does not exist, ptrace refused: one line). */
int stepper_new(struct stepper **out, const char *const commands[STEPPER_SIDES],
		const char *examples_dir, struct sandbox *sandbox, char **err);

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

/* Lets `side`'s chosen held call run (the oldest, unless stepper_choose
 * picked another). Returns 0 (-1 with *err); 1 when the side holds no
 * call (it runs, sleeps or is over: nothing to release). */
int stepper_release(struct stepper *stepper, int side, char **err);

/* Picks the task the next release of `side` lets go: `delta` steps
 * through the side's held tasks (1 the next, -1 the previous, wrapping). */
void stepper_choose(struct stepper *stepper, int side, int delta);

/* Tells `listener` every piece of news from now on (NULL: nobody). */
void stepper_listen(struct stepper *stepper, stepper_listener *listener, void *context);

/* Waits up to timeout_ms for news from the programs, then pumps. Returns
 * as stepper_pump; 0 when the time passed quietly. For tests and
 * frontends without a loop of their own. */
int stepper_wait(struct stepper *stepper, int timeout_ms, char **err);

/* Whether every program is over or waits on the student or the other
 * side: nothing will happen until a release. */
bool stepper_quiet(const struct stepper *stepper);

/* Whether a released call has not come back yet (returned, asleep in the
 * kernel, or its process gone): the next release waits for it. */
bool stepper_in_flight(const struct stepper *stepper);

/* Pumps until stepper_quiet or timeout_ms passes: a call just released
 * has returned or sleeps, and a call it woke has come back. Returns 1
 * when quiet, 0 when a program still runs after timeout_ms (it computes,
 * or waits where the tracer cannot see), -1 with *err. */
int stepper_settle(struct stepper *stepper, int timeout_ms, char **err);

/* The side whose call should be shown next: `preferred` while it holds a
 * call or runs toward one, else the other side when that holds a call.
 * A side stays on turn through its own calls (a server's set-up before its
 * client connects, as under a shell), but not for ever: once the other
 * side's oldest call has waited STEPPER_FAIR_RELEASES releases, it goes
 * next (a program that polls without end does not starve the other). */
#define STEPPER_FAIR_RELEASES 64
int stepper_next_side(const struct stepper *stepper, int preferred);

/* A tracer event as the session records it (the shared part of --plain
 * and the TUI): 1 when it became a step, 0 when it is not one (a call the
 * catalog has no row for, start-up, output), -1 with *err. */
int stepper_observe(struct session *session, int side, const struct tracer_event *event,
		    char **err);

#endif
