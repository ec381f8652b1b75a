/* Tests of quiz: the choices of every shipped step hold the lesson's answer
 * exactly once, in an order that does not give it away; predictions of a
 * value, an errno, "blocks" and states are scored against hand-made events
 * (the kernel, not the lesson, is the judge); hints escalate from a nudge
 * that keeps the answer to the answer; and the plain driver, fed from a
 * script through fmemopen, prints the expected transcript and score.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "catalog.h"
#include "lesson.h"
#include "lesson_po.h"
#include "quiz.h"
#include "model.h"

#ifndef SOURCE_DIR
#define SOURCE_DIR "."
#endif

/* ---- helpers ---------------------------------------------------------- */

/* One lesson of every kind of step the tests need. */
static const char test_lesson[] =
	"title: T\n"
	"sides: server client\n"
	"step server: ls = socket(AF_INET, SOCK_STREAM)\n"           /* 1 */
	"  expect: 3\n"
	"step server: bind(ls, 127.0.0.1:65432)\n"                   /* 2 */
	"  expect: 0, server ls BOUND\n"
	"step client: c = socket(AF_INET, SOCK_STREAM)\n"            /* 3 */
	"  expect: fd\n"
	"step client: connect(c, 127.0.0.1:65432)\n"                 /* 4 */
	"  expect: -1 ECONNREFUSED\n"
	"step server: listen(ls, 5)\n"                               /* 5 */
	"  expect: 0, server ls LISTEN\n"
	"step server: conn = accept(ls)\n"                           /* 6 */
	"  expect: blocks\n"
	"step client: connect(c, 127.0.0.1:65432)\n"                 /* 7 */
	"  expect: 0, client c ESTABLISHED, server (accept queue) ESTABLISHED, server ls "
	"LISTEN rq 1\n"
	"  then: server returns fd, server conn ESTABLISHED, server ls LISTEN rq 0\n"
	"step server: recv(conn, 1024)\n"                            /* 8 */
	"  expect: blocks\n"
	"step client: u = socket(AF_INET, SOCK_DGRAM)\n"             /* 9 */
	"  expect: 4\n"
	"step client: bind(u, 127.0.0.1:65433)\n"                    /* 10 */
	"  expect: 0, client u UNCONN\n"
	"step client: getsockopt(c, SOL_SOCKET, SO_ERROR)\n"         /* 11 */
	"  expect: 0, value 111\n"
	"step server: close(ls)\n";                                  /* 12: no expectation */

static struct lesson *parse_lesson(const char *text)
{
	struct diagnostics diag;
	diagnostics_init(&diag, "t.lesson");
	struct lesson *lesson = lesson_parse("t.lesson", text, strlen(text), &diag);
	for (size_t i = 0; i < diag.count; i++)
		cr_log_error("%s", diag.messages[i]);
	cr_assert_not_null(lesson);
	diagnostics_done(&diag);
	return lesson;
}

/* The labels of a step's answers, joined with " | ". */
static const char *answer_labels(const struct quiz_choices *choices)
{
	static char text[512];
	text[0] = '\0';
	for (size_t i = 0; i < choices->answer_count; i++) {
		if (i)
			strcat(text, " | ");
		strcat(text, choices->answers[i].label);
	}
	return text;
}

static int find_answer(const struct quiz_choices *choices, const char *label)
{
	for (size_t i = 0; i < choices->answer_count; i++)
		if (strcmp(choices->answers[i].label, label) == 0)
			return (int)i;
	cr_assert_fail("no answer '%s' among: %s", label, answer_labels(choices));
	return -1;
}

static int find_state(const char *name)
{
	for (size_t i = 0; i < quiz_state_count; i++)
		if (strcmp(quiz_states[i], name) == 0)
			return (int)i;
	cr_assert_fail("no state '%s'", name);
	return -1;
}

/* A socket of the snapshot, as the session ties it to a side. */
static struct lab_socket tcp_socket(int side, const char *name, int state)
{
	struct lab_socket socket = {
		.side = side, .fd = 3, .family = AF_INET, .type = SOCK_STREAM, .state = state
	};
	snprintf(socket.name, sizeof socket.name, "%s", name);
	return socket;
}

/* Row pointers for the events below, kept for the test's life (each
 * test runs in a process of its own). */
static const struct lab_socket *row_pointers[64];
static size_t row_pointer_count;

/* An event as the session records it; the snapshot borrows `sockets`. */
static struct lab_event event_of(enum event_kind kind, long ret, int error,
				 const struct lab_socket *sockets, size_t count)
{
	cr_assert_leq(row_pointer_count + count, sizeof row_pointers / sizeof row_pointers[0]);
	const struct lab_socket **rows = &row_pointers[row_pointer_count];
	for (size_t i = 0; i < count; i++)
		rows[i] = &sockets[i];
	row_pointer_count += count;
	return (struct lab_event){
		.step = 1, .kind = kind, .ret = ret, .error = error,
		.snapshot = { .sockets = count ? rows : NULL, .count = count },
	};
}

static struct quiz_prediction predict(int answer)
{
	struct quiz_prediction prediction;
	quiz_prediction_init(&prediction);
	prediction.answer = answer;
	return prediction;
}

/* The calls the answer and hint tables were written for. */
static const char *const table_calls[] = {
	"socket",     "bind",       "listen",        "accept",      "connect",    "send",
	"sendall",    "recv",       "sendto",        "recvfrom",    "shutdown",   "close",
	"setsockopt", "getsockopt", "getsockname",   "getpeername", "fcntl",      "unlink",
	"poll", "select", "epoll_create1", "epoll_ctl", "epoll_wait",
};

/* Whether the tables have rows for the call (a call added to the catalog
 * since has none: the quiz asks only its states). */
static bool tabled(const struct call_def *def)
{
	for (size_t k = 0; k < sizeof table_calls / sizeof table_calls[0]; k++)
		if (strcmp(table_calls[k], def->name) == 0)
			return true;
	return false;
}

/* ---- choices ------------------------------------------------------------------ */

