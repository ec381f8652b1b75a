/* view — the lesson screen's model: a position in the session's log. */
#include "view.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "plain.h"
#include "text.h"
#include "i18n.h"

void view_init(struct lesson_view *view)
{
	memset(view, 0, sizeof *view);
	view->next_side = -1;
}

void view_done(struct lesson_view *view)
{
	free(view->call_storage);
	free(view->failures);
	view_init(view);
}

static const char *side_name(const struct run_info *info, int side)
{
	return side >= 0 && side < info->side_count ? info->sides[side] : "?";
}

static int reserve(struct lesson_view *view, size_t calls, size_t failures)
{
	if (calls > view->call_capacity) {
		struct view_call *grown = realloc(view->call_storage, calls * sizeof *grown);
		if (!grown)
			return -1;
		view->call_storage = grown;
		view->call_capacity = calls;
	}
	if (failures > view->failure_capacity) {
		const char **grown = realloc(view->failures, failures * sizeof *grown);
		if (!grown)
			return -1;
		view->failures = grown;
		view->failure_capacity = failures;
	}
	return 0;
}

/* The events on screen: every step before the one shown, and of that step
 * all of it, or (half 1 of 2) everything but the woken calls. */
static bool event_shown(const struct lab_event *event, size_t step, int half, int half_count)
{
	if (event->step < step)
		return true;
	if (event->step > step)
		return false;
	return !(half < half_count && event->kind == EVENT_WOKE);
}

bool view_event_shown(const struct lesson_view *view, const struct lab_event *event)
{
	return event_shown(event, view->step, view->half, view->half_count);
}

/* The label of a row made by process `who` ("client/child1": "child1: ";
 * the main process of a side of several: "main: "). */
static void label_row(struct view_call *call, const char *who)
{
	const char *slash = strchr(who, '/');
	snprintf(call->labelled, sizeof call->labelled, "%s: %s", slash ? slash + 1 : "main",
		 call->text);
	call->text = call->labelled;
}

/* The notes of `side` that go before event `before` (SIZE_MAX: those
 * after the last event), as rows of their own. */
static void add_notes(const struct lesson_view *view, struct view_side *pane, int side,
		      size_t before, size_t count)
{
	for (size_t n = 0; n < view->note_count; n++) {
		const struct view_note *note = &view->notes[n];
		size_t at = note->before_event < count ? note->before_event : SIZE_MAX;
		if (note->side != side || at != before)
			continue;
		struct view_call *call = &pane->calls[pane->call_count++];
		memset(call, 0, sizeof *call);
		call->text = note->text;
		call->note = true;
		if (strchr(note->who, '/'))
			label_row(call, note->who);
		snprintf(call->result, sizeof call->result, "runs a new program");
	}
}

/* Calls of one side, in order; a woken call replaces its blocked line, so
 * the pane shows it returning where it was made. A note (an exec) is a row
 * of its own where it happened. */
static void collect_calls(struct lesson_view *view, const struct lab_event *events, size_t count,
			  int side, size_t *used)
{
	struct view_side *pane = &view->sides[side];
	pane->calls = view->call_storage + *used;
	pane->call_count = 0;
	for (size_t i = 0; i < count; i++) {
		add_notes(view, pane, side, i, count);
		const struct lab_event *event = &events[i];
		if (event->side != side
		    || !event_shown(event, view->step, view->half, view->half_count))
			continue;
		struct view_call *call = NULL;
		if (event->kind == EVENT_WOKE)
			for (size_t k = pane->call_count; k-- > 0 && !call;)
				if (pane->calls[k].blocked)
					call = &pane->calls[k];
		if (!call) {
			call = &pane->calls[pane->call_count++];
			memset(call, 0, sizeof *call);
		}
		call->text = event->text ? event->text : "?";
		if (event->who[0])
			label_row(call, event->who);   /* the process, after the side's name */
		call->blocked = event->kind == EVENT_BLOCKED;
		call->woke = event->kind == EVENT_WOKE && event->step == view->step;
		call->latest = event->step == view->step && view->step > 0;
		call->failed = event->failure_count > 0 && event->step == view->step;
		if (call->blocked)
			snprintf(call->result, sizeof call->result, "%s", _("... blocked"));
		else
			plain_format_result(event, call->result, sizeof call->result);
	}
	add_notes(view, pane, side, SIZE_MAX, count);
	*used += pane->call_count;
	size_t last = pane->call_count;
	while (last > 0 && pane->calls[last - 1].note)
		last--;
	pane->blocked = last > 0 && pane->calls[last - 1].blocked;
}

/* What free play shows before the first call, in place of a lesson's intro. */
static const char *const free_play_intro =
	N_("Free play: type calls for either side in the lessons' grammar, side: [name =] "
	   "call(arguments), and each runs on the real kernel as a lesson's step does. A blocking "
	   "call blocks; the other side stays yours. Tab completes, Up recalls earlier lines, w "
	   "FILE writes what you played as a lesson.");

