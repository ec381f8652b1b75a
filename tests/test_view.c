/* Tests of view (lab/tui/view.c), the lesson screen's model: which events
 * a position shows, the two halves of a step that woke a blocked call,
 * each pane's calls, the snapshot to draw and the next key's words. The
 * live tests run a real session on the host path (the Criterion worker is
 * threaded, so it cannot enter a user namespace), on a port of their own.
 * No curses.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host_port.h"
#include "lesson.h"
#include "sandbox.h"
#include "session.h"
#include "view.h"

/* ---- without a kernel -------------------------------------------------- */

Test(view, shows_every_earlier_step_and_no_later_one)
{
	struct lesson_view view = { .step = 3, .half = 1, .half_count = 1 };
	struct lab_event earlier = { .step = 2, .kind = EVENT_RETURNED };
	struct lab_event now = { .step = 3, .kind = EVENT_RETURNED };
	struct lab_event later = { .step = 4, .kind = EVENT_RETURNED };
	cr_assert(view_event_shown(&view, &earlier));
	cr_assert(view_event_shown(&view, &now));
	cr_assert_not(view_event_shown(&view, &later));
}

Test(view, keeps_a_woken_call_for_the_second_half_of_its_step)
{
	struct lesson_view view = { .step = 3, .half = 1, .half_count = 2 };
	struct lab_event call = { .step = 3, .kind = EVENT_RETURNED };
	struct lab_event woke = { .step = 3, .kind = EVENT_WOKE };
	struct lab_event woke_before = { .step = 2, .kind = EVENT_WOKE };
	cr_assert(view_event_shown(&view, &call));
	cr_assert_not(view_event_shown(&view, &woke));
	cr_assert(view_event_shown(&view, &woke_before));
	view.half = 2;
	cr_assert(view_event_shown(&view, &woke));
}

Test(view, lists_a_sides_sockets_and_those_no_side_holds)
{
	struct lab_socket sockets[] = {
		{ .side = 1 }, { .side = 0 }, { .side = -1 }, { .side = 1 }, { .side = 7 }
	};
	const struct lab_socket *rows[] = { &sockets[0], &sockets[1], &sockets[2], &sockets[3],
					    &sockets[4] };
	struct lab_snapshot snapshot = { .sockets = rows, .count = 5 };
	struct lesson_view view = { .snapshot = &snapshot, .side_count = 2 };
	size_t indexes[4];
	cr_assert_eq(view_side_sockets(&view, 1, indexes, 4), 2);
	cr_assert_eq(indexes[0], 0);
	cr_assert_eq(indexes[1], 3);
	cr_assert_eq(view_side_sockets(&view, 0, indexes, 4), 1);
	cr_assert_eq(indexes[0], 1);
	/* -1: the sockets the lab cannot place, a side out of range among them. */
	cr_assert_eq(view_side_sockets(&view, -1, indexes, 4), 2);
	cr_assert_eq(indexes[0], 2);
	cr_assert_eq(indexes[1], 4);
	/* Counting alone: */
	cr_assert_eq(view_side_sockets(&view, 1, NULL, 0), 2);
}

Test(view, splits_a_lesson_name_into_number_and_rest)
{
	char number[8];
	const char *rest;
	view_lesson_number("01-echo", number, sizeof number, &rest);
	cr_assert_str_eq(number, "01");
	cr_assert_str_eq(rest, "echo");
	view_lesson_number("17", number, sizeof number, &rest);
	cr_assert_str_eq(number, "17");
	cr_assert_str_eq(rest, "");
	view_lesson_number("step", number, sizeof number, &rest);
	cr_assert_str_eq(number, "");
	cr_assert_str_eq(rest, "step");
	view_lesson_number("2x-odd", number, sizeof number, &rest);
	cr_assert_str_eq(number, "");
	cr_assert_str_eq(rest, "2x-odd");
}

/* ---- a real session ---------------------------------------------------- */

static struct sandbox sandbox;
static struct lesson *lesson;
static struct session *session;
static struct lesson_view view;

static void start(void)
{
	char text[1024];
	int port = host_test_port();
	snprintf(text, sizeof text,
		 "title: t\n"
		 "step server: ls = socket(AF_INET, SOCK_STREAM)\n"
		 "  say: A socket.\n"
		 "step server: bind(ls, 127.0.0.1:%d)\n"
		 "step server: listen(ls, 5)\n"
		 "step server: conn = accept(ls)\n"
		 "  expect: blocks\n"
		 "step client: c = socket(AF_INET, SOCK_STREAM)\n"
		 "step client: connect(c, 127.0.0.1:%d)\n"
		 "step client: close(c)\n",
		 port, port);
	struct diagnostics diag;
	char *err = NULL;
	diagnostics_init(&diag, "t.lesson");
	lesson = lesson_parse("t.lesson", text, strlen(text), &diag);
	cr_assert_not_null(lesson, "%s", diag.count ? diag.messages[0] : "?");
	diagnostics_done(&diag);
	cr_assert_eq(sandbox_enter(&sandbox, true, &err), 0, "%s", err);
	cr_assert_eq(session_new(&session, lesson, &sandbox, &err), 0, "%s", err);
	view_init(&view);
}

static void finish(void)
{
	view_done(&view);
	view_done(&view); /* safe twice */
	session_free(session);
	lesson_free(lesson);
	sandbox_done(&sandbox);
}

static void step_to(size_t step)
{
	char *err = NULL;
	cr_assert_eq(session_goto(session, step, &err), 0, "%s", err ? err : "?");
	cr_assert_eq(session_steps_done(session), step);
}

