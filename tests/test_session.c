/* Session: steps run on real puppets, sockets tied to sides, expectations
 * checked against the kernel. These run on the host path (the Criterion
 * worker is threaded, so it cannot enter a user namespace); the private
 * path is covered by the integration tests that run the binary. */
#include <criterion/criterion.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "lesson.h"
#include "sandbox.h"
#include "session.h"

static struct sandbox sandbox;
static struct lesson *lesson;
static struct session *session;

static void start(const char *text)
{
	struct diagnostics diag;
	char *err = NULL;
	diagnostics_init(&diag, "t.lesson");
	lesson = lesson_parse("t.lesson", text, strlen(text), &diag);
	cr_assert_not_null(lesson, "%s", diag.count ? diag.messages[0] : "?");
	diagnostics_done(&diag);
	cr_assert_eq(sandbox_enter(&sandbox, true, &err), 0, "%s", err);
	cr_assert_eq(session_new(&session, lesson, &sandbox, &err), 0, "%s", err);
}

static void finish(void)
{
	session_free(session);
	lesson_free(lesson);
	sandbox_done(&sandbox);
}

static void step(void)
{
	char *err = NULL;
	cr_assert_eq(session_step(session, &err), 0, "%s", err ? err : "no step left");
}

static const struct lab_socket *find(int side, const char *name)
{
	const struct lab_snapshot *snapshot = session_snapshot(session);
	for (size_t i = 0; i < snapshot->count; i++)
		if (snapshot->sockets[i]->side == side
		    && strcmp(snapshot->sockets[i]->name, name) == 0)
			return snapshot->sockets[i];
	return NULL;
}

static const char echo_start[] =
	"title: t\n"
	"step server: ls = socket(AF_INET, SOCK_STREAM)\n"
	"step server: bind(ls, 127.0.0.1:65432)\n"
	"step server: listen(ls, 5)\n"
	"  expect: server ls LISTEN rq 0 wq 5\n"
	"step server: conn = accept(ls)\n"
	"  expect: blocks\n"
	"step client: c = socket(AF_INET, SOCK_STREAM)\n"
	"step client: connect(c, 127.0.0.1:65432)\n"
	"  expect: 0, server (accept queue) ESTABLISHED\n"
	"  then: server returns fd, server conn ESTABLISHED\n";

Test(session, ties_each_socket_to_its_side_and_name, .fini = finish)
{
	start(echo_start);
	for (int i = 0; i < 3; i++)
		step();
	const struct lab_socket *listener = find(0, "ls");
	cr_assert_not_null(listener);
	cr_expect_eq(listener->fd, 3);
	cr_expect_eq(listener->state, TCP_LISTEN);
	cr_expect_eq(listener->send_queue, 5, "the backlog, as the kernel reports it");
	cr_expect_eq(session_failure_count(session), 0);
	const struct run_info *info = session_info(session);
	cr_expect_eq(info->port_map_count, 1, "on the host the lesson's port is mapped");
	cr_expect_eq(info->port_map[0].from, 65432);
	char expected_local[32];
	snprintf(expected_local, sizeof expected_local, "127.0.0.1:%u", info->port_map[0].to);
	cr_expect_str_eq(lab_address_shown(&listener->local).text, expected_local,
			 "the screen shows the kernel's port, not the lesson's");
}

Test(session, a_blocked_call_wakes_in_the_step_that_wakes_it, .fini = finish)
{
	start(echo_start);
	for (int i = 0; i < 6; i++)
		step();
	size_t count;
	const struct lab_event *events = session_events(session, &count);
	cr_assert_eq(count, 7, "six calls and one wake-up");
	cr_expect_eq(events[3].kind, EVENT_BLOCKED);
	cr_expect_eq(events[5].kind, EVENT_RETURNED);
	cr_expect_eq(events[6].kind, EVENT_WOKE);
	cr_expect_eq(events[6].step, 6, "accept returns during the connect step");
	cr_expect_eq(events[6].ret, 4);
	/* The call's snapshot: the connection waits in the accept queue, no fd. */
	bool queued = false;
	for (size_t i = 0; i < events[5].snapshot.count; i++)
		if (events[5].snapshot.sockets[i]->note == NOTE_ACCEPT_QUEUE
		    && events[5].snapshot.sockets[i]->fd == -1)
			queued = true;
	cr_expect(queued, "the connection is complete before accept() takes it");
	cr_expect_eq(session_failure_count(session), 0, "%s",
		     events[5].failure_count ? events[5].failures[0] : "");
	cr_expect_not_null(find(0, "conn"));
}