Test(quiz_choices, offer_what_each_call_can_do)
{
	struct lesson *lesson = parse_lesson(test_lesson);
	struct quiz_choices choices;
	const char *expected[] = {
		[0] = "0 | 3 | 4 | -1 EAFNOSUPPORT | -1 EMFILE | -1 EPROTONOSUPPORT",
		[1] = "0 | -1 EACCES | -1 EADDRINUSE | -1 EINVAL",
		[2] = "0 | 3 | 4 | -1 EAFNOSUPPORT | -1 EMFILE | -1 EPROTONOSUPPORT",
		[3] = "0 | blocks | -1 ECONNREFUSED | -1 EINPROGRESS | -1 EISCONN",
		[4] = "0 | -1 EADDRINUSE | -1 EINVAL | -1 EOPNOTSUPP",
		[5] = "3 | 4 | 5 | blocks | -1 EAGAIN | -1 EINVAL",
		[6] = "0 | blocks | -1 ECONNREFUSED | -1 EINPROGRESS | -1 EISCONN",
		[7] = "0 (the peer closed) | some bytes | blocks | -1 EAGAIN | -1 ECONNRESET",
		[8] = "3 | 4 | 5 | -1 EAFNOSUPPORT | -1 EMFILE | -1 EPROTONOSUPPORT",
		[9] = "0 | -1 EACCES | -1 EADDRINUSE | -1 EINVAL",
		[10] = "value 0 | value 111 (ECONNREFUSED) | -1 EBADF | -1 ENOPROTOOPT",
		[11] = "0 | blocks | -1 EBADF",
	};
	cr_assert_eq(lesson->step_count, sizeof expected / sizeof expected[0]);
	for (size_t i = 0; i < lesson->step_count; i++) {
		quiz_choices(lesson, &lesson->steps[i], &choices);
		cr_assert_str_eq(answer_labels(&choices), expected[i], "step %zu", i + 1);
	}
	lesson_free(lesson);
}

Test(quiz_choices, ask_about_the_sockets_the_step_names)
{
	struct lesson *lesson = parse_lesson(test_lesson);
	struct quiz_choices choices;
	quiz_choices(lesson, &lesson->steps[6], &choices);
	/* server ls is named in expect: and then:, asked once; conn only then:. */
	cr_assert_eq(choices.socket_count, 4);
	cr_assert_str_eq(choices.sockets[0].label, "client c");
	cr_assert_str_eq(choices.sockets[1].label, "server (accept queue)");
	cr_assert_str_eq(choices.sockets[2].label, "server ls");
	cr_assert_str_eq(choices.sockets[3].label, "server conn");
	cr_assert_not(choices.sockets[0].after_wake);
	cr_assert(choices.sockets[3].after_wake);
	quiz_choices(lesson, &lesson->steps[0], &choices);
	cr_assert_eq(choices.socket_count, 0);
	lesson_free(lesson);
}

Test(quiz_choices, do_not_give_away_the_answer_by_its_place)
{
	/* The same call, expected to succeed or to be refused: the same list. */
	const char *head =
		"title: T\nsides: server client\nstep client: c = socket(AF_INET, SOCK_STREAM)\n";
	const char *endings[] = {
		"step client: connect(c, 127.0.0.1:65432)\n  expect: 0\n",
		"step client: connect(c, 127.0.0.1:65432)\n  expect: -1 ECONNREFUSED\n",
		"step client: connect(c, 127.0.0.1:65432)\n  expect: -1 EINPROGRESS\n",
		"step client: connect(c, 127.0.0.1:65432)\n  expect: blocks\n",
		"step client: connect(c, 127.0.0.1:65432)\n",
	};
	char first[512] = "";
	for (size_t i = 0; i < sizeof endings / sizeof endings[0]; i++) {
		char text[512];
		snprintf(text, sizeof text, "%s%s", head, endings[i]);
		struct lesson *lesson = parse_lesson(text);
		struct quiz_choices choices;
		quiz_choices(lesson, &lesson->steps[1], &choices);
		if (i == 0)
			snprintf(first, sizeof first, "%s", answer_labels(&choices));
		cr_assert_str_eq(answer_labels(&choices), first, "ending %zu", i);
		lesson_free(lesson);
	}
}

Test(quiz_choices, always_hold_an_errno_the_table_does_not_list)
{
	struct lesson *lesson =
		parse_lesson("title: T\nsides: server client\n"
			     "step client: c = socket(AF_UNIX, SOCK_STREAM)\n"
			     "step client: connect(c, ./nowhere.sock)\n  expect: -1 ENOENT\n");
	struct quiz_choices choices;
	quiz_choices(lesson, &lesson->steps[1], &choices);
	cr_assert_str_eq(answer_labels(&choices),
			 "0 | blocks | -1 ECONNREFUSED | -1 EINPROGRESS | -1 EISCONN | -1 ENOENT");
	lesson_free(lesson);
}

