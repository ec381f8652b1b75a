/* expect — a step's expectations checked against its events and the
 * kernel's snapshot (expect.h). */
#include "expect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "address.h"
#include "i18n.h"
#include "kernel_view.h"
#include "readiness.h"
#include "record.h"

/* A failure is said twice: in English for the trace, and in the language
 * chosen for the screen. `words` gives a marked phrase or format in the
 * one being made. */
static const char *words(bool shown, const char *english)
{
	return shown ? _(english) : english;
}

static void describe_result(const struct lab_event *event, bool shown, char *out, size_t size)
{
	if (!event) {
		snprintf(out, size, "%s", words(shown, N_("no result")));
	} else if (event->kind == EVENT_BLOCKED) {
		snprintf(out, size, "%s", words(shown, N_("the call blocked")));
	} else if (event->kind == EVENT_NOT_RUN) {
		snprintf(out, size, "%s", words(shown, N_("the call was not made")));
	} else if (event->ret == -1) {
		const char *name = catalog_errno_name(event->error);
		snprintf(out, size, "-1 %s (%s)", name ? name : "?", strerror(event->error));
	} else if (event->bytes_len || catalog_calls[event->call].result == RESULT_RECEIVED) {
		char escaped[96];
		text_escape(event->bytes, event->bytes_len, escaped, sizeof escaped);
		snprintf(out, size, "%ld \"%s\"", event->ret, escaped);
	} else if (event->ready_count) {
		char ready[161];
		readiness_text(event->ready, event->ready_count, ready, sizeof ready);
		snprintf(out, size, words(shown, N_("%ld, ready \"%s\"")), event->ret, ready);
	} else if (event->has_value) {
		snprintf(out, size, words(shown, N_("%ld, value %ld")), event->ret, event->value);
	} else if (!lab_address_is(&event->address, LAB_ADDRESS_EMPTY)) {
		snprintf(out, size, words(shown, N_("%ld, from %s")), event->ret,
			 lab_address_shown(&event->address).text);
	} else {
		snprintf(out, size, "%ld", event->ret);
	}
}

/* Whether the fds the call reported read as the lesson wrote them. */
static bool ready_met(const struct expectation *e, const struct lab_event *event)
{
	char *ready = readiness_text_new(event->ready, event->ready_count);
	bool met = ready && strlen(ready) == e->bytes_len
		   && memcmp(ready, e->bytes, e->bytes_len) == 0;
	free(ready);
	return met;
}

static bool value_met(const struct expectation *e, const struct lab_event *event,
		      const struct lab_address *expected_address)
{
	if (!event)
		return false;
	bool returned = event->kind == EVENT_RETURNED || event->kind == EVENT_WOKE;
	switch (e->kind) {
	case EXPECT_FD:
		return returned && event->ret >= 0;
	case EXPECT_BLOCKS:
		return event->kind == EVENT_BLOCKED;
	case EXPECT_RETURN:
		return returned && event->ret == e->value;
	case EXPECT_ERROR:
		return returned && event->ret == -1 && event->error == e->error;
	case EXPECT_BYTES:
		return returned && event->bytes_len == e->bytes_len
			&& memcmp(event->bytes, e->bytes, e->bytes_len) == 0;
	case EXPECT_VALUE:
		return returned && event->has_value && event->value == e->value;
	case EXPECT_ADDRESS:
		return returned && lab_address_equal(&event->address, expected_address);
	case EXPECT_READY:
		return returned && ready_met(e, event);
	default:
		return true;
	}
}

static void describe_expected(const struct lesson *lesson, const struct expectation *e,
			      bool shown, char *out, size_t size)
{
	char escaped[96];
	switch (e->kind) {
	case EXPECT_FD:
		snprintf(out, size, "%s", words(shown, N_("a file descriptor")));
		break;
	case EXPECT_BLOCKS:
		snprintf(out, size, "%s", words(shown, N_("the call to block")));
		break;
	case EXPECT_RETURN: snprintf(out, size, "%ld", e->value); break;
	case EXPECT_ERROR: snprintf(out, size, "-1 %s", catalog_errno_name(e->error)); break;
	case EXPECT_BYTES:
		text_escape(e->bytes, e->bytes_len, escaped, sizeof escaped);
		snprintf(out, size, "\"%s\"", escaped);
		break;
	case EXPECT_VALUE:
		snprintf(out, size, words(shown, N_("value %ld")), e->value);
		break;
	case EXPECT_ADDRESS:
		text_address((const struct sockaddr *)&e->address, e->address_len, escaped,
			     sizeof escaped);
		snprintf(out, size, words(shown, N_("from %s")), escaped);
		break;
	case EXPECT_READY:
		text_escape(e->bytes, e->bytes_len, escaped, sizeof escaped);
		snprintf(out, size, words(shown, N_("ready \"%s\"")), escaped);
		break;
	case EXPECT_STATE: {
		const char *state = e->state ? probe_state_name(e->state, SOCK_STREAM)
					     : words(shown, N_("gone"));
		const char *which = e->ref == REF_ACCEPT_QUEUE ? words(shown, N_("(accept queue)"))
				    : e->ref == REF_HANDSHAKE  ? words(shown, N_("(handshake)"))
							       : e->socket_name;
		snprintf(out, size, "%s %s %s", lesson->sides[e->side], which, state);
		break;
	}
	}
}

