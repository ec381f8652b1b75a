/* expect — a step's expectations checked against its events and the
 * kernel's snapshot. Each unmet one is a sentence under the step's call
 * event, and the session's failure count includes it.
 */
#ifndef SOCKLAB_EXPECT_H
#define SOCKLAB_EXPECT_H

#include <stddef.h>

#include "session_parts.h"

/* A step that woke a blocked call is seen twice: right after the call
 * (the sleeper held still) and after the woken call returned. `expect:`
 * lines speak of the first, `then:` lines and `SIDE returns` of the second. */
enum phase { PHASE_ALL, PHASE_CALL, PHASE_AFTER_WAKE };

/* Some states follow a kernel timer, not the call: an expectation
 * `... within N ms` re-reads the kernel every millisecond until it holds,
 * or N ms have passed; the step's snapshot is the last one read. */
int expect_settle(struct session *session, const struct lesson_step *step, enum phase phase,
		  size_t first_event, char **err);
/* Compares the step's expectations with what the kernel did. */
void expect_check_step(struct session *session, const struct lesson_step *step,
		       struct lab_event *call_event, size_t first_event, enum phase phase);

#endif