Test(quiz_choices, count_bytes_sent_and_fds_ready)
{
	struct lesson *lesson = parse_lesson(
		"title: T\nsides: server client\n"
		"step server: ls = socket(AF_INET, SOCK_STREAM)\n  expect: 3\n"
		"step server: poll(0, ls)\n  expect: 0\n"
		"step server: poll(-1, ls)\n  expect: 1\n"
		"step client: c = socket(AF_INET, SOCK_STREAM)\n"
		"step client: send(c, \"Hello\")\n  expect: 5\n"
		"step client: send(c, \"Hello\")\n  expect: 3\n"
		"step server: ep = epoll_create1(0)\n  expect: 4\n"
		"step server: epoll_ctl(ep, EPOLL_CTL_ADD, ls, EPOLLIN)\n  expect: -1 EEXIST\n");
	const char *expected[] = {
		[1] = "0 (nothing ready) | 1 ready | blocks",
		[2] = "0 (nothing ready) | 1 ready | blocks",
		[4] = "5 bytes | fewer than 5 bytes | blocks | -1 EAGAIN | -1 ECONNRESET | "
		      "-1 EPIPE",
		[5] = "5 bytes | fewer than 5 bytes | blocks | -1 EAGAIN | -1 ECONNRESET | "
		      "-1 EPIPE",
		[6] = "3 | 4 | 5 | -1 EINVAL | -1 EMFILE",
		[7] = "0 | -1 EBADF | -1 EEXIST | -1 ENOENT",
	};
	struct quiz_choices choices;
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		if (!expected[i])
			continue;
		quiz_choices(lesson, &lesson->steps[i], &choices);
		cr_assert_str_eq(answer_labels(&choices), expected[i], "step %zu", i + 1);
	}
	struct quiz_score score;
	quiz_choices(lesson, &lesson->steps[5], &choices);   /* a short send */
	struct quiz_prediction prediction = predict(find_answer(&choices, "fewer than 5 bytes"));
	struct lab_event event = event_of(EVENT_RETURNED, 3, 0, NULL, 0);
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_RIGHT);
	event.ret = 5;
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_str_eq(score.answer.line, "you said fewer than 5 bytes; the kernel said 5 bytes");
	char hint[256];
	quiz_hint(&choices, 2, hint, sizeof hint);
	cr_assert_str_eq(hint, "the lesson expects 3 bytes: fewer than 5 bytes");

	quiz_choices(lesson, &lesson->steps[2], &choices);   /* poll finds ls readable */
	prediction = predict(find_answer(&choices, "1 ready"));
	event.ret = 1;
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_RIGHT);
	quiz_choices(lesson, &lesson->steps[1], &choices);
	quiz_hint(&choices, 1, hint, sizeof hint);
	cr_assert_str_eq(hint,
			 "A timeout of 0 ms only looks: is any watched socket readable right now?");
	lesson_free(lesson);
}

Test(quiz_choices, cover_the_calls_of_the_catalog)
{
	for (size_t i = 0; i < sizeof table_calls / sizeof table_calls[0]; i++)
		cr_assert_not_null(catalog_find_call(table_calls[i], strlen(table_calls[i])), "%s",
				   table_calls[i]);
	for (size_t i = 0; i < CALL_COUNT; i++) {
		struct lesson_step step = { .call = { .side = 0, .def = &catalog_calls[i] } };
		struct lesson lesson = { .side_count = 1, .steps = &step, .step_count = 1 };
		snprintf(lesson.sides[0], sizeof lesson.sides[0], "server");
		struct quiz_choices choices;
		quiz_choices(&lesson, &step, &choices);
		char hint[256];
		quiz_hint(&choices, 1, hint, sizeof hint);
		if (!tabled(&catalog_calls[i])) {
			/* Added to the catalog since: no choice of one, a hint all the same. */
			cr_assert(choices.answer_count == 0 || choices.answer_count >= 2, "%s",
				  catalog_calls[i].name);
			cr_assert_gt(strlen(hint), 10, "%s", catalog_calls[i].name);
			cr_log_info("%s has no row in quiz.c's answer and hint tables yet",
				    catalog_calls[i].name);
			continue;
		}
		cr_assert_geq(choices.answer_count, 3, "%s: %s", catalog_calls[i].name,
			      answer_labels(&choices));
		cr_assert_null(strstr(hint, "What does"), "%s has no nudge of its own",
			       catalog_calls[i].name);
	}
}

/* The lesson's shipped steps, one lesson at a time. */
static void for_each_shipped_lesson(void (*check)(struct lesson *lesson))
{
	DIR *dir = opendir(SOURCE_DIR "/lessons");
	cr_assert_not_null(dir);
	struct dirent *entry;
	while ((entry = readdir(dir))) {
		size_t len = strlen(entry->d_name);
		if (len < 8 || strcmp(entry->d_name + len - 7, ".lesson") != 0)
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/lessons/%s", SOURCE_DIR, entry->d_name);
		struct diagnostics diag;
		diagnostics_init(&diag, path);
		struct lesson *lesson = lesson_load(path, &diag);
		cr_assert_not_null(lesson, "%s", path);
		diagnostics_done(&diag);
		check(lesson);
		lesson_free(lesson);
	}
	closedir(dir);
}

/* Steps whose answers must read alike: the same call, the same bytes sent,
 * the same fds watched. An fd call's numbers follow the fds in use, and a
 * value read follows the option: those differ by design. */
static bool alike(const struct lesson_step *a, const struct lesson_step *b)
{
	const struct typed_call *x = &a->call, *y = &b->call;
	if (x->def != y->def || x->def->result == RESULT_FD || x->def->result == RESULT_VALUE)
		return false;
	if (x->arg_count != y->arg_count)
		return false;
	for (int i = 0; i < x->arg_count; i++)
		if (x->args[i].kind == ARG_BYTES && x->args[i].bytes_len != y->args[i].bytes_len)
			return false;
	return true;
}

static void check_alike_steps(struct lesson *lesson)
{
	for (size_t i = 0; i < lesson->step_count; i++)
		for (size_t k = i + 1; k < lesson->step_count; k++) {
			if (!alike(&lesson->steps[i], &lesson->steps[k]))
				continue;
			struct quiz_choices first, second;
			char first_labels[512];
			quiz_choices(lesson, &lesson->steps[i], &first);
			snprintf(first_labels, sizeof first_labels, "%s", answer_labels(&first));
			quiz_choices(lesson, &lesson->steps[k], &second);
			cr_assert_str_eq(answer_labels(&second), first_labels,
					 "%s: steps %zu and %zu read differently", lesson->path,
					 i + 1, k + 1);
		}
}

Test(quiz_choices, read_alike_for_a_call_whatever_each_step_expects)
{
	for_each_shipped_lesson(check_alike_steps);
}

/* With "fd" instead of the number, or an errno, the numbers stay: they
 * centre on the fd the earlier steps leave free, as the lessons say. */
