/* step — two traced programs, released in turn, told as text. */
#include "step.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "plain.h"
#include "session.h"
#include "stepper.h"
#include "text.h"

enum {
	SETTLE_MS = 2000,        /* a released call's news: quiet by then, or the
	                            program computes */
	WAIT_MS = 10000,         /* the bound on waiting for a program that sleeps or computes */
	BUSY_SETTLE_MS = 50,     /* the same, while a program is known to compute */
};

struct stepping {
	struct stepper *stepper;
	FILE *out;
	bool startup_told[STEPPER_SIDES];  /* the start-up calls' heading was printed */
	bool computing;                    /* a program runs between calls: said, and
	                                      waited for since */
	uint64_t computing_since_ms;
};

static uint64_t now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

static bool holds_a_call(const struct stepper *stepper)
{
	for (int s = 0; s < STEPPER_SIDES; s++)
		if (stepper_side(stepper, s)->state == STEPPER_HELD)
			return true;
	return false;
}

static void print_output(FILE *out, const char *who, const struct tracer_event *event)
{
	/* An event is a line (or a prompt shown before a stop): whole,
	 * escaped, its newline left implied. */
	size_t len = event->bytes_len;
	bool ended = len > 0 && event->bytes[len - 1] == '\n';
	size_t size = 4 * len + 1;   /* every byte may need "\xNN" */
	char *escaped = malloc(size);
	if (!escaped)
		return;
	text_escape(event->bytes, ended ? len - 1 : len, escaped, size);
	fprintf(out,
		ended ? _("\n%s printed: \"%s\"\n") : _("\n%s printed: \"%s\" (no newline yet)\n"),
		who, escaped);
	free(escaped);
}

/* Each piece of news, as it comes. */
static void on_news(const struct stepper_news *news, void *context)
{
	struct stepping *stepping = context;
	FILE *out = stepping->out;
	const struct tracer_event *event = news->event;
	const char *side = session_info(stepper_session(stepping->stepper))->sides[news->side];
	switch (news->kind) {
	case NEWS_STEP: {
		struct session *session = stepper_session(stepping->stepper);
		if (event->line[0])
			fprintf(out, "\n%s: %s", news->who, event->line);
		size_t count;
		const struct lab_event *events = session_events(session, &count);
		for (size_t i = news->first_event; i < count; i++)
			plain_print_step_in(out, session_info(session), events, i, 1);
		return;
	}
	case NEWS_OUTPUT:
		print_output(out, side, event);
		return;
	case NEWS_FORK:
		fprintf(out, _("\n%s started %s (fork: pid %d)\n"), news->parent_who, news->who,
			(int)event->process);
		return;
	case NEWS_EXEC:
		fprintf(out, _("\n%s runs a new program (exec): %s\n"), news->who, event->text);
		return;
	case NEWS_EXIT:
		fprintf(out, "\n%s %s\n", news->who, event->message);
		return;
	case NEWS_STARTUP:
		/* Not a step: the interpreter's own, before the program began. */
		if (!stepping->startup_told[news->side])
			fprintf(out,
				_("\n%s: before the program's first line, the interpreter's "
				  "start-up (not stepped):\n"),
				side);
		stepping->startup_told[news->side] = true;
		fprintf(out, "  %s\n", event->text);
		return;
	}
}

/* How the programs stood when a wait began: each side's state, and the
 * call a sleeping side sleeps in. */
struct standing {
	enum stepper_state states[STEPPER_SIDES];
	char calls[STEPPER_SIDES][sizeof ((struct stepper_side *)0)->message];
};

static void take_standing(const struct stepper *stepper, struct standing *standing)
{
	for (int s = 0; s < STEPPER_SIDES; s++) {
		standing->states[s] = stepper_side(stepper, s)->state;
		snprintf(standing->calls[s], sizeof standing->calls[s], "%s",
			 stepper_side(stepper, s)->message);
	}
}

static bool still_standing(const struct stepper *stepper, const struct standing *standing)
{
	for (int s = 0; s < STEPPER_SIDES; s++)
		if (stepper_side(stepper, s)->state != standing->states[s]
		    || strcmp(stepper_side(stepper, s)->message, standing->calls[s]) != 0)
			return false;
	return true;
}

/* Waits up to WAIT_MS for the programs to move from where they stand (the
 * caller has said why). Output is no progress: a call held, or the
 * programs quiet somewhere else, is. Returns 1 when they moved, 0 when the
 * bound passed, -1. */
static int wait_for_news(struct stepping *stepping, const volatile sig_atomic_t *stop,
			 char **err)
{
	struct stepper *stepper = stepping->stepper;
	struct standing standing;
	take_standing(stepper, &standing);
	for (uint64_t end = now_ms() + WAIT_MS; now_ms() < end && !*stop;) {
		if (stepper_wait(stepper, 100, err) < 0)
			return -1;
		if (holds_a_call(stepper)
		    || (stepper_quiet(stepper) && !still_standing(stepper, &standing)))
			return 1;
	}
	return 0;
}

/* A program computes (no quiet after SETTLE_MS): said once, then the
 * other's held calls go on meanwhile; with none, waited for, up to
 * WAIT_MS in all. Returns as turn(). */