Test(session, reports_an_unmet_expectation_in_plain_words, .fini = finish)
{
	start("title: t\n"
	      "step client: c = socket(AF_INET, SOCK_STREAM)\n"
	      "step client: connect(c, 127.0.0.1:65432)\n"
	      "  expect: 0, client c ESTABLISHED\n");
	step();
	step();
	size_t count;
	const struct lab_event *events = session_events(session, &count);
	cr_assert_eq(events[1].ret, -1);
	cr_assert_eq(events[1].failure_count, 2);
	cr_expect_str_eq(
		events[1].failures[0],
		"t.lesson:3: expected 0, kernel says -1 ECONNREFUSED (Connection refused)");
	cr_expect(strstr(events[1].failures[1],
			 "t.lesson:3: expected client c ESTABLISHED, kernel says ") != NULL,
		  "%s", events[1].failures[1]);
	cr_expect_eq(session_failure_count(session), 2);
}

Test(session, a_side_still_blocked_does_not_run_its_next_call, .fini = finish)
{
	start("title: t\n"
	      "step server: ls = socket(AF_INET, SOCK_STREAM)\n"
	      "step server: listen(ls, 1)\n"
	      "step server: accept(ls)\n"
	      "step server: close(ls)\n");
	for (int i = 0; i < 4; i++)
		step();
	size_t count;
	const struct lab_event *events = session_events(session, &count);
	cr_expect_eq(events[3].kind, EVENT_NOT_RUN);
	cr_expect_str_eq(session_blocked_call(session, 0), "accept(ls)");
	char *err = NULL;
	cr_expect_eq(session_step(session, &err), 1, "no step left");
}

Test(session, restart_and_goto_rerun_from_a_clean_start, .fini = finish)
{
	start(echo_start);
	for (int i = 0; i < 6; i++)
		step();
	char *err = NULL;
	cr_assert_eq(session_restart(session, &err), 0, "%s", err);
	size_t count;
	session_events(session, &count);
	cr_expect_eq(count, 0);
	cr_expect_eq(session_snapshot(session)->count, 0);
	cr_assert_eq(session_goto(session, 3, &err), 0, "%s", err);
	cr_expect_eq(session_steps_done(session), 3);
	const struct lab_socket *listener = find(0, "ls");
	cr_assert_not_null(listener, "the same port binds again: the old listener is gone");
	cr_expect_eq(listener->state, TCP_LISTEN);
	cr_expect_eq(session_failure_count(session), 0);
}

Test(session, checks_which_fds_a_readiness_call_reports, .fini = finish)
{
	start("title: t\n"
	      "step server: ls = socket(AF_INET, SOCK_STREAM)\n"
	      "step server: bind(ls, 127.0.0.1:65432)\n"
	      "step server: listen(ls, 5)\n"
	      "step client: c = socket(AF_INET, SOCK_STREAM)\n"
	      "step client: connect(c, 127.0.0.1:65432)\n"
	      "step server: poll(0, ls)\n"
	      "  expect: 1, ready \"ls POLLIN\"\n"
	      "step server: poll(0, ls)\n"
	      "  expect: ready \"ls POLLOUT\"\n");
	for (int i = 0; i < 7; i++)
		step();
	size_t count;
	const struct lab_event *events = session_events(session, &count);
	/* The values: the listener's fd, with a connection to accept. */
	cr_assert_eq(events[5].ready_count, 1);
	cr_assert_str_eq(events[5].ready[0].name, "ls");
	cr_assert_eq(events[5].ready[0].fd, events[0].ret);
	cr_assert_eq(events[5].ready[0].events, POLLIN);
	cr_expect_eq(events[5].failure_count, 0, "%s",
		     events[5].failure_count ? events[5].failures[0] : "");
	cr_assert_eq(events[6].failure_count, 1);
	cr_expect_str_eq(
		events[6].failures[0],
		"t.lesson:9: expected ready \"ls POLLOUT\", kernel says 1, ready \"ls POLLIN\"");
}