static void check_fd_numbers(struct lesson *lesson)
{
	for (size_t i = 0; i < lesson->step_count; i++) {
		struct lesson_step *step = &lesson->steps[i];
		for (size_t k = 0; k < step->expect_count && step->call.def->result == RESULT_FD;
		     k++) {
			struct expectation *e = &step->expects[k];
			if (e->kind != EXPECT_RETURN || e->woken_side >= 0 || e->after_wake)
				continue;
			struct quiz_choices exact, as_fd, refused;
			char exact_labels[512];
			quiz_choices(lesson, step, &exact);
			snprintf(exact_labels, sizeof exact_labels, "%s", answer_labels(&exact));
			e->kind = EXPECT_FD;
			quiz_choices(lesson, step, &as_fd);
			cr_assert_str_eq(answer_labels(&as_fd), exact_labels, "%s step %zu",
					 lesson->path, i + 1);
			e->kind = EXPECT_ERROR;
			for (size_t a = 0; a < exact.answer_count; a++)
				if (exact.answers[a].kind == ANSWER_FAILS)
					e->error = exact.answers[a].error;
			quiz_choices(lesson, step, &refused);
			cr_assert_str_eq(answer_labels(&refused), exact_labels, "%s step %zu",
					 lesson->path, i + 1);
			e->kind = EXPECT_RETURN;
		}
	}
}

Test(quiz_choices, centre_fd_numbers_on_the_fd_the_kernel_hands_out)
{
	for_each_shipped_lesson(check_fd_numbers);
}

/* What the kernel would report if the step did what the lesson expects. */
static bool event_as_expected(const struct lesson_step *step, struct lab_event *event)
{
	const struct expectation *chosen = NULL;
	for (size_t i = 0; i < step->expect_count; i++) {
		const struct expectation *e = &step->expects[i];
		if (e->woken_side >= 0 || e->after_wake || e->kind == EXPECT_STATE
		    || e->kind == EXPECT_ADDRESS)
			continue;
		if (!chosen || e->kind == EXPECT_VALUE)
			chosen = e;
	}
	if (!chosen)
		return false;
	*event = event_of(EVENT_RETURNED, 0, 0, NULL, 0);
	switch (chosen->kind) {
	case EXPECT_FD: event->ret = 3; break;
	case EXPECT_RETURN: event->ret = chosen->value; break;
	case EXPECT_BYTES: event->ret = (long)chosen->bytes_len; break;
	case EXPECT_VALUE: event->has_value = true, event->value = chosen->value; break;
	case EXPECT_ERROR: event->ret = -1, event->error = chosen->error; break;
	case EXPECT_BLOCKS: event->kind = EVENT_BLOCKED; break;
	default: return false;
	}
	return true;
}

/* How many choices a kernel's event makes right. */
static unsigned right_choices(const struct quiz_choices *choices, const struct lab_event *event)
{
	unsigned right = 0;
	for (size_t a = 0; a < choices->answer_count; a++) {
		struct quiz_prediction prediction = predict((int)a);
		struct quiz_score score;
		quiz_score(choices, &prediction, event, 1, &score);
		right += score.answer.verdict == QUIZ_RIGHT;
	}
	return right;
}

static bool has_fd_expectation(const struct lesson_step *step)
{
	for (size_t i = 0; i < step->expect_count; i++)
		if (step->expects[i].kind == EXPECT_FD && step->expects[i].woken_side < 0)
			return true;
	return false;
}

Test(quiz_choices, hold_the_lessons_answer_exactly_once_in_every_shipped_lesson)
{
	DIR *dir = opendir(SOURCE_DIR "/lessons");
	cr_assert_not_null(dir);
	struct dirent *entry;
	size_t steps = 0, lessons = 0;
	while ((entry = readdir(dir))) {
		size_t len = strlen(entry->d_name);
		if (len < 8 || strcmp(entry->d_name + len - 7, ".lesson") != 0)
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/lessons/%s", SOURCE_DIR, entry->d_name);
		struct diagnostics diag;
		diagnostics_init(&diag, path);
		struct lesson *lesson = lesson_load(path, &diag);
		cr_assert_not_null(lesson, "%s", path);
		diagnostics_done(&diag);
		lessons++;
		for (size_t s = 0; s < lesson->step_count; s++, steps++) {
			const struct lesson_step *step = &lesson->steps[s];
			struct quiz_choices choices, again;
			char first_labels[512];
			quiz_choices(lesson, step, &choices);
			snprintf(first_labels, sizeof first_labels, "%s", answer_labels(&choices));
			quiz_choices(lesson, step, &again);
			cr_assert_str_eq(answer_labels(&again), first_labels,
					 "%s step %zu: not stable", path, s + 1);
			cr_assert_eq(again.socket_count, choices.socket_count,
				     "%s step %zu: not stable", path, s + 1);
			if (!tabled(step->call.def))
				continue;   /* see cover_the_calls_of_the_catalog */
			cr_assert_geq(choices.answer_count, 3, "%s step %zu: %s", path, s + 1,
				      answer_labels(&choices));
			for (size_t a = 0; a < choices.answer_count; a++)
				for (size_t b = a + 1; b < choices.answer_count; b++)
					cr_assert_str_neq(choices.answers[a].label,
							  choices.answers[b].label, "%s step %zu",
							  path, s + 1);
			/* Every socket the expectations name is asked about. */
			size_t states = 0;
			for (size_t e = 0; e < step->expect_count; e++)
				states += step->expects[e].kind == EXPECT_STATE;
			cr_assert(choices.socket_count > 0 || states == 0, "%s step %zu", path,
				  s + 1);
			cr_assert_lt(choices.socket_count, QUIZ_MAX_SOCKETS,
				     "%s step %zu: sockets may be cut", path, s + 1);
			/* What the lesson expects is right by exactly one choice ("fd" is
			 * whichever number the kernel gives: see the numbers below). */
			struct lab_event event;
			if (event_as_expected(step, &event) && !has_fd_expectation(step))
				cr_assert_eq(right_choices(&choices, &event), 1, "%s step %zu: %s",
					     path, s + 1, answer_labels(&choices));
			/* So is every number offered, if the kernel returns it. */
			for (size_t a = 0; a < choices.answer_count; a++) {
				if (choices.answers[a].kind != ANSWER_RETURNS)
					continue;
				event = event_of(EVENT_RETURNED, choices.answers[a].value, 0, NULL,
						 0);
				cr_assert_eq(right_choices(&choices, &event), 1,
					     "%s step %zu: %ld among %s", path, s + 1,
					     choices.answers[a].value, answer_labels(&choices));
			}
		}
		lesson_free(lesson);
	}
	closedir(dir);
	cr_assert_geq(lessons, 12);
	cr_log_info("%zu steps of %zu lessons", steps, lessons);
}

