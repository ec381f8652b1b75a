/* step — two traced programs, in turn, observed by a session. */
#include "step.h"

#include <stdlib.h>
#include <string.h>

#include "plain.h"
#include "session.h"
#include "text.h"
#include "stepper.h"
#include "tracer.h"

enum { SIDES = STEPPER_SIDES, RUN_TIMEOUT_MS = 10000 };

struct stepping {
	struct session *session;
	struct lesson lesson;              /* names the sides; no steps */
	FILE *out;
	int side;                          /* whose events the callback sees */
	bool startup_told[SIDES];          /* the start-up calls' heading was printed */
	char *err;
	bool failed;
};

static void print_new_events(struct stepping *stepping, size_t before)
{
	size_t count;
	const struct lab_event *events = session_events(stepping->session, &count);
	for (size_t i = before; i < count; i++)
		plain_print_step_in(stepping->out, session_info(stepping->session), events, i, 1);
}

/* Each tracer event, while the program is held at it. */
static void on_event(const struct tracer_event *event, void *context)
{
	struct stepping *stepping = context;
	const char *side = stepping->lesson.sides[stepping->side];
	if (stepping->failed)
		return;
	if (event->kind == TRACER_OUTPUT) {
		/* An event is a line (or a prompt shown before a stop): whole,
		 * escaped, its newline left implied. */
		size_t len = event->bytes_len;
		bool ended = len > 0 && event->bytes[len - 1] == '\n';
		size_t size = 4 * len + 1;   /* every byte may need "\xNN" */
		char *escaped = malloc(size);
		if (escaped) {
			text_escape(event->bytes, ended ? len - 1 : len, escaped, size);
			fprintf(stepping->out, "\n%s printed: \"%s\"%s\n", side, escaped, ended ? "" : " (no newline yet)");
			free(escaped);
		}
		return;
	}
	if (event->kind == TRACER_EXITED) {
		/* The program's end, once: a process of it that ends is no news,
		 * and once the lab stops a program each of its processes ends with
		 * the same reason (64 of them at the cap). */
		if (event->program_over)
			fprintf(stepping->out, "\n%s %s\n", side, event->message);
		return;
	}
	if (event->startup) {
		/* Not a step: the interpreter's own, before the program began. */
		if (!stepping->startup_told[stepping->side])
			fprintf(stepping->out, "\n%s: before the program's first line, the interpreter's start-up (not stepped):\n",
				side);
		stepping->startup_told[stepping->side] = true;
		fprintf(stepping->out, "  %s\n", event->text);
		return;
	}
	size_t before;
	session_events(stepping->session, &before);
	int observed = stepper_observe(stepping->session, stepping->side, event, &stepping->err);
	if (observed < 0) {
		stepping->failed = true;
		return;
	}
	if (observed == 0)
		return;
	if (event->line[0])
		fprintf(stepping->out, "\n%s: %s", side, event->line);
	print_new_events(stepping, before);
}

int step_plain(const char *server, const char *client, const char *examples_dir, struct sandbox *sandbox, FILE *out,
	       const volatile sig_atomic_t *stop)
{
	static const char *const names[SIDES] = { "server", "client" };
	struct stepping stepping = { .out = out };
	struct tracer *tracers[SIDES] = { NULL, NULL };
	const char *commands[SIDES] = { server, client };
	int code = 0;
	stepping.lesson.path = "<step>";
	stepping.lesson.name = "step";
	stepping.lesson.title = "two programs, stepped at their socket calls";
	stepping.lesson.side_count = SIDES;
	for (int s = 0; s < SIDES; s++) {
		snprintf(stepping.lesson.sides[s], NAME_MAX_LEN, "%s", names[s]);
		stepping.lesson.forked[s] = true;   /* no puppet: the programs are the sides */
	}
	if (session_new(&stepping.session, &stepping.lesson, sandbox, &stepping.err) < 0
	    || session_capture(stepping.session, NULL, &stepping.err) < 0)
		goto failed;
	session_set_interrupt(stepping.session, stop);
	plain_print_info(out, session_info(stepping.session));
	for (int s = 0; s < SIDES; s++)
		if (stepper_start_program(&tracers[s], commands[s], NULL, names[s], examples_dir, &stepping.err) < 0)
			goto failed;
	/* In turn: each runs until it blocks or ends; stop when both are over,
	 * or when a whole round changes nothing (both wait for each other). */
	bool over[SIDES] = { false, false };
	for (int idle_rounds = 0; !(over[0] && over[1]) && idle_rounds < 2 && !*stop;) {
		size_t before;
		session_events(stepping.session, &before);
		for (int s = 0; s < SIDES && !*stop; s++) {
			if (over[s])
				continue;
			stepping.side = s;
			int result = tracer_run_until_blocked_or_exit(tracers[s], on_event, &stepping, RUN_TIMEOUT_MS,
								      &stepping.err);
			if (result < 0 || stepping.failed)
				goto failed;
			over[s] = result == TRACER_RUN_OVER;
		}
		size_t after;
		session_events(stepping.session, &after);
		idle_rounds = after == before ? idle_rounds + 1 : 0;
	}
	if (!(over[0] && over[1]))
		fprintf(out, "\nthe programs wait for each other: stopped (%s%s%s)\n", over[0] ? "" : "server blocked",
			!over[0] && !over[1] ? ", " : "", over[1] ? "" : "client blocked");
	fprintf(out, "\n%zu calls stepped\n", session_steps_done(stepping.session));
	goto done;
failed:
	fprintf(stderr, "socklab: %s\n", stepping.err ? stepping.err : "out of memory");
	code = 2;
done:
	free(stepping.err);
	for (int s = 0; s < SIDES; s++)
		tracer_free(tracers[s]);
	session_free(stepping.session);
	return code;
}
