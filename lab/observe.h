/* observe — a program as a side: a lesson's `program SIDE:` run under the
 * tracer (program.h), whose next socket call must be the step's, and a
 * traced program's calls and processes observed (session_observe, in
 * session.h).
 */
#ifndef SOCKLAB_OBSERVE_H
#define SOCKLAB_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "session_parts.h"

/* Programs run only in the private namespace: on the host, the tutorial's
 * server would take the machine's port 65432, which a lesson cannot map. */
bool observe_programs_here(const struct session *session);
/* The side's program makes its next socket call, which must be the step's. */
int observe_run_call(struct session *session, const struct lesson_step *step, char **err);
/* The lesson file's directory: a program's ./ and ../ words are named
 * from there (the program starts in the lab's working directory). */
void observe_lesson_directory(const struct session *session, char *out, size_t size);
/* Starts the lesson's programs (where programs_here). 0, or -1 with *err. */
int observe_start_programs(struct session *session, const char *lesson_dir, char **err);

/* session_observe, session_observe_process, session_process_label
 * (session.h), for the session to hand on. */
int observe_call(struct session *session, const struct observed_call *call, char **err);
int observe_process(struct session *session, const struct observed_process *observed, char **err);
void observe_process_label(const struct session *session, int side, int process, char *out,
			   size_t size);

#endif