Test(quiz_choices, never_make_two_answers_right)
{
	struct lesson *lesson =
		parse_lesson("title: T\nsides: server client\n"
			     "step client: n = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK)\n"
			     "step client: getsockopt(n, SOL_SOCKET, SO_ERROR)\n  expect: 0\n"
			     "step client: fcntl(n, F_GETFL)\n  expect: 2050\n"
			     "step client: fcntl(n, F_SETFL, O_NONBLOCK)\n  expect: 0\n");
	struct quiz_choices choices;
	struct lab_event event = event_of(EVENT_RETURNED, 0, 0, NULL, 0);
	event.has_value = true;
	quiz_choices(lesson, &lesson->steps[1], &choices);
	cr_assert_str_eq(answer_labels(&choices), "0 | -1 EBADF | -1 ENOPROTOOPT");
	cr_assert_eq(right_choices(&choices, &event), 1);
	quiz_choices(lesson, &lesson->steps[2], &choices);
	cr_assert_str_eq(answer_labels(&choices), "value 2 | value 2050 | -1 EBADF | -1 EINVAL");
	event.ret = event.value = 2050;
	cr_assert_eq(right_choices(&choices, &event), 1);
	quiz_choices(lesson, &lesson->steps[3], &choices);
	cr_assert_str_eq(answer_labels(&choices), "0 | -1 EBADF | -1 EINVAL");
	event.ret = event.value = 0;
	cr_assert_eq(right_choices(&choices, &event), 1);
	lesson_free(lesson);
}

Test(quiz_states, are_all_names_lessons_know)
{
	for (size_t i = 0; i < quiz_state_count; i++)
		cr_assert_geq(lesson_state_value(quiz_states[i], strlen(quiz_states[i])), 0, "%s",
			      quiz_states[i]);
}

/* ---- scoring ---------------------------------------------------------------- */

Test(quiz_score, says_what_the_kernel_said_beside_a_wrong_errno)
{
	struct lesson *lesson = parse_lesson(test_lesson);
	struct quiz_choices choices;
	quiz_choices(lesson, &lesson->steps[3], &choices);   /* connect, nothing listening */
	struct quiz_prediction prediction = predict(find_answer(&choices, "-1 ECONNREFUSED"));
	struct lab_event event = event_of(EVENT_RETURNED, 0, 0, NULL, 0);
	struct quiz_score score;
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_WRONG);
	cr_assert_str_eq(score.answer.line, "you said -1 ECONNREFUSED; the kernel said 0");
	cr_assert_eq(score.right, 0);
	cr_assert_eq(score.asked, 1);

	event = event_of(EVENT_RETURNED, -1, ECONNREFUSED, NULL, 0);
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_RIGHT);
	cr_assert_str_eq(score.answer.line,
			 "you said -1 ECONNREFUSED; the kernel said -1 ECONNREFUSED");
	cr_assert_eq(score.right, 1);

	event = event_of(EVENT_RETURNED, -1, ETIMEDOUT, NULL, 0);
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_WRONG, "another errno is wrong");
	cr_assert_str_eq(score.answer.line,
			 "you said -1 ECONNREFUSED; the kernel said -1 ETIMEDOUT");
	lesson_free(lesson);
}

Test(quiz_score, judges_values_and_fd_numbers_exactly)
{
	struct lesson *lesson = parse_lesson(test_lesson);
	struct quiz_choices choices;
	struct quiz_score score;
	quiz_choices(lesson, &lesson->steps[0], &choices);   /* socket, expect 3 */
	struct quiz_prediction prediction = predict(find_answer(&choices, "3"));
	struct lab_event event = event_of(EVENT_RETURNED, 3, 0, NULL, 0);
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_RIGHT);
	event.ret = 4;
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_WRONG);
	cr_assert_str_eq(score.answer.line, "you said 3; the kernel said 4");

	/* socket, expect fd: the kernel says which */
	quiz_choices(lesson, &lesson->steps[2], &choices);
	prediction = predict(find_answer(&choices, "3"));
	event.ret = 3;
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_RIGHT);
	event.ret = 7;
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_WRONG);
	cr_assert_str_eq(score.answer.line, "you said 3; the kernel said 7");

	quiz_choices(lesson, &lesson->steps[10], &choices);   /* getsockopt SO_ERROR */
	prediction = predict(find_answer(&choices, "value 0"));
	event = event_of(EVENT_RETURNED, 0, 0, NULL, 0);
	event.has_value = true;
	event.value = 111;
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_WRONG);
	cr_assert_str_eq(score.answer.line,
			 "you said value 0; the kernel said value 111 (ECONNREFUSED)");
	lesson_free(lesson);
}

Test(quiz_score, judges_blocks)
{
	struct lesson *lesson = parse_lesson(test_lesson);
	struct quiz_choices choices;
	struct quiz_score score;
	quiz_choices(lesson, &lesson->steps[7], &choices);   /* recv */
	struct quiz_prediction prediction = predict(find_answer(&choices, "blocks"));
	struct lab_event event = event_of(EVENT_BLOCKED, 0, 0, NULL, 0);
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_RIGHT);
	cr_assert_str_eq(score.answer.line, "you said blocks; the kernel said blocks");

	event = event_of(EVENT_RETURNED, 12, 0, NULL, 0);
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_WRONG);
	cr_assert_str_eq(score.answer.line, "you said blocks; the kernel said 12 bytes");

	prediction = predict(find_answer(&choices, "some bytes"));
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_RIGHT);
	event.ret = 0;
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_WRONG);
	cr_assert_str_eq(score.answer.line,
			 "you said some bytes; the kernel said 0 (the peer closed)");
	lesson_free(lesson);
}