Test(view, shows_the_intro_position_before_the_first_step, .init = start, .fini = finish)
{
	cr_assert_eq(view_update(&view, session, 1), 0);
	cr_assert_eq(view.step, 0);
	cr_assert_eq(view.step_count, 7);
	cr_assert_eq(view.side_count, 2);
	cr_assert_str_eq(view.sides[0].name, "server");
	cr_assert_str_eq(view.sides[1].name, "client");
	cr_assert_eq(view.sides[0].call_count, 0);
	cr_assert_eq(view.snapshot->count, 0);
	cr_assert_eq(view.next_side, 0);
	cr_assert(strstr(view.next, "socket") != NULL, "%s", view.next);
	cr_assert_not(view.at_end);
}

Test(view, lists_each_sides_calls_with_their_results, .init = start, .fini = finish)
{
	step_to(3);
	cr_assert_eq(view_update(&view, session, 1), 0);
	cr_assert_eq(view.step, 3);
	cr_assert_eq(view.half_count, 1);
	cr_assert_eq(view.sides[0].call_count, 3);
	cr_assert_str_eq(view.sides[0].calls[0].text, "ls = socket(AF_INET, SOCK_STREAM)");
	cr_assert(strstr(view.sides[0].calls[0].result, "3") != NULL, "%s",
		  view.sides[0].calls[0].result);
	cr_assert(view.sides[0].calls[2].latest);
	cr_assert_not(view.sides[0].calls[0].latest);
	cr_assert_eq(view.sides[1].call_count, 0);
	cr_assert_eq(view.sides[0].socket_count, 1);
	cr_assert(view.live, "the last step's snapshot is the session's latest");
	cr_assert_eq(view.failure_count, 0);
	cr_assert_eq(view.next_side, 0);
}

/* An exec of a stepped program is a row of its pane where it happened,
 * labelled with its process; one after the last event ends the pane, and
 * a blocked call before it still reads blocked. */
Test(view, puts_each_note_among_its_sides_calls_where_it_happened, .init = start, .fini = finish)
{
	step_to(4);
	struct view_note notes[] = {
		{ .side = 0, .before_event = 1, .who = "server/child1", .text = "exec(./server)" },
		{ .side = 0, .before_event = 99, .who = "server", .text = "exec(./other)" },
		{ .side = 1, .before_event = 0, .who = "client", .text = "exec(./client)" },
	};
	view.notes = notes;
	view.note_count = 3;
	cr_assert_eq(view_update(&view, session, 1), 0);
	const struct view_side *server = &view.sides[0];
	cr_assert_eq(server->call_count, 6);
	cr_assert_str_eq(server->calls[0].text, "ls = socket(AF_INET, SOCK_STREAM)");
	cr_assert_str_eq(server->calls[1].text, "child1: exec(./server)");
	cr_assert(server->calls[1].note);
	cr_assert_str_eq(server->calls[1].result, "runs a new program");
	cr_assert(strstr(server->calls[2].text, "bind(") != NULL, "%s", server->calls[2].text);
	cr_assert_str_eq(server->calls[5].text, "exec(./other)");
	cr_assert(server->calls[4].blocked);
	cr_assert(server->blocked, "the row after a blocked call is no call");
	cr_assert_eq(view.sides[1].call_count, 1);
	cr_assert_str_eq(view.sides[1].calls[0].text, "exec(./client)");
}

Test(view, shows_a_blocked_call_then_the_connect_that_wakes_it_in_two_halves, .init = start,
     .fini = finish)
{
	step_to(4);
	cr_assert_eq(view_update(&view, session, 1), 0);
	cr_assert(view.sides[0].blocked);
	cr_assert(view.sides[0].calls[3].blocked);
	cr_assert(strstr(view.sides[0].calls[3].result, "blocked") != NULL, "%s",
		  view.sides[0].calls[3].result);

	step_to(6);
	/* Half 1: connect returned; accept still sleeps, and the connection
	 * waits in the accept queue. */
	cr_assert_eq(view_update(&view, session, 1), 0);
	cr_assert_eq(view.half_count, 2);
	cr_assert_eq(view.half, 1);
	cr_assert(view.sides[0].blocked);
	cr_assert(view.next_is_wake, "%s", view.next);
	cr_assert(strstr(view.next, "wake") != NULL, "%s", view.next);
	size_t half_one_sockets = view.snapshot->count;
	/* Half 2: the woken accept took it: a new fd on the server. */
	cr_assert_eq(view_update(&view, session, 2), 0);
	cr_assert_eq(view.half, 2);
	cr_assert_not(view.sides[0].blocked);
	cr_assert_eq(view.sides[0].call_count, 4, "the woken accept replaces its blocked line");
	cr_assert(view.sides[0].calls[3].woke);
	cr_assert(view.sides[0].calls[3].latest);
	cr_assert_not(view.next_is_wake);
	cr_assert_eq(view.sides[0].socket_count, 2);
	cr_assert_geq(view.snapshot->count, half_one_sockets);
	/* A half out of range is clamped. */
	cr_assert_eq(view_update(&view, session, 9), 0);
	cr_assert_eq(view.half, 2);
}

Test(view, says_when_every_step_ran, .init = start, .fini = finish)
{
	step_to(7);
	cr_assert_eq(view_update(&view, session, 2), 0);
	cr_assert(view.at_end);
	cr_assert_eq(view.next_side, -1);
	cr_assert_eq(view.failures_total, 0);
}
