/* wire — what crossed lo, as the events' packets: which side sent and
 * received each segment (side_of_segment), whether a gone socket was
 * reset, and `wire: hold`'s held segments and their resent copies.
 */
#ifndef SOCKLAB_WIRE_H
#define SOCKLAB_WIRE_H

#include <stddef.h>

#include "session_parts.h"

/* The snapshot's sockets the tie says left every table (NOTE_DROPPED):
 * NOTE_RESET where an RST crossed the wire or a call said so. Returns 0,
 * or -1 with *err (out of memory). */
int wire_mark_resets(struct session *session, char **err);

/* Opens the capture if session_capture() asked for it; where none can be
 * had, says why in info.wire and returns 0. -1 with *err. */
int wire_open_capture(struct session *session, char **err);
/* Takes what crossed lo since the last drain and gives it to `event`. */
int wire_drain(struct session *session, struct lab_event *event, char **err);
/* Which side sent from `address`, or -1. */
int wire_side_of_address(const struct session *session, int family,
			 const struct lab_address *address);

/* `wire: hold`: opens the hold in the private path; elsewhere says why
 * not in info.held. */
int wire_open_hold(struct session *session, char **err);
/* The held segments, as one line for the event. */
void wire_describe_held(struct session *session, struct lab_event *event);
/* The side's name that sent a held segment (resend.h's callback). */
const char *wire_held_sender(void *context, const struct held_segment *segment);
/* The copies of held segments the kernel's timers sent since the last
 * look: said in the event, duplicates of what went through dropped. */
int wire_tidy_resends(struct session *session, struct lab_event *event, char **err);
/* The oldest held segment `side` sent, waiting up to 3 s for one: 1 with
 * *index, 0 none, -1 with *err. */
int wire_find_held(struct session *session, int side, struct lab_event *event, size_t *index,
		   char **err);

/* How long a release waits for its receiver's answer: a delayed ACK
 * comes 40 ms to 200 ms (TCP_DELACK_MAX) after the segment. */
#define WIRE_ANSWER_LIMIT_MS 500
/* After `released` was let through: a segment that takes sequence space
 * (data or a FIN) is acknowledged by its receiver's kernel, at once or by
 * its delayed ACK. Waits, at most WIRE_ANSWER_LIMIT_MS, until that answer
 * (or a reset) is held too, so what a step shows held is the same however
 * fast the lab came to look; SYNs (answered at once, or dropped by a full
 * queue) and pure ACKs wait for nothing. Returns 1 answered, 0 not in
 * time or nothing to wait for, -1 with *err. */
int wire_await_answer(struct session *session, const struct held_segment *released, char **err);

#endif
