/* lesson_actions — what keys do on the lesson screen: step, go back (by
 * re-running: the kernel state shown is always real), go to, autoplay,
 * focus a pane and open a socket's details. Each handler asks the session
 * for something and returns; the main loop redraws. */
#include "lesson_actions.h"

#include "tui_state.h"
#include "trace.h"
#include "command_line.h"
#include "page.h"
#include "quiz_panel.h"
#include "screen_details.h"
#include "screen_ladder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signals.h"
#include "i18n.h"

enum {
	AUTOPLAY_START_MS = 1500,
	AUTOPLAY_FASTEST_MS = 250,
	AUTOPLAY_SLOWEST_MS = 10000,
	TIMER_REFRESH_MS = 1000,   /* TIME-WAIT's countdown is shown in seconds */
	TIMER_LATE_MS = 20,        /* read the kernel this long after a timer's end: it has
	                              acted by then */
	TIMER_RUN_OUT_MS = 250,    /* a timer read as ended, its socket still listed: look
	                              again this often */
};

static void record_trace(struct tui *tui);

const struct lesson *lesson_actions_next_lesson(const struct tui *tui)
{
	if (!tui->from_menu || !tui->lesson || tui->play || tui->stepper)
		return NULL;
	for (size_t i = 0; i + 1 < tui->entry_count; i++)
		if (tui->entries[i].lesson == tui->lesson)
			return tui->entries[i + 1].lesson;   /* NULL when that file is broken */
	return NULL;
}

void lesson_actions_refresh_view(struct tui *tui)
{
	if (!tui->session)
		return;
	tui->view.free_play = tui->play != NULL;
	tui->view.stepping = tui->stepper != NULL;
	tui->view.notes = tui->stepper ? tui->step_notes : NULL;
	tui->view.note_count = tui->stepper ? tui->step_note_count : 0;
	if (view_update(&tui->view, tui->session, tui->half) < 0)
		tui_message(tui, "%s", _("out of memory: the screen may be incomplete"));
	if (tui->stepper)
		view_describe_programs(&tui->view, tui->stepper, tui->step_side);
	tui->half = tui->view.half;
	record_trace(tui);
	/* The end of a lesson from the menu offers the next one. */
	const struct lesson *next_lesson =
		tui->view.at_end ? lesson_actions_next_lesson(tui) : NULL;
	if (next_lesson && !tui->view.stepping && !tui->view.free_play) {
		/* view.c's end, whole, with the key to the next lesson among the others. */
		char number[8];
		const char *name;
		view_lesson_number(next_lesson->name, number, sizeof number, &name);
		size_t failures = tui->view.failures_total;
		if (failures)
			snprintf(tui->view.next, sizeof tui->view.next,
				 ngettext("the end: %zu expectation failed (n: lesson %s, r "
					  "restarts)",
					  "the end: %zu expectations failed (n: lesson %s, r "
					  "restarts)",
					  failures),
				 failures, number);
		else
			snprintf(tui->view.next, sizeof tui->view.next,
				 _("the end: every expectation met (n: lesson %s, r restarts, "
				   "q quits)"),
				 number);
	}
	/* The second pane shows the focused side, else the side the switch
	 * key chose, else the last side but the first that made a call: a
	 * function of the step, so going back to a step shows what stepping
	 * forward to it showed. */
	tui->right_side = tui->view.side_count > 1 ? 1 : 0;
	if (tui->focus_side >= 1 && tui->focus_side < tui->view.side_count) {
		tui->right_side = tui->focus_side;
	} else if (tui->chosen_side >= 1 && tui->chosen_side < tui->view.side_count) {
		tui->right_side = tui->chosen_side;
	} else {
		for (size_t step = tui->view.step; step-- > 0 && step < tui->lesson->step_count;) {
			int acting = tui->lesson->steps[step].call.side;
			if (acting >= 1 && acting < tui->view.side_count) {
				tui->right_side = acting;
				break;
			}
		}
	}
	if (tui->focus_side >= 0) {
		size_t count = view_side_sockets(&tui->view, tui->focus_side, NULL, 0);
		if (tui->selected >= count)
			tui->selected = count ? count - 1 : 0;
	}
	if (tui->ladder.open)
		screen_ladder_refresh(tui);
	if (tui->view.live && tui->view.has_timer) {
		/* Once a second for the countdown, and when the soonest timer
		 * ends, so its socket leaves the pane then, not at the next key. */
		uint32_t soonest = tui->view.soonest_timer_ms;
		uint64_t wait = soonest == 0 ? TIMER_RUN_OUT_MS
			      : soonest + TIMER_LATE_MS < TIMER_REFRESH_MS ? soonest + TIMER_LATE_MS
									 : TIMER_REFRESH_MS;
		uint64_t due = tui_now_ms() + wait;
		if (!tui->refresh_due_ms || due < tui->refresh_due_ms)
			tui->refresh_due_ms = due;
	} else {
		tui->refresh_due_ms = 0;
	}
	lesson_actions_record_progress(tui);
}