Test(quiz_score, judges_states_right_after_the_call_and_after_the_wake)
{
	struct lesson *lesson = parse_lesson(test_lesson);
	struct quiz_choices choices;
	quiz_choices(lesson, &lesson->steps[6], &choices);   /* connect that wakes accept */
	/* Right after the call: the connection waits in the accept queue. */
	struct lab_socket during[3] = {
		tcp_socket(0, "ls", TCP_LISTEN),
		tcp_socket(0, "", TCP_ESTABLISHED),
		tcp_socket(1, "c", TCP_ESTABLISHED),
	};
	during[1].note = NOTE_ACCEPT_QUEUE;
	during[1].fd = -1;
	/* After accept() returned: conn holds it. */
	struct lab_socket after[3] = {
		tcp_socket(0, "ls", TCP_LISTEN),
		tcp_socket(0, "conn", TCP_ESTABLISHED),
		tcp_socket(1, "c", TCP_ESTABLISHED),
	};
	struct lab_event events[2] = {
		event_of(EVENT_RETURNED, 0, 0, during, 3),
		event_of(EVENT_WOKE, 4, 0, after, 3),
	};
	struct quiz_prediction prediction = predict(find_answer(&choices, "0"));
	prediction.states[0] = find_state("SYN-SENT");      /* client c: wrong */
	prediction.states[1] = find_state("ESTABLISHED");   /* accept queue: right, during */
	prediction.states[2] = find_state("LISTEN");        /* server ls: right */
	prediction.states[3] = find_state("ESTABLISHED");   /* server conn: right, after */
	struct quiz_score score;
	quiz_score(&choices, &prediction, events, 2, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_RIGHT);
	cr_assert_eq(score.state_count, 4);
	cr_assert_eq(score.states[0].verdict, QUIZ_WRONG);
	cr_assert_str_eq(score.states[0].line,
			 "client c: you said SYN-SENT; the kernel said ESTABLISHED");
	cr_assert_eq(score.states[1].verdict, QUIZ_RIGHT, "%s", score.states[1].line);
	cr_assert_eq(score.states[2].verdict, QUIZ_RIGHT);
	cr_assert_eq(score.states[3].verdict, QUIZ_RIGHT, "%s", score.states[3].line);
	cr_assert_eq(score.right, 4);
	cr_assert_eq(score.asked, 5);

	/* conn is judged after the wake: had accept() not returned, no conn. */
	events[1].snapshot = events[0].snapshot;
	quiz_score(&choices, &prediction, events, 2, &score);
	cr_assert_eq(score.states[3].verdict, QUIZ_WRONG);
	cr_assert_str_eq(score.states[3].line,
			 "server conn: you said ESTABLISHED; the kernel said gone");
	prediction.states[3] = find_state("gone");
	quiz_score(&choices, &prediction, events, 2, &score);
	cr_assert_eq(score.states[3].verdict, QUIZ_RIGHT,
		     "gone is right when there is no such socket");
	lesson_free(lesson);
}

Test(quiz_score, tells_bound_tcp_from_unconnected_udp)
{
	struct lesson *lesson = parse_lesson(test_lesson);
	struct quiz_choices choices;
	struct quiz_score score;
	quiz_choices(lesson, &lesson->steps[1], &choices);   /* bind a TCP socket */
	struct lab_socket bound = tcp_socket(0, "ls", TCP_CLOSE);
	struct lab_event event = event_of(EVENT_RETURNED, 0, 0, &bound, 1);
	struct quiz_prediction prediction = predict(find_answer(&choices, "0"));
	prediction.states[0] = find_state("UNCONN");
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.states[0].verdict, QUIZ_WRONG);
	cr_assert_str_eq(score.states[0].line, "server ls: you said UNCONN; the kernel said BOUND");
	prediction.states[0] = find_state("BOUND");
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.states[0].verdict, QUIZ_RIGHT);

	quiz_choices(lesson, &lesson->steps[9], &choices);   /* bind a UDP socket */
	struct lab_socket udp = tcp_socket(1, "u", TCP_CLOSE);
	udp.type = SOCK_DGRAM;
	event = event_of(EVENT_RETURNED, 0, 0, &udp, 1);
	prediction.states[0] = find_state("UNCONN");
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.states[0].verdict, QUIZ_RIGHT);
	lesson_free(lesson);
}

Test(quiz_score, counts_neither_skipped_parts_nor_calls_not_made)
{
	struct lesson *lesson = parse_lesson(test_lesson);
	struct quiz_choices choices;
	struct quiz_score score;
	quiz_choices(lesson, &lesson->steps[4], &choices);   /* listen */
	struct quiz_prediction prediction;
	quiz_prediction_init(&prediction);
	struct lab_socket listening = tcp_socket(0, "ls", TCP_LISTEN);
	struct lab_event event = event_of(EVENT_RETURNED, 0, 0, &listening, 1);
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_UNANSWERED);
	cr_assert_str_eq(score.answer.line, "the kernel said 0");
	cr_assert_str_eq(score.states[0].line, "server ls: the kernel said LISTEN");
	cr_assert_eq(score.asked, 0);

	prediction.answer = find_answer(&choices, "0");
	event.kind = EVENT_NOT_RUN;
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_NOT_RUN);
	cr_assert_eq(score.asked, 0);
	quiz_score(&choices, &prediction, NULL, 0, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_NOT_RUN);
	lesson_free(lesson);
}

Test(quiz_score, counts_a_part_predicted_after_its_answer_as_not_right)
{
	struct lesson *lesson = parse_lesson(test_lesson);
	struct quiz_choices choices;
	struct quiz_score score;
	quiz_choices(lesson, &lesson->steps[4], &choices);
	struct quiz_prediction prediction = predict(find_answer(&choices, "0"));
	prediction.answer_revealed = true;
	struct lab_event event = event_of(EVENT_RETURNED, 0, 0, NULL, 0);
	quiz_score(&choices, &prediction, &event, 1, &score);
	cr_assert_eq(score.answer.verdict, QUIZ_REVEALED);
	cr_assert_eq(score.right, 0);
	cr_assert_eq(score.asked, 1);
	cr_assert(strstr(score.answer.line, "you saw the answer first"), "%s", score.answer.line);
	lesson_free(lesson);
}

/* ---- hints -------------------------------------------------------------------- */

