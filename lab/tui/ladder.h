/* ladder — the wire as a sequence diagram, from the session's log. No curses.
 *
 * A ladder has one lane per side that sent or got a packet, in side order
 * (the server's, then the client's: the lesson screen's panes, left to
 * right), and one row per line of the diagram: a heading for each step up
 * to the one on screen (its call; the sockets after it), then a row for
 * each packet its events hold, in the order they crossed lo. Rows do not
 * depend on the terminal's width, so scrolling counts rows; the drawing
 * (screen_ladder.c) lays them out between the lanes. */
#ifndef SOCKLAB_TUI_LADDER_H
#define SOCKLAB_TUI_LADDER_H

#include <stdbool.h>
#include <stddef.h>

#include "session.h"
#include "view.h"

enum ladder_row_kind {
	LADDER_STEP,      /* a step's heading: its call, and the states after it */
	LADDER_PACKET,    /* a packet: an arrow between two lanes, or a line of text when
	                     it has no two */
};

struct ladder_row {
	enum ladder_row_kind kind;
	size_t step;                          /* 1-based */
	const struct lab_event *event;        /* STEP: the step's call; PACKET: the event that
	                                         holds the packet */
	const struct lab_snapshot *snapshot;  /* STEP: the sockets after the step's
	                                         last event shown */
	const struct lab_snapshot *before;    /* STEP: the sockets before the step (the previous
	                                         heading's), or NULL */
	const struct wire_packet *packet;     /* PACKET */
	int from_lane, to_lane;               /* PACKET: -1 when that end is on no lane (the lab
	                                         could not tell its side) */
};

struct ladder {
	int lane_sides[LESSON_MAX_SIDES];     /* the side of each lane, left to right */
	int lane_count;
	struct ladder_row *rows;              /* owned; the pointers inside borrow the
	                                         session's log */
	size_t count, capacity;
	size_t current;                       /* the row of the heading of the step on screen;
	                                         count when none */
	size_t packet_count;
};

void ladder_init(struct ladder *ladder);
void ladder_done(struct ladder *ladder);

/* Rebuilds the ladder for the view's position (view_update first): steps 1
 * to the one on screen, of that one the half shown. While no packet says
 * which sides talk, the lanes are side 0 and `right_side` (the lesson
 * screen's right pane). The rows borrow the session's log: rebuild after
 * every call on the session. Returns 0, or -1 out of memory (then empty). */
int ladder_build(struct ladder *ladder, const struct lesson_view *view,
		 const struct session *session, int right_side);

/* A step heading's call, as the transcript heads the step: ">  6 client:
 * connect(c, 127.0.0.1:65432)", the step on screen marked; a side of
 * several processes names the one that called ("54 server/child3:
 * close(3)"). */
void ladder_heading_text(const struct lesson_view *view, const struct ladder_row *row, char *out,
			 size_t size);

/* Whether the `index`th socket of `after` is in a state its side entered
 * since `before` (NULL: none): its side has more sockets in that state
 * than before, counting up to it. A whole step's change, both halves. */
bool ladder_state_entered(const struct lab_snapshot *before, const struct lab_snapshot *after,
			  size_t index);

/* How much of a packet a label says. */
enum ladder_label {
	LABEL_FLAGS,      /* "SYN", "PSH-ACK len 12", "UDP len 3" */
	LABEL_NUMBERS,    /* "SYN seq 0", "SYN-ACK seq 0 ack 1", "PSH-ACK seq 1 ack 1 len 12" */
	LABEL_PAYLOAD,    /* the numbers and the first bytes: ... len 12 "Hello, world" */
};

/* A packet's label. The ack number shows only when the ACK flag is set (it
 * means nothing otherwise); the length only with data (TCP), always for UDP. */
void ladder_packet_label(const struct wire_packet *packet, enum ladder_label detail, char *out,
			 size_t size);

#endif