void lesson_actions_record_progress(struct tui *tui)
{
	/* Step 0 is no progress: opening a lesson again must not move "continue". */
	if (!tui->progress || !tui->session || tui->play || tui->stepper || !tui->lesson)
		return;
	size_t steps = session_steps_done(tui->session);
	if (steps == 0 || steps == tui->recorded_step)
		return;
	char *err = NULL;
	if (progress_record_step(tui->progress, tui->lesson->name, steps, tui->lesson->step_count,
				 session_failure_count(tui->session), &err) < 0)
		tui_message(tui, _("progress: %s"), err ? err : _("out of memory"));
	else
		tui->progress_dirty = true;
	free(err);
	tui->recorded_step = steps;
	snprintf(tui->recorded_lesson, sizeof tui->recorded_lesson, "%s", tui->lesson->name);
}

int lesson_actions_open(struct tui *tui, const struct lesson *lesson, char **err)
{
	lesson_actions_close(tui);
	/* A second lesson must not see the first one's TIME-WAIT sockets. */
	if (tui->sessions_started > 0 && sandbox_renew(tui->sandbox, err) < 0)
		return -1;
	if (session_new(&tui->session, lesson, tui->sandbox, err) < 0) {
		tui->session = NULL;
		return -1;
	}
	/* --pcap belongs to the lesson given on the command line, the first. */
	const char *pcap = tui->sessions_started == 0 ? tui->options->pcap_path : NULL;
	if (session_capture(tui->session, pcap, err) < 0)
		return -1;
	session_set_interrupt(tui->session, signals_flag());
	tui->sessions_started++;
	tui->lesson = lesson;
	quiz_panel_reset(tui);
	tui->quiz.advance = lesson_actions_advance;   /* the panel's last answer runs the step */
	lesson_actions_show(tui);
	return 0;
}

void lesson_actions_show(struct tui *tui)
{
	tui->screen = SCREEN_LESSON;
	tui->half = 1;
	tui->focus_side = -1;
	tui->chosen_side = -1;
	tui->recorded_step = 0;
	tui->selected = 0;
	tui->right_side = tui->lesson->side_count > 1 ? 1 : 0;
	tui->autoplay = false;
	tui->autoplay_ms = AUTOPLAY_START_MS;
	tui->prompt_open = false;
	screen_ladder_close(tui);
	lesson_actions_refresh_view(tui);
}

/* --trace: the first lesson's steps, written as they are taken (each line
 * flushed: a TUI killed with SIGKILL leaves what was stepped); going back
 * starts the file again. Another lesson, or free play from this one, is a
 * session the trace does not follow. */
static void record_trace(struct tui *tui)
{
	struct trace_writer *trace = tui->options->trace;
	if (!trace || !tui->session || tui->trace_written || tui->trace_failed
	    || tui->sessions_started != 1)
		return;
	char *err = NULL;
	size_t count;
	const struct lab_event *events = session_events(tui->session, &count);
	int failed = 0;
	if (tui->trace_begun && (tui->trace_rewind || count < tui->trace_events)) {
		failed = trace_writer_rewind(trace, &err);
		tui->trace_events = 0;
		tui->trace_begun = false;
	}
	tui->trace_rewind = false;
	if (failed == 0 && !tui->trace_begun) {
		failed = trace_write_info(trace, session_info(tui->session), &err);
		tui->trace_begun = failed == 0;
	}
	for (; tui->trace_events < count && failed == 0; tui->trace_events++)
		failed = trace_write_event(trace, &events[tui->trace_events], &err);
	if (failed < 0) {
		tui_message(tui, _("trace: %s"), err ? err : _("out of memory"));
		tui->trace_failed = true;
	}
	free(err);
}

