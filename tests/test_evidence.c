/* evidence: why the kernel refused a call, said from what the run
 * recorded. The golden traces are real runs (normalised), so each reason
 * here is the one the lab gives for a real kernel's answer, and a replayed
 * trace explains itself exactly as the run did. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "session.h"
#include "trace.h"

struct run {
	struct run_info info;
	struct lab_event *events;
	size_t count;
};

static struct run golden(const char *lesson)
{
	char path[512];
	snprintf(path, sizeof path, "%s/traces/%s.trace", SOURCE_DIR, lesson);
	struct run run = { 0 };
	char *err = NULL;
	cr_assert_eq(trace_read(path, &run.info, &run.events, &run.count, &err), 0, "%s", err ? err : "");
	return run;
}

static void run_done(struct run *run)
{
	for (size_t i = 0; i < run->count; i++)
		lab_event_done(&run->events[i]);
	free(run->events);
}

/* The reason given for the n-th call (0-based) that failed with `error`. */
static const char *reason_for(const struct run *run, int error, int nth, char *out, size_t size)
{
	for (size_t i = 0; i < run->count; i++)
		if (run->events[i].ret == -1 && run->events[i].error == error && nth-- == 0)
			return evidence_explain(&run->info, run->events, i, out, size);
	cr_assert_fail("no call failed with %s that often", strerrorname_np(error));
	return NULL;
}

Test(evidence, a_reset_connection_names_the_rst_and_the_step_it_came_in)
{
	struct run run = golden("08-closing");
	char why[400];
	/* The server closed a2; the client's data then drew the RST. */
	cr_expect_str_eq(reason_for(&run, EPIPE, 0, why, sizeof why),
			 "client's c2 (fd 3, gone from the kernel's tables) was reset; the RST came from "
			 "127.0.0.1:65432 in step 14 (client: send(c2, \"anyone?\"))");
	/* close() with unread bytes: the closer's kernel resets at once. */
	cr_expect_str_eq(reason_for(&run, ECONNRESET, 0, why, sizeof why),
			 "client's c4 (fd 3, gone from the kernel's tables) was reset; the RST came from "
			 "127.0.0.1:65432 in step 36 (server: close(a4))");
	run_done(&run);
}

Test(evidence, a_send_after_shutdown_names_the_shutdown)
{
	struct run run = golden("08-closing");
	char why[400];
	cr_expect_str_eq(reason_for(&run, EPIPE, 1, why, sizeof why),
			 "client's c3 (fd 3, FIN-WAIT-2) can send no more: this end shut down its sending side in "
			 "step 22 (shutdown(c3, SHUT_WR))");
	run_done(&run);
}

Test(evidence, a_send_on_a_socket_never_connected_says_so)
{
	struct run run = golden("12-wrong-orders");
	char why[400];
	cr_expect_str_eq(reason_for(&run, EPIPE, 0, why, sizeof why),
			 "client's c (fd 3, no address yet) was never connected: Linux answers send() on an "
			 "unconnected TCP socket with EPIPE, not ENOTCONN");
	run_done(&run);
}

Test(evidence, a_unix_connection_lost_with_its_listener_names_the_close)
{
	struct run run = golden("10-unix");
	char why[400];
	cr_expect_str_eq(reason_for(&run, ECONNRESET, 0, why, sizeof why),
			 "a unix socket gets no RST: the listener it connected to, server's ab (fd 4, LISTEN) on "
			 "@echo, was closed in step 31 (server: close(ab)) with this connection still in its "
			 "accept queue");
	run_done(&run);
}

Test(evidence, connect_on_a_listener_says_it_listens)
{
	struct run run = golden("12-wrong-orders");
	char why[400];
	cr_expect_str_eq(reason_for(&run, EISCONN, 0, why, sizeof why),
			 "server's ls (fd 3, LISTEN) is listening: a listener only accepts connections; Linux answers "
			 "its connect() with EISCONN");
	run_done(&run);
}

Test(evidence, a_refused_connect_names_what_was_listening_and_the_rst)
{
	struct run run = golden("06-connect");
	char why[400];
	const char *reason = reason_for(&run, ECONNREFUSED, 0, why, sizeof why);
	cr_expect(strstr(reason, "nothing was in LISTEN on ") == reason, "%s", reason);
	cr_expect(strstr(reason, "; the kernel answered the SYN with RST-ACK from ") != NULL, "%s", reason);
	run_done(&run);
}

/* connect and send on a unix socket cause no packet, and the wire row says
 * why; on TCP the same calls do cause packets, and nothing is said. */
Test(wire_silence, is_said_for_unix_sockets_only)
{
	struct run unix_run = golden("10-unix");
	size_t said = 0;
	for (size_t i = 0; i < unix_run.count; i++) {
		const char *silence = lab_event_wire_silence(&unix_run.events[i]);
		if (!silence)
			continue;
		cr_expect_str_eq(silence, "no packets: a unix socket's bytes stay inside the kernel");
		cr_expect(unix_run.events[i].call == CALL_CONNECT || unix_run.events[i].call == CALL_SENDALL,
			  "said for %s", unix_run.events[i].text);
		said++;
	}
	cr_expect_eq(said, 8, "said for %zu calls", said);
	run_done(&unix_run);

	struct run echo = golden("01-echo");
	for (size_t i = 0; i < echo.count; i++)
		cr_expect_null(lab_event_wire_silence(&echo.events[i]), "said for %s", echo.events[i].text);
	run_done(&echo);
}
