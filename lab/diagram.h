/* diagram — a run as a sequence diagram's model, from its events. No
 * curses, no drawing: svg.c writes it, and a screen could draw it.
 *
 * A diagram has one lifeline per side that made a call, held a socket or
 * sent a packet (a forked process is a side of its own, so a side with
 * several processes has a lifeline for each), in the run's side order,
 * and one row per thing that happened, top to bottom:
 *
 *   CALL     a call on its side's lifeline, with its result ("= 4",
 *            "-1 ECONNREFUSED", "blocks"); a blocked call's row names the
 *            row where the kernel woke it (its bar runs between the two)
 *   PACKET   a packet from one lifeline to another, labelled with its
 *            flags, relative seq/ack and length ("SYN-ACK seq 0 ack 1")
 *   STATES   the sockets whose state changed in that event, written beside
 *            their side's lifeline ("ls LISTEN, accept queue 1 of 5",
 *            "c FIN-WAIT-2, fd closed", "conn gone")
 *
 * Rows come in the events' order, each event's call first, then its
 * packets in the order they crossed lo, then the states after it. The
 * rows borrow the events' texts: keep the events until diagram_done. */
#ifndef SOCKLAB_DIAGRAM_H
#define SOCKLAB_DIAGRAM_H

#include <stdbool.h>
#include <stddef.h>

#include "session.h"

enum diagram_row_kind {
	DIAGRAM_CALL,
	DIAGRAM_PACKET,
	DIAGRAM_STATES,
};

enum { DIAGRAM_TEXT_MAX = 160 };   /* bytes of a result, a label or a state note */

/* One socket's line in a STATES row. */
struct diagram_note {
	int lane;
	char text[DIAGRAM_TEXT_MAX];      /* "conn ESTABLISHED", "ls LISTEN, accept queue 1 of 5" */
	bool gone;                        /* the kernel lists the socket no more */
};

struct diagram_row {
	enum diagram_row_kind kind;
	size_t step;                      /* 1-based */
	bool step_start;                  /* the first row of its step */
	const struct lab_event *event;    /* borrowed: the event the row comes from */
	/* CALL */
	int lane;                         /* the caller's lifeline */
	const char *call;                 /* the call as written (borrowed), or the
	                                     catalog's name */
	char result[DIAGRAM_TEXT_MAX];    /* "= 4", "-1 ECONNREFUSED", "blocks", "not run" */
	bool failed;                      /* -1 with an errno, or an expectation not met */
	size_t wake_row;                  /* a blocked call: the row where it returned; the row
	                                     count when it never did */
	/* PACKET */
	int from_lane, to_lane;           /* -1: the lab could not tell that end's side */
	char label[DIAGRAM_TEXT_MAX];     /* "PSH-ACK seq 1 ack 1 len 12" */
	/* STATES */
	struct diagram_note *notes;       /* owned */
	size_t note_count;
};

struct diagram_lifeline {
	int side;                         /* index into the run's sides */
	char name[NAME_MAX_LEN];
};

struct diagram {
	char lesson[64];                  /* "01-echo" */
	char title[128];
	struct diagram_lifeline lifelines[LESSON_MAX_SIDES];
	int lifeline_count;
	struct diagram_row *rows;         /* owned */
	size_t count;
	size_t step_count;                /* the last step with a row */
};

/* Builds the diagram of `events` (the first `count` of a run; borrowed).
 * Returns 0, or -1 out of memory (then empty, nothing to free). */
int diagram_build(struct diagram *diagram, const struct run_info *info,
		  const struct lab_event *events, size_t count);

/* Frees the rows; safe twice and on a zeroed diagram. */
void diagram_done(struct diagram *diagram);

/* The lifeline of `side`, or -1. */
int diagram_lane_of(const struct diagram *diagram, int side);

/* A call's result as the diagram writes it: "= 4", "= 12 \"Hello, world\"",
 * "= 0, peer closed", "-1 ECONNREFUSED", "blocks", "woke: = 4", "not run". */
void diagram_result_text(const struct lab_event *event, char *out, size_t size);

/* A packet's label: flags, then seq (ack with the ACK flag) and length
 * with data; "UDP len 3" for a datagram. */
void diagram_packet_label(const struct wire_packet *packet, char *out, size_t size);

#endif