void lesson_actions_close(struct tui *tui)
{
	/* Leaving the lesson (or the lab) keeps what was done. */
	tui_save_progress(tui);
	quiz_panel_close(tui);
	if (tui->release_session) {
		tui->release_session(tui);   /* free play's play or the stepper owns the session */
		tui->release_session = NULL;
	}
	record_trace(tui);
	tui->trace_written |= tui->session && tui->sessions_started == 1;
	session_free(tui->session);
	tui->session = NULL;
	view_done(&tui->view);
	screen_ladder_close(tui);
	tui->lesson = NULL;
	tui->autoplay = false;
	tui->refresh_due_ms = 0;
	tui->screen = SCREEN_MENU;
}

static void lab_failed(struct tui *tui, const char *what, char *err)
{
	tui_message(tui, _("%s: %s (r restarts the lesson)"), what, err ? err : _("out of memory"));
	free(err);
	tui->autoplay = false;
}

bool lesson_actions_advance(struct tui *tui)
{
	if (tui->half < tui->view.half_count) {
		tui->half++;
		lesson_actions_refresh_view(tui);
		return true;
	}
	char *err = NULL;
	int result = session_step(tui->session, &err);
	if (result < 0) {
		lab_failed(tui, _("the lab failed"), err);
		lesson_actions_refresh_view(tui);
		return false;
	}
	if (result > 0)
		return false;
	tui->half = 1;
	lesson_actions_refresh_view(tui);
	return true;
}

/* Forward by stepping; backward by re-running from a fresh sandbox. The
 * step lands whole (its second part when it has two). */
static void go_to_step(struct tui *tui, size_t target)
{
	char *err = NULL;
	quiz_panel_close(tui);
	size_t done = session_steps_done(tui->session);
	if (target > tui->view.step_count)
		target = tui->view.step_count;
	if (target < done) {
		tui->trace_rewind = true;   /* the log starts again */
		if (session_goto(tui->session, target, &err) < 0)
			lab_failed(tui, _("could not re-run the lesson"), err);
	} else {
		while (done < target && !*signals_flag()) {
			int result = session_step(tui->session, &err);
			if (result < 0) {
				lab_failed(tui, _("the lab failed"), err);
				break;
			}
			if (result > 0)
				break;
			done++;
		}
	}
	tui->half = 2;
	lesson_actions_refresh_view(tui);
}

void lesson_actions_go_to(struct tui *tui, size_t steps_done)
{
	go_to_step(tui, steps_done);
}

static void lesson_next(struct tui *tui)
{
	if (quiz_panel_before_step(tui))
		return;   /* predict first */
	if (!lesson_actions_advance(tui) && !tui->message[0])
		tui_message(tui, "%s",
			    _("that was the last step: b goes back, r restarts, q quits"));
}

static void lesson_back(struct tui *tui)
{
	size_t step = tui->view.step;
	if (step == 0) {
		tui_message(tui, "%s", _("this is the start: space runs the first step"));
		return;
	}
	go_to_step(tui, step - 1);
	if (step == 1 && !tui->message[0])
		tui_message(tui, "%s",
			    _("back to the start, before step 1 (a fresh sandbox): space runs "
			      "step 1 again"));
}

static void lesson_restart(struct tui *tui)
{
	char *err = NULL;
	quiz_panel_close(tui);
	tui->trace_rewind = true;
	if (session_restart(tui->session, &err) < 0)
		lab_failed(tui, _("could not restart"), err);
	tui->half = 1;
	lesson_actions_refresh_view(tui);
}

static void lesson_first(struct tui *tui)
{
	lesson_restart(tui);
}

static void lesson_last(struct tui *tui)
{
	go_to_step(tui, tui->view.step_count);
}

static void lesson_autoplay(struct tui *tui)
{
	if (tui->quiz.on && !tui->autoplay) {
		/* Autoplay would step past the questions without waiting for an answer. */
		tui_message(tui, "%s",
			    _("predict mode asks before each step, and autoplay would not wait: p "
			      "turns it off first"));
		return;
	}
	tui->autoplay = !tui->autoplay;
	if (tui->autoplay)
		tui->autoplay_due_ms = tui_now_ms() + (uint64_t)tui->autoplay_ms;
}