Test(quiz_hint, escalates_from_a_nudge_to_the_answer)
{
	struct lesson *lesson = parse_lesson(test_lesson);
	struct quiz_choices choices;
	char hint[256];
	quiz_choices(lesson, &lesson->steps[3], &choices);   /* connect to nothing */
	cr_assert_eq(quiz_hint(&choices, 1, hint, sizeof hint), 1);
	cr_assert_str_eq(hint, "Is anything listening on 127.0.0.1:65432 yet?");
	cr_assert_eq(quiz_hint(&choices, 2, hint, sizeof hint), 2);
	cr_assert_str_eq(hint, "the lesson expects -1 ECONNREFUSED");
	cr_assert_eq(quiz_hint(&choices, 3, hint, sizeof hint), 2,
		     "there is nothing past the answer");

	quiz_choices(lesson, &lesson->steps[6], &choices);   /* connect that wakes accept */
	cr_assert_eq(quiz_hint(&choices, 1, hint, sizeof hint), 1);
	cr_assert_str_eq(hint,
			 "Is anything listening on 127.0.0.1:65432, and does the handshake need "
			 "the other side's program to do anything?");
	quiz_hint(&choices, 2, hint, sizeof hint);
	cr_assert_str_eq(hint,
			 "the lesson expects 0; then client c ESTABLISHED, server (accept queue) "
			 "ESTABLISHED, server ls LISTEN, server conn ESTABLISHED");

	quiz_choices(lesson, &lesson->steps[9], &choices);   /* bind UDP: UNCONN, not BOUND */
	quiz_hint(&choices, 2, hint, sizeof hint);
	cr_assert_str_eq(hint, "the lesson expects 0; then client u UNCONN");
	quiz_choices(lesson, &lesson->steps[5], &choices);   /* accept on an empty queue */
	quiz_hint(&choices, 1, hint, sizeof hint);
	cr_assert_str_eq(hint, "Is a connection waiting in ls's accept queue yet?");
	quiz_choices(lesson, &lesson->steps[11], &choices);  /* close, no expectation */
	quiz_hint(&choices, 1, hint, sizeof hint);
	cr_assert_str_eq(hint,
			 "close() drops the fd: does the kernel make the caller wait for the "
			 "connection to end?");
	quiz_hint(&choices, 2, hint, sizeof hint);
	cr_assert_str_eq(hint, "the lesson does not say what close() returns");
	lesson_free(lesson);
}

Test(quiz_hint, nudges_without_naming_the_errno_in_every_shipped_lesson)
{
	DIR *dir = opendir(SOURCE_DIR "/lessons");
	cr_assert_not_null(dir);
	struct dirent *entry;
	while ((entry = readdir(dir))) {
		size_t len = strlen(entry->d_name);
		if (len < 8 || strcmp(entry->d_name + len - 7, ".lesson") != 0)
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/lessons/%s", SOURCE_DIR, entry->d_name);
		struct diagnostics diag;
		diagnostics_init(&diag, path);
		struct lesson *lesson = lesson_load(path, &diag);
		cr_assert_not_null(lesson, "%s", path);
		diagnostics_done(&diag);
		for (size_t s = 0; s < lesson->step_count; s++) {
			struct quiz_choices choices;
			char nudge[256], answer[512];
			quiz_choices(lesson, &lesson->steps[s], &choices);
			quiz_hint(&choices, 1, nudge, sizeof nudge);
			quiz_hint(&choices, 2, answer, sizeof answer);
			cr_assert_gt(strlen(nudge), 10, "%s step %zu", path, s + 1);
			cr_assert_null(strchr(nudge, '{'), "%s step %zu: '%s' left a placeholder",
				       path, s + 1, nudge);
			cr_assert(!tabled(lesson->steps[s].call.def) || !strstr(nudge, "What does"),
				  "%s step %zu: no nudge of its own for %s", path, s + 1,
				       lesson->steps[s].call.def->name);
			const char *errno_at = strstr(answer, "-1 E");
			if (errno_at) {
				char name[32];
				sscanf(errno_at + 3, "%31[A-Z]", name);
				cr_assert_null(strstr(nudge, name),
					       "%s step %zu: the nudge '%s' names %s", path, s + 1,
					       nudge, name);
			}
			cr_assert_null(strstr(answer, "?"), "%s step %zu: unknown state in '%s'",
				       path, s + 1, answer);
		}
		lesson_free(lesson);
	}
	closedir(dir);
}

/* ---- the plain driver ----------------------------------------------------------- */

/* Runs ask and tell over a script for steps `first`..`last` of the test
 * lesson, with `events[i]` as what the kernel did in step first + i. */
static char *run_script(const char *script, size_t first, size_t last, struct lab_event *events,
			struct quiz_tally *tally, int *ask_result)
{
	struct lesson *lesson = parse_lesson(test_lesson);
	FILE *in = fmemopen((void *)script, strlen(script), "r");
	cr_assert_not_null(in);
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	cr_assert_not_null(out);
	*ask_result = 0;
	for (size_t s = first; s <= last && *ask_result == 0; s++) {
		struct quiz_turn turn;
		*ask_result = quiz_plain_ask(in, out, lesson, s, &turn);
		quiz_plain_tell(out, &turn, &events[s - first], 1, tally);
	}
	fclose(out);
	fclose(in);
	lesson_free(lesson);
	return text;
}

