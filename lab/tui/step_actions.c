/* step_actions — two unmodified programs on the lesson screen.
 *
 * The lesson screen shows a stepper (stepper.h): each program waits before
 * its next socket call, and the screen shows one of those calls as "next",
 * with the source line that made it. Space lets it run; c shows the other
 * program's instead. A side of several processes or threads may hold
 * several tasks at once: the oldest goes first (none starves), and Tab
 * or Up/Down picks another. What a call did comes back from the tracers while the
 * loop sleeps in poll() (step_actions_on_news), so a call that blocks leaves the
 * other program free to step, and a call woken by the other side's shows
 * returning as soon as the kernel wakes it. Programs only run forward:
 * going back means running both again (r). */
#include "step_actions.h"

#include "tui_state.h"
#include "lesson_actions.h"

#include <stdio.h>
#include <stdlib.h>

#include "signals.h"
#include "i18n.h"

/* Frees the programs and the stepper, and so its session: the lesson screen calls it when it
 * closes (tui->release_session). */
static void release_stepper(struct tui *tui);

/* An exec is an event of its own, as a fork is: a row in the process's
 * pane, where it happened among the calls (view.h's notes). Out of
 * memory, the message line still says it. */
static void note_exec(struct tui *tui, const struct stepper_news *news)
{
	if (tui->step_note_count == tui->step_note_capacity) {
		size_t capacity = tui->step_note_capacity ? 2 * tui->step_note_capacity : 8;
		struct view_note *grown = realloc(tui->step_notes, capacity * sizeof *grown);
		if (!grown)
			return;
		tui->step_notes = grown;
		tui->step_note_capacity = capacity;
	}
	struct view_note *note = &tui->step_notes[tui->step_note_count++];
	note->side = news->side;
	session_events(stepper_session(tui->stepper), &note->before_event);
	snprintf(note->who, sizeof note->who, "%s", news->who);
	snprintf(note->text, sizeof note->text, "exec(%.400s)", news->event->text);
}

/* News goes to the message line too: a process started, ran another
 * program or ended. */
static void step_on_event(const struct stepper_news *news, void *context)
{
	struct tui *tui = context;
	const struct tracer_event *event = news->event;
	switch (news->kind) {
	case NEWS_FORK:
		tui_message(tui, _("%s started %s (fork): it holds a copy of each of %s's fds"),
			    news->parent_who, news->who, news->parent_who);
		return;
	case NEWS_EXEC:
		tui_message(tui, _("%s runs a new program (exec): %.200s"), news->who, event->text);
		note_exec(tui, news);
		return;
	case NEWS_EXIT:
		if (!event->program_over)
			tui_message(tui, "%s %s", news->who, event->message);
		return;
	case NEWS_STEP:
	case NEWS_OUTPUT:
	case NEWS_STARTUP:
		return;
	}
}

int step_actions_open(struct tui *tui, char **err)
{
	lesson_actions_close(tui);
	/* Running the programs again must not meet the first run's TIME-WAIT sockets. */
	if (tui->sessions_started > 0 && sandbox_renew(tui->sandbox, err) < 0)
		return -1;
	if (stepper_new(&tui->stepper, tui->step_commands, tui->step_examples, tui->sandbox,
			err) < 0) {
		tui->stepper = NULL;
		return -1;
	}
	stepper_listen(tui->stepper, step_on_event, tui);
	tui->session = stepper_session(tui->stepper);
	tui->release_session = release_stepper;
	session_set_interrupt(tui->session, signals_flag());
	tui->sessions_started++;
	tui->lesson = session_lesson(tui->session);
	tui->step_side = 0;
	lesson_actions_show(tui);
	return 0;
}

static void release_stepper(struct tui *tui)
{
	free(tui->step_notes);
	tui->step_notes = NULL;
	tui->step_note_count = tui->step_note_capacity = 0;
	stepper_free(tui->stepper);
	tui->stepper = NULL;
	tui->session = NULL;
}

void step_actions_on_news(struct tui *tui)
{
	char *err = NULL;
	if (stepper_pump(tui->stepper, &err) < 0) {
		tui_message(tui, _("the lab failed: %s (r runs the programs again)"),
			    err ? err : _("out of memory"));
		free(err);
	}
	tui->step_side = stepper_next_side(tui->stepper, tui->step_side);
	/* The step whole: a woken call shows returning. */
	tui->half = 2;
	lesson_actions_refresh_view(tui);
}

/* ---- keys --------------------------------------------------------------- */

/* A key runs one call: first let the last one finish (and what it woke
 * come back), so the key goes to the call on screen once it is there,
 * and each key's result is one frame. A program that computes between
 * calls gets SETTLE_MS; the loop then shows it when it stops. */
enum { SETTLE_MS = 2000 };

