/* plain_run — the --plain frontend's run loop: step, print, record. */
#include "plain_run.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "plain.h"
#include "quiz.h"

static int wait_in_session(void *session, int ms, char **err)
{
	return session_wait(session, ms, err);
}

enum { HOLD_RELEASES_MAX = 64 };   /* segments let go after one step in --plain --hold */

int plain_run(struct session *session, struct trace_writer *trace, bool quiz, bool terse,
	      struct progress *progress, const struct pace *pace, const volatile sig_atomic_t *stop)
{
	const struct run_info *info = session_info(session);
	const struct lesson *lesson = session_lesson(session);
	struct quiz_tally tally = { 0 };
	char *err = NULL;
	plain_print_info(stdout, info);
	if (!terse && lesson->intro) {
		fputc('\n', stdout);
		plain_print_prose(stdout, NULL, lesson->intro);
	}
	if (trace && trace_write_info(trace, info, &err) < 0)
		goto failed;
	for (;;) {
		size_t before;
		session_events(session, &before);
		/* Predict, then step: the questions come before the call runs. */
		struct quiz_turn turn;
		bool asked = quiz && session_steps_done(session) < lesson->step_count;
		if (asked
		    && quiz_plain_ask(stdin, stdout, lesson, session_steps_done(session),
				      &turn) != 0)
			quiz = asked = false;   /* no more answers on stdin: step on
			                           without asking */
		if (session_steps_done(session) < lesson->step_count
		    && pace_wait(pace, session_steps_done(session) + 1, lesson->step_count, stop,
				 wait_in_session, session, &err) < 0)
			goto failed;
		if (*stop)
			break;
		int result = session_step(session, &err);
		if (result < 0)
			goto failed;
		if (result > 0 || *stop)
			break;
		/* --hold: each segment the step sent, let go one at a time, with
		 * the states between (a bound: a wire that never goes quiet). */
		for (int released = 0;
		     lesson->hold_forced && released < HOLD_RELEASES_MAX && !*stop; released++) {
			int wire = session_wire_next(session, false, &err);
			if (wire < 0)
				goto failed;
			if (wire > 0)
				break;
		}
		size_t count;
		const struct lab_event *events = session_events(session, &count);
		plain_print_step_in(stdout, info, events, before, count - before);
		if (!terse && count > before && events[before].step >= 1
		    && events[before].step <= lesson->step_count)
			plain_print_step_prose(stdout, &lesson->steps[events[before].step - 1]);
		if (asked)
			quiz_plain_tell(stdout, &turn, events + before, count - before, &tally);
		for (size_t i = before; trace && i < count; i++)
			if (trace_write_event(trace, &events[i], &err) < 0)
				goto failed;
		if (fflush(stdout) != 0)
			break;   /* nobody reads the transcript: main says why */
	}
	size_t count;
	const struct lab_event *events = session_events(session, &count);
	plain_print_summary(stdout, info, events, count);
	if (tally.asked)
		printf("quiz: %u of %u right\n", tally.right, tally.asked);
	progress_record_step(progress, lesson->name, session_steps_done(session),
			     lesson->step_count, session_failure_count(session), NULL);
	if (tally.asked)
		progress_record_quiz(progress, lesson->name, tally.right, tally.asked, NULL);
	cli_save_progress(progress);
	return session_failure_count(session) ? EXIT_EXPECTATION : EXIT_OK;
failed:
	fprintf(stderr, "socklab: %s\n", err ? err : "out of memory");
	free(err);
	return EXIT_USAGE;
}