/* Free play has no next step: say which sides may call, and why not the others. */
static void describe_free_play(struct lesson_view *view)
{
	size_t length = 0, size = sizeof view->next;
	int free_sides = 0, listed = 0;
	for (int s = 0; s < view->side_count; s++)
		free_sides += !view->sides[s].blocked;
	/* The sides that may call ("client, server2 or server"), then one sentence. */
	char sides[sizeof view->next] = "";
	size_t at = 0;
	for (int s = 0; s < view->side_count && at < sizeof sides; s++) {
		if (view->sides[s].blocked)
			continue;
		listed++;
		at += (size_t)snprintf(sides + at, sizeof sides - at, "%s%s",
				       listed == 1                    ? ""
					       : listed == free_sides ? _(" or ")
								      : ", ",
				       view->sides[s].name);
	}
	if (free_sides)
		length = (size_t)snprintf(view->next, size, _("a call on %s"), sides);
	else
		length = (size_t)snprintf(view->next, size, "%s",
					  _("every side sleeps in the kernel"));
	for (int s = 0; s < view->side_count && length < size; s++) {
		const struct view_side *side = &view->sides[s];
		if (side->blocked)
			length += (size_t)snprintf(view->next + length, size - length,
						   _("; %s is blocked in %s"), side->name,
						   side->calls[side->call_count - 1].text);
	}
}

static void describe_next(struct lesson_view *view, const struct lab_event *events, size_t count)
{
	const struct lesson *lesson = view->lesson;
	const struct run_info *info = view->info;
	size_t length = 0;
	view->next[0] = '\0';
	view->next_side = -1;
	if (view->half < view->half_count) {
		view->next_is_wake = true;
		/* The woken calls ("server's conn = accept(s) and ..."), then one sentence. */
		char woken[sizeof view->next] = "";
		for (size_t i = 0; i < count && length < sizeof woken; i++) {
			if (events[i].step != view->step || events[i].kind != EVENT_WOKE)
				continue;
			if (length)
				length += (size_t)snprintf(woken + length, sizeof woken - length,
							   "%s", _(" and "));
			if (length < sizeof woken)
				length += (size_t)snprintf(woken + length, sizeof woken - length,
							   _("%s's %s"),
							   side_name(info, events[i].side),
							   events[i].text ? events[i].text
									  : _("call"));
		}
		snprintf(view->next, sizeof view->next, _("the kernel will now wake %s"), woken);
		return;
	}
	if (view->free_play) {
		describe_free_play(view);
		return;
	}
	if (view->stepping)
		return;   /* view_describe_programs says */
	if (view->step >= lesson->step_count) {
		view->at_end = true;
		if (view->failures_total)
			snprintf(view->next, sizeof view->next,
				 ngettext("the end: %zu expectation failed (r restarts)",
					  "the end: %zu expectations failed (r restarts)",
					  view->failures_total),
				 view->failures_total);
		else
			snprintf(view->next, sizeof view->next, "%s",
				 _("the end: every expectation met (r restarts, q quits)"));
		return;
	}
	const struct typed_call *call = &lesson->steps[view->step].call;
	view->next_side = call->side;
	length = (size_t)snprintf(view->next, sizeof view->next, "%s: %s",
				  side_name(info, call->side), call->text);
	/* release() and drop() are the lab's, not the side's: a blocked side's
	 * segment is what they let go. */
	bool wire_call = call->def && call->def->wire;
	if (call->side >= 0 && call->side < view->side_count && view->sides[call->side].blocked
	    && !wire_call && length < sizeof view->next)
		snprintf(view->next + length, sizeof view->next - length,
			 _("   (%s is blocked: it cannot make this call)"),
			 side_name(info, call->side));
}