Test(quiz_plain, asks_hints_and_scores_from_a_script)
{
	struct lab_socket listening = tcp_socket(0, "ls", TCP_LISTEN);
	struct lab_event events[] = {
		event_of(EVENT_RETURNED, -1, ECONNREFUSED, NULL, 0),   /* step 4: connect */
		event_of(EVENT_RETURNED, 0, 0, &listening, 1),        /* step 5: listen */
		event_of(EVENT_BLOCKED, 0, 0, &listening, 1),         /* step 6: accept */
	};
	/* connect: a hint, then a wrong answer; listen: a number out of range,
	 * then right, then the state right; accept: both hints, then right. */
	const char *script = "h\n1\n"
			     "9\n1\n1\n"
			     "h\nh\n4\n";
	struct quiz_tally tally = { 0 };
	int ask_result;
	char *text = run_script(script, 3, 5, events, &tally, &ask_result);
	cr_assert_eq(ask_result, 0);
	cr_assert_str_eq(text,
			 "predict step 4/12  client: connect(c, 127.0.0.1:65432)\n"
			 "  what will connect() do?\n"
			 "    1  0\n"
			 "    2  blocks\n"
			 "    3  -1 ECONNREFUSED\n"
			 "    4  -1 EINPROGRESS\n"
			 "    5  -1 EISCONN\n"
			 "  your answer (1-5, h for a hint, Enter to skip): h\n"
			 "  hint: Is anything listening on 127.0.0.1:65432 yet?\n"
			 "  your answer (1-5, h for a hint, Enter to skip): 1\n"
			 "  quiz: wrong   you said 0; the kernel said -1 ECONNREFUSED\n"
			 "  quiz: 0 of 1 right in this step, 0 of 1 so far\n"
			 "predict step 5/12  server: listen(ls, 5)\n"
			 "  what will listen() do?\n"
			 "    1  0\n"
			 "    2  -1 EADDRINUSE\n"
			 "    3  -1 EINVAL\n"
			 "    4  -1 EOPNOTSUPP\n"
			 "  your answer (1-4, h for a hint, Enter to skip): 9\n"
			 "  '9' is not one of the choices\n"
			 "  your answer (1-4, h for a hint, Enter to skip): 1\n"
			 "  and the state of each socket afterwards:\n"
			 "    1 LISTEN  2 SYN-SENT  3 SYN-RECV  4 ESTABLISHED  5 FIN-WAIT-1\n"
			 "    6 FIN-WAIT-2  7 CLOSE-WAIT  8 CLOSING  9 LAST-ACK  10 TIME-WAIT\n"
			 "    11 BOUND  12 UNCONN  13 gone\n"
			 "  server ls (1-13, h for a hint, Enter to skip): 1\n"
			 "  quiz: right   you said 0; the kernel said 0\n"
			 "  quiz: right   server ls: you said LISTEN; the kernel said LISTEN\n"
			 "  quiz: 2 of 2 right in this step, 2 of 3 so far\n"
			 "predict step 6/12  server: conn = accept(ls)\n"
			 "  what will accept() do?\n"
			 "    1  3\n"
			 "    2  4\n"
			 "    3  5\n"
			 "    4  blocks\n"
			 "    5  -1 EAGAIN\n"
			 "    6  -1 EINVAL\n"
			 "  your answer (1-6, h for a hint, Enter to skip): h\n"
			 "  hint: Is a connection waiting in ls's accept queue yet?\n"
			 "  your answer (1-6, h for a hint, Enter to skip): h\n"
			 "  answer: the lesson expects blocks\n"
			 "  your answer (1-6, h for a hint, Enter to skip): 4\n"
			 "  quiz: shown   you said blocks; the kernel said blocks (you saw the "
			 "answer first)\n"
			 "  quiz: 0 of 1 right in this step, 2 of 4 so far\n");
	cr_assert_eq(tally.right, 2);
	cr_assert_eq(tally.asked, 4);
	free(text);
}

Test(quiz_plain, stops_asking_when_the_input_ends)
{
	struct lab_socket listening = tcp_socket(0, "ls", TCP_LISTEN);
	struct lab_event events[] = {
		event_of(EVENT_RETURNED, 0, 0, &listening, 1),   /* step 5: listen */
		event_of(EVENT_BLOCKED, 0, 0, &listening, 1),    /* step 6: accept */
	};
	struct quiz_tally tally = { 0 };
	int ask_result;
	char *text = run_script("\n", 4, 5, events, &tally, &ask_result);
	cr_assert_eq(ask_result, 1, "the end of input stops the quiz");
	cr_assert_str_eq(text,
		"predict step 5/12  server: listen(ls, 5)\n"
		"  what will listen() do?\n"
		"    1  0\n"
		"    2  -1 EADDRINUSE\n"
		"    3  -1 EINVAL\n"
		"    4  -1 EOPNOTSUPP\n"
		"  your answer (1-4, h for a hint, Enter to skip): \n"
		"  and the state of each socket afterwards:\n"
		"    1 LISTEN  2 SYN-SENT  3 SYN-RECV  4 ESTABLISHED  5 FIN-WAIT-1\n"
		"    6 FIN-WAIT-2  7 CLOSE-WAIT  8 CLOSING  9 LAST-ACK  10 TIME-WAIT\n"
		"    11 BOUND  12 UNCONN  13 gone\n"
		"  server ls (1-13, h for a hint, Enter to skip): \n"
		"  quiz: skipped the kernel said 0\n"
		"  quiz: skipped server ls: the kernel said LISTEN\n"
		"  quiz: 0 of 0 right in this step, 0 of 0 so far\n");
	cr_assert_eq(tally.asked, 0);
	free(text);
}

Test(quiz_plain, says_when_the_call_was_not_made)
{
	struct lab_event events[] = { event_of(EVENT_SKIPPED, 0, 0, NULL, 0) };
	struct quiz_tally tally = { 0 };
	int ask_result;
	char *text = run_script("1\n", 0, 0, events, &tally, &ask_result);
	cr_assert(strstr(text, "  quiz: not scored: the call was not made\n"), "%s", text);
	cr_assert_eq(tally.asked, 0);
	free(text);
}

Test(quiz_plain, tells_only_the_states_when_there_was_no_answer_to_choose)
{
	/* As for a call added to the catalog after the answer table. */
	struct lesson *lesson = parse_lesson(test_lesson);
	struct quiz_turn turn;
	quiz_choices(lesson, &lesson->steps[4], &turn.choices);   /* listen: server ls LISTEN */
	turn.choices.answer_count = 0;
	quiz_prediction_init(&turn.prediction);
	turn.prediction.states[0] = find_state("LISTEN");
	struct lab_socket listening = tcp_socket(0, "ls", TCP_LISTEN);
	struct lab_event event = event_of(EVENT_RETURNED, 0, 0, &listening, 1);
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	struct quiz_tally tally = { 0 };
	quiz_plain_tell(out, &turn, &event, 1, &tally);
	fclose(out);
	cr_assert_str_eq(text,
			 "  quiz: right   server ls: you said LISTEN; the kernel said LISTEN\n"
			 "  quiz: 1 of 1 right in this step, 1 of 1 so far\n");
	free(text);
	lesson_free(lesson);
}