/* "FILE:LINE: expected WHAT, kernel says WHAT" in both languages, under `event`. */
static void say_failure(struct session *session, const struct lesson_step *step,
			struct lab_event *event, const char *const expected[2],
			const char *const says[2])
{
	char said[2][700];
	for (int shown = 0; shown < 2; shown++)
		snprintf(said[shown], sizeof said[shown],
			 words(shown, N_("%s:%d: expected %s, kernel says %s")),
			 session->lesson->path, step->line, expected[shown], says[shown]);
	record_failure_said(event, said[0], said[1]);
}

static bool socket_matches(const struct expectation *e, const struct lab_socket *socket)
{
	if (socket->side != e->side)
		return false;
	if (e->ref == REF_ACCEPT_QUEUE)
		return socket->note == NOTE_ACCEPT_QUEUE;
	if (e->ref == REF_HANDSHAKE)
		return socket->note == NOTE_HANDSHAKE;
	return strcmp(socket->name, e->socket_name) == 0;
}

/* Whether the snapshot meets a state expectation; if not and `event` is
 * given, says what the kernel has instead. */
static bool check_state(struct session *session, const struct lesson_step *step,
			const struct expectation *e, struct lab_event *event)
{
	const struct lab_snapshot *snapshot = &session->snapshot;
	char says[2][256] = { "", "" };
	size_t says_len[2] = { 0, 0 };
	bool any = false;
	for (size_t i = 0; i < snapshot->count; i++) {
		const struct lab_socket *socket = snapshot->sockets[i];
		if (!socket_matches(e, socket))
			continue;
		any = true;
		bool state_ok = e->state != 0 && socket->state == e->state;
		bool rq_ok = e->recv_queue < 0 || socket->recv_queue == (uint32_t)e->recv_queue;
		bool wq_ok = e->send_queue < 0 || socket->send_queue == (uint32_t)e->send_queue;
		if (state_ok && rq_ok && wq_ok)
			return true;
		/* Say the queues only when the expectation was about them. */
		bool queues = e->recv_queue >= 0 || e->send_queue >= 0;
		for (int shown = 0; shown < 2; shown++)
			text_append(says[shown], sizeof says[shown], &says_len[shown],
				    queues ? "%s%s rq %u wq %u" : "%s%s",
				    says_len[shown] ? "; " : "",
				    socket->state ? lab_socket_state_text(socket)
						  : words(shown, N_("no address yet")),
				    socket->recv_queue, socket->send_queue);
	}
	if (!any && e->state == 0)
		return true;
	if (!event)
		return false;
	char expected[2][160];
	for (int shown = 0; shown < 2; shown++)
		describe_expected(session->lesson, e, shown, expected[shown],
				  sizeof expected[shown]);
	char ended[320], ended_shown[320];
	if (e->unless_timer && e->ref == REF_NAME
	    && timed_explain(&session->timed, snapshot, e->side, e->socket_name, timed_now_us(),
			     ended, sizeof ended, ended_shown, sizeof ended_shown)) {
		char said[512], said_shown[512];
		snprintf(said, sizeof said, "%s: %s", expected[0], ended);
		snprintf(said_shown, sizeof said_shown, "%s: %s", expected[1], ended_shown);
		record_timer_ended(event, said, said_shown);
		return true;
	}
	char queues[48] = "";
	size_t queues_len = 0;
	if (e->recv_queue >= 0)
		text_append(queues, sizeof queues, &queues_len, " rq %ld", (long)e->recv_queue);
	if (e->send_queue >= 0)
		text_append(queues, sizeof queues, &queues_len, " wq %ld", (long)e->send_queue);
	char wanted[2][260];
	const char *said[2];
	for (int shown = 0; shown < 2; shown++) {
		snprintf(wanted[shown], sizeof wanted[shown], "%s%s%s", expected[shown], queues,
			 e->within_ms ? words(shown, N_(" (waited for it)")) : "");
		said[shown] = any ? says[shown] : words(shown, N_("there is no such socket"));
	}
	say_failure(session, step, event, (const char *const[2]){ wanted[0], wanted[1] }, said);
	return false;
}