static void change_pace(struct tui *tui, int numerator, int denominator)
{
	int pace = tui->autoplay_ms * numerator / denominator;
	pace = pace < AUTOPLAY_FASTEST_MS    ? AUTOPLAY_FASTEST_MS
		: pace > AUTOPLAY_SLOWEST_MS ? AUTOPLAY_SLOWEST_MS
					     : pace;
	tui->autoplay_ms = pace;
	if (tui->autoplay)
		tui->autoplay_due_ms = tui_now_ms() + (uint64_t)pace;
	else
		tui_message(tui, _("autoplay pace: a step every %d.%d s (a starts it)"),
			    pace / 1000, pace % 1000 / 100);
}

static void lesson_faster(struct tui *tui)
{
	change_pace(tui, 2, 3);
}

static void lesson_slower(struct tui *tui)
{
	change_pace(tui, 3, 2);
}

static void lesson_goto(struct tui *tui)
{
	tui->prompt_open = true;
	tui->prompt[0] = '\0';
}

bool lesson_actions_prompt_key(struct tui *tui, int key)
{
	if (!tui->prompt_open)
		return false;
	size_t len = strlen(tui->prompt);
	if (key >= '0' && key <= '9') {
		if (len + 1 < sizeof tui->prompt) {
			tui->prompt[len] = (char)key;
			tui->prompt[len + 1] = '\0';
		}
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (len)
			tui->prompt[len - 1] = '\0';
	} else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		tui->prompt_open = false;
		if (len)
			go_to_step(tui, strtoul(tui->prompt, NULL, 10));
	} else if (key == 27 || key == 'q' || key == 7 /* Ctrl-G */) {
		tui->prompt_open = false;
	}
	return true;
}

/* Tab walks the panes: none, the first side, the second, ... none. */
static void focus_step(struct tui *tui, int direction)
{
	int count = tui->view.side_count;
	int focus = tui->focus_side + direction;
	if (focus >= count)
		focus = -1;
	if (focus < -1)
		focus = count - 1;
	tui->focus_side = focus;
	tui->selected = 0;
	lesson_actions_refresh_view(tui);
}

static void lesson_focus(struct tui *tui)
{
	focus_step(tui, 1);
}

static void lesson_focus_back(struct tui *tui)
{
	focus_step(tui, -1);
}

/* The next side into the second pane (lessons with three sides or more);
 * a focused side moves with it. */
static void lesson_switch_side(struct tui *tui)
{
	int count = tui->view.side_count;
	if (count < 3) {
		tui_message(tui,
			    ngettext("this lesson has %d side: each has its pane",
				     "this lesson has %d sides: each has its pane",
				     (unsigned long)count),
			    count);
		return;
	}
	int next = tui->right_side + 1 < count ? tui->right_side + 1 : 1;
	tui->chosen_side = next;
	if (tui->focus_side >= 1) {
		tui->focus_side = next;
		tui->selected = 0;
	}
	lesson_actions_refresh_view(tui);
}

/* --hold: the student lets each segment go (or drops it), between steps. */
static void wire_next(struct tui *tui, bool drop)
{
	const struct run_info *info = session_info(tui->session);
	if (!info->unchecked) {
		tui_message(tui, "%s",
			    info->held[0] ? info->held
				    : tui->lesson->hold_segments
				    ? _("this lesson lets segments go in its own steps (space)")
				    : _("nothing is held: run the lesson with --hold"));
		return;
	}
	char *err = NULL;
	int result = session_wire_next(tui->session, drop, &err);
	if (result < 0) {
		lab_failed(tui, _("the lab failed"), err);
		return;
	}
	if (result > 0) {
		tui_message(tui, "%s", _("no segment is held now: space takes the next step"));
		return;
	}
	tui->half = 2;
	lesson_actions_refresh_view(tui);
}

static void lesson_release(struct tui *tui)
{
	wire_next(tui, false);
}

static void lesson_drop(struct tui *tui)
{
	wire_next(tui, true);
}