static int while_computing(struct stepping *stepping, int *on_turn,
			   const volatile sig_atomic_t *stop, char **err)
{
	struct stepper *stepper = stepping->stepper;
	int running = stepper_side(stepper, 0)->state == STEPPER_RUNNING ? 0 : 1;
	const char *name = stepper_side(stepper, running)->name;
	if (!stepping->computing) {
		fprintf(stepping->out,
			_("\n%s runs between its socket calls (computing); waiting up to %d s\n"),
			name, WAIT_MS / 1000);
		stepping->computing = true;
		stepping->computing_since_ms = now_ms();
	}
	if (!stepper_in_flight(stepper) && holds_a_call(stepper)) {
		*on_turn = stepper_next_side(stepper, *on_turn);
		if (stepper_side(stepper, *on_turn)->state != STEPPER_HELD)
			*on_turn = 1 - *on_turn;
		return stepper_release(stepper, *on_turn, err) < 0 ? -1 : 1;
	}
	while (now_ms() < stepping->computing_since_ms + WAIT_MS && !*stop) {
		if (stepper_wait(stepper, 100, err) < 0)
			return -1;
		if ((!stepper_in_flight(stepper) && holds_a_call(stepper))
		    || stepper_quiet(stepper))
			return 1;
	}
	if (*stop)
		return 0;
	fprintf(stepping->out, _("\n%s made no socket call in %d s: stopped\n"), name,
		WAIT_MS / 1000);
	return 0;
}

/* One turn: the program on turn runs its oldest held call. Returns 1 to
 * go on, 0 at the end (printed), -1 with *err. */
static int turn(struct stepping *stepping, int *on_turn, const volatile sig_atomic_t *stop,
		char **err)
{
	struct stepper *stepper = stepping->stepper;
	/* Once a program is known to compute, the other's calls need not wait. */
	int quiet = stepper_settle(stepper, stepping->computing ? BUSY_SETTLE_MS : SETTLE_MS, err);
	if (quiet < 0)
		return -1;
	if (quiet == 0)
		return while_computing(stepping, on_turn, stop, err);
	stepping->computing = false;
	const struct stepper_side *sides[STEPPER_SIDES] = { stepper_side(stepper, 0),
							    stepper_side(stepper, 1) };
	if (sides[0]->state == STEPPER_OVER && sides[1]->state == STEPPER_OVER)
		return 0;
	*on_turn = stepper_next_side(stepper, *on_turn);
	int released = stepper_release(stepper, *on_turn, err);
	if (released <= 0)
		return released < 0 ? -1 : 1;
	/* Nobody holds a call: a sleeper is waited for, a block is the end. */
	for (int s = 0; s < STEPPER_SIDES; s++)
		if (sides[s]->state == STEPPER_ASLEEP && sides[s]->asleep_in_call) {
			fprintf(stepping->out, _("\n%s asleep in %s; waiting up to %d s\n"),
				sides[s]->name, sides[s]->message, WAIT_MS / 1000);
			int changed = wait_for_news(stepping, stop, err);
			if (changed != 0)
				return changed < 0 ? -1 : 1;
			if (!*stop)
				fprintf(stepping->out,
					_("\n%s made no socket call in %d s: stopped\n"),
					sides[s]->name, WAIT_MS / 1000);
			return 0;
		}
	bool server_blocked = sides[0]->state != STEPPER_OVER,
	     client_blocked = sides[1]->state != STEPPER_OVER;
	if (server_blocked != client_blocked) {
		/* One is over: the other waits for what nobody will do (a
		 * server serving for ever). Said with the call it waits in. */
		int waiting = server_blocked ? 0 : 1;
		static const char *const over_and_waiting[STEPPER_SIDES] = {
			N_("\nthe client is over and the server waits in %s: stopped\n"),
			N_("\nthe server is over and the client waits in %s: stopped\n"),
		};
		/* Blocked: in the socket call it sleeps in; asleep: where the
		 * tracer saw it sleep (a terminal's read, pause). */
		const struct stepper_side *side = sides[waiting];
		fprintf(stepping->out, _(over_and_waiting[waiting]),
			side->state == STEPPER_BLOCKED ? side->next : side->message);
		return 0;
	}
	/* Both over ended the run above: here both are blocked. A call with a
	 * timeout (poll's, SO_RCVTIMEO's) or a signal (alarm) may still wake
	 * one, which the lab cannot see coming: waited for, with the bound. */
	fprintf(stepping->out,
		_("\nserver and client are both blocked; waiting up to %d s for a timeout or "
		  "a signal\n"),
		WAIT_MS / 1000);
	int changed = wait_for_news(stepping, stop, err);
	if (changed != 0)
		return changed < 0 ? -1 : 1;
	if (*stop)
		return 0;
	fprintf(stepping->out, "%s",
		_("\nthe programs wait for each other: stopped (server blocked, client "
		  "blocked)\n"));
	return 0;
}

int step_plain(const char *server, const char *client, const char *examples_dir,
	       struct sandbox *sandbox, FILE *out, const volatile sig_atomic_t *stop)
{
	struct stepping stepping = { .out = out };
	const char *commands[STEPPER_SIDES] = { server, client };
	char *err = NULL;
	int code = 0;
	if (stepper_new(&stepping.stepper, commands, examples_dir, sandbox, &err) < 0)
		goto failed;
	struct session *session = stepper_session(stepping.stepper);
	session_set_interrupt(session, stop);
	plain_print_info(out, session_info(session));
	stepper_listen(stepping.stepper, on_news, &stepping);
	int on_turn = 0, going;
	while (!*stop && (going = turn(&stepping, &on_turn, stop, &err)) > 0)
		;
	if (!*stop && going < 0)
		goto failed;
	fprintf(out, _("\n%zu calls stepped\n"), session_steps_done(session));
	goto done;
failed:
	fprintf(stderr, "socklab: %s\n", err ? err : _("out of memory"));
	code = 2;
done:
	free(err);
	stepper_free(stepping.stepper);
	return code;
}
