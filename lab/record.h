/* record — the session's log of events: a call's event from its request
 * and reply (updating the side's names, fds and kinds), a woken call's,
 * and the failures said under an event.
 */
#ifndef SOCKLAB_RECORD_H
#define SOCKLAB_RECORD_H

#include <stdbool.h>

#include "session_parts.h"

/* A new event at the end of the log, or NULL out of memory. */
struct lab_event *record_event(struct session *session, enum event_kind kind, int side,
			       const struct typed_call *call);
/* A failed expectation said under the event: `text` in English (the
 * trace's), `shown` in the language chosen (NULL: the same); -1 out of
 * memory. */
int record_failure_said(struct lab_event *event, const char *text, const char *shown);
/* The same from an English format marked N_() and its arguments (names,
 * numbers, calls: words in no language); shown through its translation. */
int record_failure(struct lab_event *event, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
/* An expectation a kernel timer explains: said, not counted as failed. */
/* `text` in English (the trace's), `shown` in the language chosen (NULL: the same). */
int record_timer_ended(struct lab_event *event, const char *text, const char *shown);
/* The call's fd and address arguments into the event. */
void record_arguments(struct lab_event *event, const struct typed_call *call,
		      const struct puppet_request *request);
/* A puppet's reply, from what the tracer saw a program's call return:
 * the two kinds of side are recorded alike. */
void record_program_reply(const struct tracer_event *returned, struct puppet_reply *reply);
/* Fills an event from a reply and updates the side's names and kinds. */
void record_reply(struct session *session, struct side *side, const struct typed_call *call,
		  const struct puppet_request *request, const struct puppet_reply *reply,
		  struct lab_event *event);
/* Whether side `s`'s blocked call has returned; if so, its WOKE event. */
int record_woken_side(struct session *session, int s, char **err);
/* The same for every blocked side but `except_side`. */
int record_woken(struct session *session, int except_side, char **err);
/* The call's event: asleep in the kernel, or returned with session->reply. */
int record_outcome(struct session *session, struct side *side, const struct typed_call *call,
		   bool blocked, char **err);

#endif
