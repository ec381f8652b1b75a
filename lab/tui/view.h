/* view — what the lesson screen shows, derived from the session. No curses.
 *
 * The session keeps the log of events; the screen shows one position in
 * it: the step on screen and, for a step whose call woke a blocked call on
 * another side, which of its two halves. Half 1 is the call and the
 * snapshot right after it (the connection waiting in the accept queue, no
 * fd yet); half 2 is the woken call returning and the snapshot after it.
 * view_update() turns that position into per-side call lists, the
 * snapshot to draw, the explanation and the next call, so the drawing code
 * only lays out what it is given. */
#ifndef SOCKLAB_TUI_VIEW_H
#define SOCKLAB_TUI_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "session.h"
#include "stepper.h"

enum { VIEW_EVIDENCE_MAX = 4 };   /* failed calls explained in one step */

/* One call in a side's pane. */
struct view_call {
	const char *text;          /* the call as written; borrowed from the event, or `labelled` */
	char labelled[576];        /* a program side of several processes: "child1: close(3)" */
	char result[200];          /* plain_format_result; "... blocked" while asleep */
	bool blocked;              /* asleep in the kernel at the position shown */
	bool woke;                 /* it was blocked and returned in the step shown */
	bool latest;               /* made or woken in the step shown: marked '>' */
	bool failed;               /* the step shown has failures and this is its call */
	bool note;                 /* no call: a process ran another program (view->notes) */
};

/* A row of a pane that is no call: a process ran another program (exec).
 * Stepping programs only; the caller keeps them (view->notes). */
struct view_note {
	int side;
	size_t before_event;       /* the session's event count when it happened: the row's place */
	char who[64];              /* the process: "client/child1", or the side's name */
	char text[448];            /* "exec(build/tests/tracer_echo_client)" */
};

struct view_side {
	const char *name;                  /* "server"; borrowed from the run info */
	struct view_call *calls;           /* into the view's storage */
	size_t call_count;
	bool blocked;                      /* a call of this side sleeps in the kernel */
	size_t socket_count;               /* sockets of this side in the snapshot */
	const char *program;               /* stepping programs: the command it runs
	                                      (borrowed), else NULL */
	char output[200];                  /* stepping programs: the tail of what it printed,
	                                      escaped (ASCII: one byte a column); "" none */
};

struct lesson_view {
	const struct lesson *lesson;       /* borrowed */
	const struct run_info *info;       /* borrowed from the session */
	size_t step;                       /* the step on screen, 1-based; 0 before the first */
	size_t step_count;
	int half;                          /* 1 or 2: which half of a two-half step is shown */
	int half_count;                    /* 2 when the step's call woke a blocked call, else 1 */
	const struct lab_snapshot *snapshot;   /* the sockets to draw; borrowed */
	bool live;                         /* snapshot is the session's latest
	                                      (session_refresh updates it) */
	bool has_timer;                    /* a socket on screen has a kernel timer (TIME-WAIT,
	                                      FIN-WAIT-2, a retransmission), running or just run out
	                                      but not yet acted on: the kernel is read again when
	                                      the soonest one ends */
	uint32_t soonest_timer_ms;         /* the least time left on those timers (0: ended,
	                                      not acted on) */
	const char *say;                   /* the step's explanation (the intro before
	                                      step 1), or NULL */
	const char *python;                /* the step's Python line, or NULL */
	char next[320];                    /* what the next key press does, in words */
	bool next_is_wake;                 /* next shows the woken call (half 2), not a new step */
	bool at_end;                       /* every step ran */
	const char **failures;             /* the step's failed expectations; strings borrowed */
	size_t failure_count;
	size_t failures_total;             /* in every step so far */
	/* Why the kernel refused the step's calls, from what the lab measured
	 * (evidence.h): one line per failed call that has a row there. */
	char evidence[VIEW_EVIDENCE_MAX][400];
	size_t evidence_count;
	/* The wire in the step on screen: its events shown (their packets, in
	 * the order they crossed), and what the kernel holds after the last of
	 * them (`wire: hold`). Why there are no packets at all is info->wire. */
	const struct lab_event *step_events;   /* borrowed from the session's log */
	size_t step_event_count;
	size_t step_packet_count;              /* packets of those events */
	const char *wire_note;                 /* why the step shows no packet: info->wire, or its
	                                          socket's family (lab_event_wire_silence), or "" */
	const char *held;                      /* "client -> server SYN seq 0 ack 0 len 0; ...",
	                                          or "" */
	bool free_play;                    /* set by the caller: the lesson grows as calls are
	                                      typed, so "next" tells what may be
	                                      typed, not a step */
	bool stepping;                     /* set by the caller: the sides are programs (socklab
	                                      step); say, the source line and next come from
	                                      view_describe_programs */
	const struct view_note *notes;     /* set by the caller: rows that are no call (each exec
	                                      of a stepped program), borrowed; NULL none */
	size_t note_count;
	const char *source_label;          /* what `python` is: "python", or "line" (a
	                                      program's own) */
	char programs_say[1200];           /* stepping: where each program is, what it printed */
	struct view_side sides[LESSON_MAX_SIDES];
	int side_count;
	int next_side;                     /* the side of the next step, -1 at the end */
	size_t next_held;                  /* stepping: the tasks the next side holds; with 2 or
	                                      more, Tab, Up and Down pick which one the
	                                      next key releases */
	/* Storage, reused from update to update. */
	struct view_call *call_storage;
	size_t call_capacity;
	size_t failure_capacity;
};

void view_init(struct lesson_view *view);
void view_done(struct lesson_view *view);

/* Rebuilds the view for the session's position: the last step that ran,
 * `half` of it (clamped to what the step has). Returns 0, or -1 when out
 * of memory (the view is then empty but safe to draw). */
int view_update(struct lesson_view *view, const struct session *session, int half);

/* Stepping programs: the next call is `chosen` side's held call; say
 * tells where each program is and what it printed; the source line is the
 * held call's. Call after view_update. */
void view_describe_programs(struct lesson_view *view, const struct stepper *stepper, int chosen);

/* Whether `event` is on screen at the view's position: every step before
 * the one shown, and of that one the events of the half shown. */
bool view_event_shown(const struct lesson_view *view, const struct lab_event *event);

/* The sockets of `side` in the view's snapshot, in snapshot order: fills
 * at most `max` indexes into view->snapshot->sockets, returns how many
 * there are. Side -1 gives the sockets the lab cannot place. */
size_t view_side_sockets(const struct lesson_view *view, int side, size_t *indexes, size_t max);

/* Text for the lesson number and name: "01" and "echo" from "01-echo". */
void view_lesson_number(const char *lesson_name, char *number, size_t number_size,
			const char **rest);

#endif