/* Runs the held call of the side on screen; what it says goes to the key line. */
static const char *run_one_call(struct tui *tui, char **err)
{
	int quiet = stepper_settle(tui->stepper, SETTLE_MS, err);
	if (quiet < 0)
		return NULL;
	if (quiet == 0)
		return _("a program still runs between its socket calls: the next one shows when "
			 "it stops");
	tui->step_side = stepper_next_side(tui->stepper, tui->step_side);
	int released = stepper_release(tui->stepper, tui->step_side, err);
	if (released < 0)
		return NULL;
	if (released == 1)
		return tui->view.at_end ? _("both programs are over: r runs them again")
					: _("this program holds no call: c shows the other one");
	if (stepper_settle(tui->stepper, SETTLE_MS, err) < 0)
		return NULL;
	tui->step_side = stepper_next_side(tui->stepper, tui->step_side);
	return "";
}

static void step_run(struct tui *tui)
{
	char *err = NULL;
	const char *said = run_one_call(tui, &err);
	if (!said) {
		tui_message(tui, _("the lab failed: %s (r runs the programs again)"),
			    err ? err : _("out of memory"));
		free(err);
	} else if (said[0]) {
		tui_message(tui, "%s", said);
	}
	/* Settling took the programs' news: the screen shows it, whatever was said. */
	tui->half = 2;
	lesson_actions_refresh_view(tui);
}

static void step_switch(struct tui *tui)
{
	tui->step_side = (tui->step_side + 1) % STEPPER_SIDES;
	lesson_actions_refresh_view(tui);
}

/* Among the side's held tasks, the one the next key releases: Tab and
 * Shift-Tab, and Up and Down while no pane is focused. With one task
 * held (or Up and Down in a focused pane) the keys do what they do in a
 * lesson: focus a pane, select a socket. */
static void step_pick(struct tui *tui, int delta, enum tui_action otherwise)
{
	const struct stepper_side *side = stepper_side(tui->stepper, tui->step_side);
	bool in_pane = (otherwise == ACTION_UP || otherwise == ACTION_DOWN) && tui->focus_side >= 0;
	if (!side || side->held_count < 2 || in_pane) {
		if (lesson_actions_handlers[otherwise])
			lesson_actions_handlers[otherwise](tui);
		return;
	}
	stepper_choose(tui->stepper, tui->step_side, delta);
	lesson_actions_refresh_view(tui);
}

static void step_pick_next(struct tui *tui)
{
	step_pick(tui, 1, ACTION_FOCUS);
}

static void step_pick_previous(struct tui *tui)
{
	step_pick(tui, -1, ACTION_FOCUS_BACK);
}

static void step_pick_above(struct tui *tui)
{
	step_pick(tui, -1, ACTION_UP);
}

static void step_pick_below(struct tui *tui)
{
	step_pick(tui, 1, ACTION_DOWN);
}

static void step_start_over(struct tui *tui)
{
	char *err = NULL;
	if (step_actions_open(tui, &err) < 0) {
		/* Nothing left to show: end as a lab that cannot start does. */
		tui_message(tui, _("could not run the programs again: %s"),
			    err ? err : _("out of memory"));
		free(err);
		tui->exit_code = 2;
		tui->quit = true;
		return;
	}
	tui_message(tui, "%s", _("both programs started again in a fresh sandbox"));
}

static void step_forward_only(struct tui *tui)
{
	tui_message(tui, "%s",
		    _("programs only run forward: space runs the call shown, r runs both again"));
}

/* Autoplay (and its speed) belongs to lessons; stepping runs one call a key. */
static void step_no_autoplay(struct tui *tui)
{
	tui_message(tui, "%s",
		    _("autoplay is not offered when stepping programs: space runs the call shown"));
}

static void step_no_quiz(struct tui *tui)
{
	tui_message(tui, "%s",
		    _("predict mode asks about a lesson's steps; programs have none written down"));
}

static void step_no_typing(struct tui *tui)
{
	tui_message(tui, "%s",
		    _("here the programs make the calls; socklab play is where you type them"));
}

const tui_handler step_actions_handlers[ACTION_COUNT] = {
	[ACTION_NEXT] = step_run,
	[ACTION_SWITCH_SIDE] = step_switch,
	[ACTION_FOCUS] = step_pick_next,
	[ACTION_FOCUS_BACK] = step_pick_previous,
	[ACTION_UP] = step_pick_above,
	[ACTION_DOWN] = step_pick_below,
	[ACTION_RESTART] = step_start_over,
	[ACTION_BACK] = step_forward_only,
	[ACTION_GOTO] = step_forward_only,
	[ACTION_FIRST] = step_forward_only,
	[ACTION_LAST] = step_forward_only,
	[ACTION_AUTOPLAY] = step_no_autoplay,
	[ACTION_FASTER] = step_no_autoplay,
	[ACTION_SLOWER] = step_no_autoplay,
	[ACTION_PREDICT] = step_no_quiz,
	[ACTION_COMMAND] = step_no_typing,
};
