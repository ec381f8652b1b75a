/* Tests of stepper: two real programs (tests/programs/echo_server.c and
 * echo_client.c) stepped at their socket calls on the host path (the
 * Criterion worker is threaded, so it cannot enter a user namespace), and
 * the events stepper_observe leaves out. Each run picks a port of its own,
 * so concurrent runs on one host do not meet.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host_port.h"
#include "sandbox.h"
#include "stepper.h"

#ifndef ECHO_SERVER
#error "build with -DECHO_SERVER=path -DECHO_CLIENT=path"
#endif

enum {
	SETTLE_MS = 5000
};

static struct sandbox sandbox;
static struct stepper *stepper;

static void start(void)
{
	char *err = NULL;
	int port = host_test_port();
	char server[600], client[600];
	snprintf(server, sizeof server, "%s %d", ECHO_SERVER, port);
	snprintf(client, sizeof client, "%s %d", ECHO_CLIENT, port);
	const char *commands[STEPPER_SIDES] = { server, client };
	cr_assert_eq(sandbox_enter(&sandbox, true, &err), 0, "%s", err);
	if (stepper_new(&stepper, commands, SOURCE_DIR "/examples", &sandbox, &err) < 0)
		cr_skip_test("cannot trace here: %s", err);
	cr_assert_eq(stepper_settle(stepper, SETTLE_MS, &err), 1, "%s",
		     err ? err : "still running");
}

static void finish(void)
{
	stepper_free(stepper);
	stepper = NULL;
	sandbox_done(&sandbox);
}

static enum stepper_state state_of(int side)
{
	return stepper_side(stepper, side)->state;
}

Test(stepper, holds_each_program_before_its_first_socket_call, .init = start, .fini = finish)
{
	for (int side = 0; side < STEPPER_SIDES; side++) {
		const struct stepper_side *s = stepper_side(stepper, side);
		cr_assert_eq(s->state, STEPPER_HELD, "%s: state %d", s->name, s->state);
		cr_assert(strncmp(s->next, "socket(", 7) == 0, "%s holds %s", s->name, s->next);
	}
	cr_assert_str_eq(stepper_side(stepper, 0)->name, "server");
	cr_assert_str_eq(stepper_side(stepper, 1)->name, "client");
	cr_assert_null(stepper_side(stepper, STEPPER_SIDES));
	cr_assert_null(stepper_side(stepper, -1));
	/* Nothing ran yet: the session has no event. */
	size_t count;
	session_events(stepper_session(stepper), &count);
	cr_assert_eq(count, 0);
	int fds[STEPPER_SIDES];
	cr_assert_eq(stepper_fds(stepper, fds), STEPPER_SIDES);
	cr_assert(stepper_quiet(stepper));
}

Test(stepper, releases_one_call_and_holds_the_next, .init = start, .fini = finish)
{
	char *err = NULL;
	cr_assert_eq(stepper_release(stepper, 0, &err), 0, "%s", err);
	cr_assert_eq(stepper_settle(stepper, SETTLE_MS, &err), 1, "%s",
		     err ? err : "still running");
	cr_assert_eq(state_of(0), STEPPER_HELD);
	/* echo_server sets SO_REUSEADDR before bind(). */
	cr_assert(strncmp(stepper_side(stepper, 0)->next, "setsockopt(", 11) == 0, "%s",
		  stepper_side(stepper, 0)->next);
	/* The client was not released: it still holds its socket(). */
	cr_assert(strncmp(stepper_side(stepper, 1)->next, "socket(", 7) == 0);
	size_t count;
	const struct lab_event *events = session_events(stepper_session(stepper), &count);
	cr_assert_eq(count, 1);
	cr_assert_eq(events[0].side, 0);
	cr_assert_eq(events[0].call, CALL_SOCKET);
	cr_assert_eq(events[0].kind, EVENT_RETURNED);
	cr_assert_geq(events[0].ret, 3);
	/* A side out of range, or one not holding a call, has nothing to release. */
	cr_assert_eq(stepper_release(stepper, STEPPER_SIDES, &err), 1);
	cr_assert_eq(stepper_release(stepper, -1, &err), 1);
}

Test(stepper, steps_the_echo_exchange_to_its_end, .init = start, .fini = finish, .timeout = 60)
{
	char *err = NULL;
	bool accept_blocked = false;
	for (int round = 0;
	     round < 100 && !(state_of(0) == STEPPER_OVER && state_of(1) == STEPPER_OVER);
	     round++) {
		/* The server first, as far as it goes; then the client. */
		int side = stepper_next_side(stepper, 0);
		accept_blocked |= state_of(0) == STEPPER_BLOCKED;
		if (state_of(side) != STEPPER_HELD) {
			cr_assert_eq(stepper_wait(stepper, SETTLE_MS, &err) >= 0, true, "%s", err);
			continue;
		}
		cr_assert_eq(stepper_release(stepper, side, &err), 0, "%s", err);
		cr_assert_geq(stepper_settle(stepper, SETTLE_MS, &err), 0, "%s", err);
	}
	cr_assert_eq(state_of(0), STEPPER_OVER, "server: %d", state_of(0));
	cr_assert_eq(state_of(1), STEPPER_OVER, "client: %d", state_of(1));
	cr_assert(accept_blocked, "the server's accept() never slept");
	const struct stepper_side *client = stepper_side(stepper, 1);
	cr_assert(strstr(client->output, "Hello, world") != NULL, "the client printed %.*s",
		  (int)client->output_len, client->output);
	cr_assert(strstr(client->message, "code 0") != NULL, "client: %s", client->message);
	size_t count;
	const struct lab_event *events = session_events(stepper_session(stepper), &count);
	/* Each side's calls, in order, as they were made (a woken call is
	 * recorded twice: asleep, then returned). */
	static const enum call_id server_calls[] = { CALL_SOCKET, CALL_BIND, CALL_LISTEN,
						     CALL_ACCEPT };
	size_t matched = 0;
	bool woke = false;
	for (size_t i = 0; i < count; i++) {
		if (events[i].side == 0 && matched < 4 && events[i].call == server_calls[matched]
		    && events[i].kind != EVENT_BLOCKED)
			matched++;
		woke |= events[i].kind == EVENT_WOKE && events[i].call == CALL_ACCEPT;
	}
	cr_assert_eq(matched, 4, "the server's socket, bind, listen, accept: %zu found in order",
		     matched);
	cr_assert(woke, "accept() never came back as woken");
}