static void lesson_predict(struct tui *tui)
{
	if (tui->play) {
		tui_message(tui, "%s",
			    _("free play has no lesson to predict: run socklab run --quiz LESSON"));
		return;
	}
	tui->quiz.on = !tui->quiz.on;
	quiz_panel_close(tui);
	tui->autoplay = false;
	tui_message(tui, "%s",
		    tui->quiz.on ? _(
			    "predict mode: space asks what the next step will do before it runs")
				 : _("predict mode off: space steps"));
}

static void lesson_up(struct tui *tui)
{
	if (tui->focus_side < 0)
		tui_message(tui, "%s",
			    _("Tab focuses a pane; then Up and Down select its sockets"));
	else if (tui->selected > 0)
		tui->selected--;
}

static void lesson_down(struct tui *tui)
{
	if (tui->focus_side < 0) {
		tui_message(tui, "%s",
			    _("Tab focuses a pane; then Up and Down select its sockets"));
		return;
	}
	if (tui->selected + 1 < view_side_sockets(&tui->view, tui->focus_side, NULL, 0))
		tui->selected++;
}

static void lesson_open_details(struct tui *tui)
{
	if (tui->focus_side < 0) {
		tui_message(tui, "%s",
			    _("Tab focuses a pane; Enter then shows the selected socket"));
		return;
	}
	size_t indexes[256];
	size_t count = view_side_sockets(&tui->view, tui->focus_side, indexes, 256);
	if (count == 0 || tui->selected >= count || tui->selected >= 256) {
		tui_message(tui, "%s", _("no socket here to show"));
		return;
	}
screen_details_open(tui, tui->view.snapshot->sockets[indexes[tui->selected]]);
}

static void lesson_text(struct tui *tui)
{
	const struct lesson_view *view = &tui->view;
	char title[160];
	snprintf(title, sizeof title, _("step %zu/%zu: the whole explanation"), view->step,
		 view->step_count);
	page_clear(&tui->page, title);
	page_add(&tui->page, "%s", "");
	if (view->step > 0 && view->step <= tui->lesson->step_count) {
		const struct lesson_step *step = &tui->lesson->steps[view->step - 1];
		page_add(&tui->page, "  %s: %s", view->info->sides[step->call.side],
			 step->call.text);
		page_add(&tui->page, "%s", "");
	}
	const struct lesson_step *shown = view->step > 0 && view->step <= tui->lesson->step_count
						  ? &tui->lesson->steps[view->step - 1] : NULL;
	if (shown && view->half == 2 && shown->then_say && shown->say) {
		/* Part 2 of a step: what part 1 said, then part 2's own words. */
		page_add_wrapped(&tui->page, "  ", shown->say, COLS - 2);
		page_add(&tui->page, "%s", "");
	}
	page_add_wrapped(&tui->page, "  ",
			 view->say ? view->say : _("(this step has no explanation)"), COLS - 2);
	if (view->python) {
		page_add(&tui->page, "%s", "");
		page_add(&tui->page, "  python  %s", view->python);
	}
	for (size_t i = 0; i < view->failure_count; i++) {
		page_add(&tui->page, "%s", "");
		page_add_wrapped(&tui->page, _("  FAILED  "), view->failures[i], COLS - 2);
	}
	for (size_t i = 0; i < view->evidence_count; i++) {
		page_add(&tui->page, "%s", "");
		page_add_wrapped(&tui->page, _("  why:  "), view->evidence[i], COLS - 2);
	}
	/* What the kernel's timers did meanwhile, in full. */
	for (size_t e = 0; e < view->step_event_count; e++) {
		const struct lab_event *event = &view->step_events[e];
		for (size_t i = 0; i < event->timer_ended_count; i++) {
			page_add(&tui->page, "%s", "");
			page_add_wrapped(&tui->page, _("  timer  "),
					 lab_event_timer_ended_shown(event, i), COLS - 2);
		}
		if (event->resent[0]) {
			page_add(&tui->page, "%s", "");
			page_add_wrapped(&tui->page, _("  resent  "), lab_event_resent_shown(event),
					 COLS - 2);
		}
		if (event->probe_note[0]) {
			page_add(&tui->page, "%s", "");
			page_add_wrapped(&tui->page, _("  probe  "), event->probe_note, COLS - 2);
		}
	}
	/* Every packet in full, which the wire row only names. */
	if (view->step_packet_count)
		page_add(&tui->page, "%s", "");
	for (size_t e = 0; e < view->step_event_count; e++) {
		const struct lab_event *event = &view->step_events[e];
		for (size_t k = 0; k < event->packet_count; k++) {
			const struct wire_packet *packet = &event->packets[k];
			char label[200];
			ladder_packet_label(packet, LABEL_PAYLOAD, label, sizeof label);
			int from = packet->from_side, to = packet->to_side;
			page_add(&tui->page, _("  wire  %s -> %s  %s"),
				 from >= 0 && from < view->side_count ? view->info->sides[from]
								      : "?",
				 to >= 0 && to < view->side_count ? view->info->sides[to] : "?",
				 label);
		}
	}
	if (view->held[0]) {
		page_add(&tui->page, "%s", "");
		page_add_wrapped(&tui->page, _("  held  "), view->held, COLS - 2);
	}
}