/* Some states follow a kernel timer, not the call: a delayed ACK turns
 * FIN-WAIT-1 into FIN-WAIT-2 up to 40 ms after close(). An expectation
 * `... within N ms` re-reads the kernel every millisecond until it holds,
 * or N ms have passed; the step's snapshot is the last one read. */
static bool in_phase(const struct expectation *e, enum phase phase)
{
	bool after = e->after_wake || e->woken_side >= 0;
	return phase == PHASE_ALL || (phase == PHASE_AFTER_WAKE) == after;
}

/* Has a woken call of `side` returned during this step (since `first`)? */
static bool woke_since(const struct session *session, size_t first, int side)
{
	for (size_t i = first; i < session->event_count; i++)
		if (session->events[i].kind == EVENT_WOKE && session->events[i].side == side)
			return true;
	return false;
}

int expect_settle(struct session *session, const struct lesson_step *step, enum phase phase,
		  size_t first_event, char **err)
{
	long longest = 0;
	for (size_t k = 0; k < step->expect_count; k++)
		if (step->expects[k].within_ms > longest && in_phase(&step->expects[k], phase))
			longest = step->expects[k].within_ms;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		bool met = true;
		for (size_t k = 0; k < step->expect_count && met; k++) {
			const struct expectation *e = &step->expects[k];
			if (!e->within_ms || !in_phase(e, phase))
				continue;
			if (e->kind == EXPECT_STATE)
				met = check_state(session, step, e, NULL);
			else if (e->woken_side >= 0)
				met = woke_since(session, first_event, e->woken_side);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		long elapsed_ms = (now.tv_sec - start.tv_sec) * 1000
			+ (now.tv_nsec - start.tv_nsec) / 1000000;
		if (met || elapsed_ms >= longest || (session->interrupt && *session->interrupt))
			return 0;
		struct timespec tick = { .tv_nsec = 1000000 };
		nanosleep(&tick, NULL);
		/* A timer may wake a blocked call meanwhile (a resent SYN lets a
		 * connect() finish): it returned during this step. Frozen sides
		 * (the call phase) wait for their turn. */
		if (phase != PHASE_CALL && record_woken(session, step->call.side, err) < 0)
			return -1;
		if (view_take_snapshot(session, err) < 0)
			return -1;
	}
}

/* Compares the step's expectations with what the kernel did. */
void expect_check_step(struct session *session, const struct lesson_step *step,
		       struct lab_event *call_event, size_t first_event, enum phase phase)
{
	if (session->info.unchecked)
		return;   /* written for a free wire, run with --hold: its
		             expectations do not apply */
	size_t failures_before = call_event->failure_count;
	for (size_t k = 0; k < step->expect_count; k++) {
		const struct expectation *e = &step->expects[k];
		if (!in_phase(e, phase))
			continue;
		if (e->kind == EXPECT_STATE) {
			check_state(session, step, e, call_event);
			continue;
		}
		const struct lab_event *event = call_event;
		if (e->woken_side >= 0) {
			event = NULL;
			for (size_t i = first_event; i < session->event_count; i++)
				if (session->events[i].kind == EVENT_WOKE
				    && session->events[i].side == e->woken_side)
					event = &session->events[i];
		}
		/* The address the kernel would show: on the host path, the lesson's
		 * port is the mapped one. */
		struct lab_address expected_address = lab_address_of_kind(LAB_ADDRESS_EMPTY);
		if (e->kind == EXPECT_ADDRESS) {
			struct sockaddr_storage address = e->address;
			if (session->sandbox->kind == SANDBOX_HOST)
				host_ports_expected(&session->host_ports, &address);
			lab_address_from_sockaddr((const struct sockaddr *)&address, e->address_len,
						  &expected_address);
		}
		if (value_met(e, event, &expected_address))
			continue;
		char expected[2][160], wanted[2][260], got[2][200];
		for (int shown = 0; shown < 2; shown++) {
			describe_expected(session->lesson, e, shown, expected[shown],
					  sizeof expected[shown]);
			if (e->woken_side >= 0)
				snprintf(wanted[shown], sizeof wanted[shown],
					 words(shown, N_("%s returns %s")),
					 session->lesson->sides[e->woken_side], expected[shown]);
			else
				snprintf(wanted[shown], sizeof wanted[shown], "%s",
					 expected[shown]);
			if (e->woken_side >= 0 && !event)
				snprintf(got[shown], sizeof got[shown],
					 words(shown, N_("%s's call is still blocked")),
					 session->lesson->sides[e->woken_side]);
			else
				describe_result(event, shown, got[shown], sizeof got[shown]);
		}
		say_failure(session, step, call_event,
			    (const char *const[2]){ wanted[0], wanted[1] },
			    (const char *const[2]){ got[0], got[1] });
	}
	session->failure_count += call_event->failure_count - failures_before;
}