Test(stepper, reports_a_program_that_cannot_start)
{
	char *err = NULL;
	struct stepper *failed = NULL;
	const char *commands[STEPPER_SIDES] = { "/nonexistent/program", ECHO_CLIENT " 1" };
	cr_assert_eq(sandbox_enter(&sandbox, true, &err), 0, "%s", err);
	cr_assert_eq(stepper_new(&failed, commands, SOURCE_DIR "/examples", &sandbox, &err), -1);
	cr_assert_null(failed);
	cr_assert_not_null(err);
	cr_assert(strstr(err, "nonexistent") != NULL, "%s", err);
	free(err);
	sandbox_done(&sandbox);
}

Test(stepper, observes_only_returned_or_blocked_calls_the_catalog_knows)
{
	/* None of these reaches the session (NULL here): they are not steps. */
	struct tracer_event event = { .kind = TRACER_CALL, .call = CALL_SOCKET };
	char *err = NULL;
	cr_assert_eq(stepper_observe(NULL, 0, &event, &err), 0);
	event = (struct tracer_event){ .kind = TRACER_RETURNED, .call = -1 };
	cr_assert_eq(stepper_observe(NULL, 0, &event, &err), 0);
	event = (struct tracer_event){ .kind = TRACER_RETURNED,
				       .call = CALL_SOCKET,
				       .startup = true };
	cr_assert_eq(stepper_observe(NULL, 0, &event, &err), 0);
	event = (struct tracer_event){ .kind = TRACER_OUTPUT, .call = -1 };
	cr_assert_eq(stepper_observe(NULL, 0, &event, &err), 0);
}

static uint64_t now_us(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000 + (uint64_t)now.tv_nsec / 1000;
}

/* What a TUI key does (release the side's oldest held task, then settle),
 * on a forking server: every task is released, the parent's close(4) too,
 * and no key waits for a timeout. */
Test(stepper, a_forking_servers_tasks_are_each_released_in_time, .timeout = 60)
{
	char *err = NULL;
	/* The host's network (as the tests above): a port of its own. */
	int port = host_test_port();
	char server[600], client[600];
	snprintf(server, sizeof server, "%s 1 %d", FORKING_SERVER, port);
	snprintf(client, sizeof client, "%s %d", ECHO_CLIENT, port);
	const char *commands[STEPPER_SIDES] = { server, client };
	cr_assert_eq(sandbox_enter(&sandbox, true, &err), 0, "%s", err);
	if (stepper_new(&stepper, commands, SOURCE_DIR "/examples", &sandbox, &err) < 0)
		cr_skip_test("cannot trace here: %s", err);
	cr_assert_eq(stepper_settle(stepper, SETTLE_MS, &err), 1, "%s",
		     err ? err : "still running");
	int side = 0;
	size_t most_held = 0, keys = 0;
	uint64_t slowest = 0;
	for (; keys < 60 && !(state_of(0) == STEPPER_OVER && state_of(1) == STEPPER_OVER); keys++) {
		side = stepper_next_side(stepper, side);
		size_t held = stepper_side(stepper, side)->held_count;
		most_held = held > most_held ? held : most_held;
		uint64_t started = now_us();
		/* What each side said, for a failure to be read from its message. */
		cr_assert_eq(stepper_release(stepper, side, &err), 0,
			     "key %zu: nothing held on %d (states %d, %d; server: \"%s\", "
			     "client: \"%s\")",
			     keys, side, state_of(0), state_of(1),
			     stepper_side(stepper, 0)->message, stepper_side(stepper, 1)->message);
		cr_assert_eq(stepper_settle(stepper, SETTLE_MS, &err), 1, "%s",
			     err ? err : "still running");
		uint64_t took = now_us() - started;
		slowest = took > slowest ? took : slowest;
	}
	cr_expect_eq(state_of(0), STEPPER_OVER);
	cr_expect_eq(state_of(1), STEPPER_OVER);
	cr_expect_geq(most_held, 2, "the parent and its child held at once");
	/* A key that waits for a timeout instead of an event takes seconds.
	 * On a loaded machine (ctest -j2 beside a busy loop) a key may take
	 * ~0.2 s here; how fast keys are is a figure: tests/bench_keys.sh. */
	cr_expect_lt(slowest, 1000000, "the slowest key took %llu us", (unsigned long long)slowest);
	stepper_free(stepper);
	stepper = NULL;
	sandbox_done(&sandbox);
}