static void lesson_close_focus(struct tui *tui)
{
	tui->focus_side = -1;
	lesson_actions_refresh_view(tui);
}

static void lesson_quit(struct tui *tui)
{
	if (tui->from_menu)
		lesson_actions_close(tui);
	else
		tui->quit = true;
}

/* e exports the ladder (screen_ladder.c): say how to get there. */
static void lesson_export_hint(struct tui *tui)
{
	tui_message(tui, "%s", _("e exports the ladder as SVG: w shows it first"));
}

static void lesson_redraw(struct tui *tui)
{
	clearok(curscr, TRUE);
	(void)tui;
}

const tui_handler lesson_actions_handlers[ACTION_COUNT] = {
	[ACTION_NEXT] = lesson_next,
	[ACTION_BACK] = lesson_back,
	[ACTION_RESTART] = lesson_restart,
	[ACTION_AUTOPLAY] = lesson_autoplay,
	[ACTION_FASTER] = lesson_faster,
	[ACTION_SLOWER] = lesson_slower,
	[ACTION_GOTO] = lesson_goto,
	[ACTION_FIRST] = lesson_first,
	[ACTION_LAST] = lesson_last,
	[ACTION_FOCUS] = lesson_focus,
	[ACTION_FOCUS_BACK] = lesson_focus_back,
	[ACTION_SWITCH_SIDE] = lesson_switch_side,
	[ACTION_PREDICT] = lesson_predict,
	[ACTION_RELEASE] = lesson_release,
	[ACTION_DROP] = lesson_drop,
	[ACTION_UP] = lesson_up,
	[ACTION_DOWN] = lesson_down,
	[ACTION_OPEN] = lesson_open_details,
	[ACTION_TEXT] = lesson_text,
	[ACTION_WIRE] = screen_ladder_toggle,
	[ACTION_CLOSE] = lesson_close_focus,
	[ACTION_QUIT] = lesson_quit,
	[ACTION_REDRAW] = lesson_redraw,
	[ACTION_EXPORT] = lesson_export_hint,
};

int lesson_actions_timeout_ms(const struct tui *tui)
{
	uint64_t due = 0;
	if (tui->screen != SCREEN_LESSON || tui->page.open)
		return -1;
	if (tui->autoplay)
		due = tui->autoplay_due_ms;
	if (tui->refresh_due_ms && (!due || tui->refresh_due_ms < due))
		due = tui->refresh_due_ms;
	if (!due)
		return -1;
	uint64_t now = tui_now_ms();
	return due <= now ? 0 : (int)(due - now);
}

void lesson_actions_on_timeout(struct tui *tui)
{
	uint64_t now = tui_now_ms();
	if (tui->autoplay && tui->autoplay_due_ms <= now) {
		if (!lesson_actions_advance(tui))
			tui->autoplay = false;
		tui->autoplay_due_ms = now + (uint64_t)tui->autoplay_ms;
	}
	if (tui->refresh_due_ms && tui->refresh_due_ms <= now) {
		char *err = NULL;
		tui->refresh_due_ms = 0;
		if (session_refresh(tui->session, &err) < 0)
			lab_failed(tui, _("could not read the kernel"), err);
		lesson_actions_refresh_view(tui);
	}
}