/* Two labs on the host path, as two students on one machine: each sees only
 * its own sockets, and a Unix socket file of one is out of the other's
 * reach (its own directory has no such file; the other's directory, 0700,
 * is refused by name). */
Test(session, labs_on_the_host_path_neither_see_nor_reach_each_other)
{
	static const char first_text[] =
		"title: a\n"
		"step server: ls = socket(AF_UNIX, SOCK_STREAM)\n"
		"step server: bind(ls, ./echo.sock)\n"
		"step server: listen(ls, 5)\n"
		"  expect: 0, server ls LISTEN\n"
		"step client: c = socket(AF_UNIX, SOCK_STREAM)\n";
	char pattern[64];
	snprintf(pattern, sizeof pattern, "/tmp/socklab-%d-*", (int)getpid());
	start(first_text);
	for (int i = 0; i < 4; i++)
		step();
	cr_assert_eq(session_failure_count(session), 0);
	glob_t found;
	cr_assert_eq(glob(pattern, 0, NULL, &found), 0, "no working directory %s", pattern);
	cr_assert_eq(found.gl_pathc, 1, "%zu working directories", found.gl_pathc);
	struct stat status;
	cr_assert_eq(stat(found.gl_pathv[0], &status), 0);
	cr_expect_eq(status.st_mode & 07777, 0700, "mode %o", status.st_mode & 07777);
	char second_text[512];
	snprintf(second_text, sizeof second_text,
		 "title: b\n"
		 "step server: s = socket(AF_UNIX, SOCK_STREAM)\n"
		 "step client: c = socket(AF_UNIX, SOCK_STREAM)\n"
		 "step client: connect(c, ./echo.sock)\n"
		 "  expect: -1 ENOENT\n"
		 "step client: connect(c, %s/echo.sock)\n"
		 "  expect: -1 EACCES\n", found.gl_pathv[0]);
	globfree(&found);

	struct diagnostics diag;
	char *err = NULL;
	diagnostics_init(&diag, "b.lesson");
	struct lesson *second_lesson =
		lesson_parse("b.lesson", second_text, strlen(second_text), &diag);
	cr_assert_not_null(second_lesson, "%s", diag.count ? diag.messages[0] : "?");
	diagnostics_done(&diag);
	struct session *second = NULL;
	cr_assert_eq(session_new(&second, second_lesson, &sandbox, &err), 0, "%s", err);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(session_step(second, &err), 0, "%s", err ? err : "no step left");
	cr_expect_eq(session_failure_count(second), 0,
		     "the second lab reached the first's socket file");
	const struct lab_snapshot *theirs = session_snapshot(second);
	cr_expect_eq(theirs->count, 2, "the second lab shows %zu sockets, not its own two",
		     theirs->count);
	for (size_t i = 0; i < theirs->count; i++) {
		const struct lab_socket *socket = theirs->sockets[i];
		cr_expect(strcmp(socket->name, "s") == 0 || strcmp(socket->name, "c") == 0,
			  "a socket of another lab: '%s' %s", socket->name,
			  lab_address_shown(&socket->local).text);
	}
	const struct lab_snapshot *ours = session_snapshot(session);
	cr_expect_eq(ours->count, 2, "the first lab shows %zu sockets", ours->count);
	session_free(second);
	lesson_free(second_lesson);
}