int view_update(struct lesson_view *view, const struct session *session, int half)
{
	static const struct lab_snapshot empty = { 0 };
	size_t count;
	const struct lab_event *events = session_events(session, &count);
	view->lesson = session_lesson(session);
	view->info = session_info(session);
	view->step = session_steps_done(session);
	view->step_count = view->lesson->step_count;
	view->side_count = view->info->side_count;
	view->failures_total = session_failure_count(session);
	view->at_end = false;
	view->next_is_wake = false;
	view->failure_count = 0;
	view->step_events = NULL;
	view->step_event_count = 0;
	view->step_packet_count = 0;
	view->wire_note = "";
	view->held = "";

	size_t step_failures = 0;
	view->half_count = 1;
	for (size_t i = count; i-- > 0 && events[i].step == view->step;) {
		if (events[i].kind == EVENT_WOKE)
			view->half_count = 2;
		step_failures += events[i].failure_count;
	}
	view->half = half < 1 ? 1 : half > view->half_count ? view->half_count : half;

	if (reserve(view, count + view->note_count + 1, step_failures ? step_failures : 1) < 0) {
		for (int s = 0; s < LESSON_MAX_SIDES; s++)
			view->sides[s] = (struct view_side){ .name = "" };
		view->snapshot = &empty;
		return -1;
	}
	size_t used = 0;
	for (int s = 0; s < view->side_count; s++) {
		view->sides[s].name = view->info->sides[s];
		view->sides[s].output[0] = '\0';
		view->sides[s].program = NULL;
		collect_calls(view, events, count, s, &used);
	}

	/* The snapshot of the last event shown; the live one when that is the
	 * session's latest, so TIME-WAIT's countdown shows. */
	view->snapshot = &empty;
	view->live = false;
	for (size_t i = count; i-- > 0;) {
		if (!event_shown(&events[i], view->step, view->half, view->half_count))
			continue;
		view->snapshot = &events[i].snapshot;
		if (i == count - 1) {
			view->snapshot = session_snapshot(session);
			view->live = true;
		}
		break;
	}
	/* The timer kind, not the time left: a TIME-WAIT socket whose timer
	 * reads 0 stays listed until the kernel's timer wheel gets to it. */
	view->has_timer = false;
	view->soonest_timer_ms = 0;
	for (size_t i = 0; i < view->snapshot->count; i++) {
		const struct lab_socket *socket = view->snapshot->sockets[i];
		if (!socket->timer)
			continue;
		if (!view->has_timer || socket->timer_ms < view->soonest_timer_ms)
			view->soonest_timer_ms = socket->timer_ms;
		view->has_timer = true;
	}
	for (int s = 0; s < view->side_count; s++)
		view->sides[s].socket_count = view_side_sockets(view, s, NULL, 0);

	size_t step_start = count;
	while (step_start > 0 && events[step_start - 1].step == view->step)
		step_start--;
	/* no arithmetic on an empty log's NULL */
	view->step_events = count ? events + step_start : NULL;
	for (size_t i = step_start; i < count && view->step > 0; i++) {
		if (!event_shown(&events[i], view->step, view->half, view->half_count))
			break;
		view->step_event_count++;
		view->step_packet_count += events[i].packet_count;
		view->held = lab_event_held_shown(&events[i]);
	}
	view->wire_note = view->info->wire;
	for (size_t i = 0;
	     i < view->step_event_count && !view->wire_note[0] && !view->step_packet_count; i++) {
		const char *silence = lab_event_wire_silence(&view->step_events[i]);
		if (silence)
			view->wire_note = _(silence);
	}
	for (size_t i = step_start; i < count; i++)
		for (size_t k = 0; k < events[i].failure_count; k++)
			view->failures[view->failure_count++] =
				lab_event_failure_shown(&events[i], k);
	view->evidence_count = 0;
	for (size_t i = step_start; i < count && view->evidence_count < VIEW_EVIDENCE_MAX; i++)
		if (event_shown(&events[i], view->step, view->half, view->half_count)
		    && evidence_explain(view->info, events, i, view->evidence[view->evidence_count],
					sizeof view->evidence[0]))
			view->evidence_count++;
	/* What a call did that its rows alone do not say (a close with another holder). */
	for (size_t i = step_start; i < count && view->evidence_count < VIEW_EVIDENCE_MAX; i++)
		if (event_shown(&events[i], view->step, view->half, view->half_count)
		    && events[i].aside != ASIDE_NONE)
			lab_event_aside_text(&events[i], view->evidence[view->evidence_count++],
					     sizeof view->evidence[0]);

	view->source_label = "python";
	if (view->stepping) {
		view->say = view->python = NULL;   /* view_describe_programs says */
	} else if (view->step == 0) {
		view->say = view->lesson->intro ? view->lesson->intro
			: view->free_play       ? _(free_play_intro)
						: NULL;
		view->python = NULL;
	} else {
		const struct lesson_step *step = &view->lesson->steps[view->step - 1];
		/* Part 2 of a step that woke a call has its own words, when the
		 * lesson gives them. */
		view->say = view->half == 2 && step->then_say ? step->then_say : step->say;
		view->python = view->lesson->steps[view->step - 1].python;
		/* A typed call has no Python of its own: the catalog's shows its shape. */
		if (!view->python && view->free_play
		    && view->lesson->steps[view->step - 1].call.def)
			view->python = view->lesson->steps[view->step - 1].call.def->python;
	}
	describe_next(view, events, count);
	return 0;
}

