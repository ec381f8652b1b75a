/* plain_run — the --plain frontend's run loop.
 *
 * Steps the session to its end (or until `stop` is set), printing each
 * step's transcript (with the lesson's Python line and explanation unless
 * `terse`), asking the quiz's questions first when `quiz`, waiting as
 * `pace` says, and recording every event to `trace` when not NULL. */
#ifndef SOCKLAB_PLAIN_RUN_H
#define SOCKLAB_PLAIN_RUN_H

#include <signal.h>
#include <stdbool.h>

#include "pace.h"
#include "progress.h"
#include "session.h"
#include "trace.h"

/* Returns 0 (every expectation met), 1 (one failed) or 2 (the lab failed, said on stderr). */
int plain_run(struct session *session, struct trace_writer *trace, bool quiz, bool terse,
	      struct progress *progress, const struct pace *pace,
	      const volatile sig_atomic_t *stop);

#endif