/* One program, in words: where it is. */
static int describe_program(char *out, size_t size, const struct stepper_side *side, bool chosen)
{
	switch (side->state) {
	case STEPPER_HELD:
		return chosen
			? snprintf(out, size, _("%s waits before the call below."), side->name)
			: snprintf(out, size, _("%s waits before %s."), side->name, side->next);
	case STEPPER_BLOCKED:
		return snprintf(
			out, size,
			_("%s is blocked in %s: the kernel wakes it when the other side acts."),
			side->name, side->next);
	case STEPPER_ASLEEP:
		if (side->asleep_in_call)
			return snprintf(out, size,
					_("%s sleeps outside the socket calls (asleep in %s)."),
					side->name, side->message);
		return snprintf(out, size, _("%s sleeps outside the socket calls."), side->name);
	case STEPPER_OVER:
		return snprintf(out, size, _("%s %s."), side->name, side->message);
	case STEPPER_RUNNING:
		break;
	}
	return snprintf(out, size, _("%s runs."), side->name);
}

void view_describe_programs(struct lesson_view *view, const struct stepper *stepper, int chosen)
{
	char *say = view->programs_say;
	size_t size = sizeof view->programs_say, length = 0;
	say[0] = '\0';
	bool over = true;
	for (int s = 0; s < STEPPER_SIDES && length < size; s++) {
		const struct stepper_side *side = stepper_side(stepper, s);
		over &= side->state == STEPPER_OVER;
		int written = describe_program(say + length, size - length, side, s == chosen);
		length = written < 0 || (size_t)written >= size - length ? size - 1
									 : length + (size_t)written;
		text_append(say, size, &length, " ");
	}
	/* What each program printed goes to its pane, the tail that is newest. */
	for (int s = 0; s < STEPPER_SIDES && s < view->side_count; s++) {
		const struct stepper_side *side = stepper_side(stepper, s);
		view->sides[s].program = side->command;
		size_t shown = side->output_len > 48 ? 48 : side->output_len;
		text_escape((const unsigned char *)side->output + side->output_len - shown, shown,
			    view->sides[s].output, sizeof view->sides[s].output);
	}
	for (int s = 0; s < STEPPER_SIDES && length < size; s++) {
		const struct stepper_side *side = stepper_side(stepper, s);
		if (side->startup_calls)
			length += (size_t)snprintf(
				say + length, size - length,
				ngettext("(%s: %zu socket call of the interpreter's own start-up "
					 "ran unstopped, before the program's first line.) ",
					 "(%s: %zu socket calls of the interpreter's own start-up "
					 "ran unstopped, before the program's first line.) ",
					 side->startup_calls),
				side->name, side->startup_calls);
	}
	view->say = say;
	const struct stepper_side *next = stepper_side(stepper, chosen);
	view->source_label = _("line");
	view->python = next && next->state == STEPPER_HELD && next->line[0] ? next->line : NULL;
	view->next_side = -1;
	view->next_held = 0;
	view->at_end = over;
	if (over)
		snprintf(view->next, sizeof view->next, "%s",
			 _("both programs are over (r runs them again, q quits)"));
	else if (next && next->state == STEPPER_HELD) {
		/* Which task the next key releases, and how many more wait. */
		view->next_side = chosen;
		view->next_held = next->held_count;
		const struct stepper_task *task =
			&next->held[next->chosen < next->held_count ? next->chosen : 0];
		char others[96] = "";
		if (next->held_count > 1)
			snprintf(others, sizeof others,
				 _("  (%zu of %zu held: Tab or Up/Down picks)"), next->chosen + 1,
				 next->held_count);
		snprintf(view->next, sizeof view->next, "%.32s: %.300s%s",
			 task->who[0] ? task->who : next->name, next->next, others);
	} else if (next)
		snprintf(view->next, sizeof view->next,
			 _("%s holds no call now (c: the other program)"), next->name);
}

size_t view_side_sockets(const struct lesson_view *view, int side, size_t *indexes, size_t max)
{
	size_t found = 0;
	for (size_t i = 0; i < view->snapshot->count; i++) {
		int owner = view->snapshot->sockets[i]->side;
		bool placed = owner >= 0 && owner < view->side_count;
		if (side >= 0 ? owner != side : placed)
			continue;
		if (found < max)
			indexes[found] = i;
		found++;
	}
	return found;
}

void view_lesson_number(const char *lesson_name, char *number, size_t number_size,
			const char **rest)
{
	size_t digits = 0;
	while (isdigit((unsigned char)lesson_name[digits]))
		digits++;
	if (digits == 0 || (lesson_name[digits] != '-' && lesson_name[digits] != '\0')) {
		if (number_size)
			number[0] = '\0';
		*rest = lesson_name;
		return;
	}
	snprintf(number, number_size, "%.*s", (int)digits, lesson_name);
	*rest = lesson_name[digits] == '-' ? lesson_name + digits + 1 : lesson_name + digits;
}
