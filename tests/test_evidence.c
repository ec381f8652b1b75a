/* evidence: why the kernel refused a call, said from what the run
 * recorded. The golden traces are real runs (normalised), so each reason
 * here is the one the lab gives for a real kernel's answer, and a replayed
 * trace explains itself exactly as the run did. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "evidence.h"
#include "lesson.h"
#include "lesson_po.h"
#include "plain.h"
#include "sandbox.h"
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
	cr_assert_eq(trace_read(path, &run.info, &run.events, &run.count, &err), 0, "%s",
		     err ? err : "");
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
			 "client's c2 (fd 3, gone from the kernel's tables) was reset; the RST "
			 "came from 127.0.0.1:65432 in step 14 (client: send(c2, \"anyone?\"))");
	/* close() with unread bytes: the closer's kernel resets at once. */
	cr_expect_str_eq(reason_for(&run, ECONNRESET, 0, why, sizeof why),
			 "client's c4 (fd 3, gone from the kernel's tables) was reset; the RST "
			 "came from 127.0.0.1:65432 in step 36 (server: close(a4))");
	run_done(&run);
}

Test(evidence, a_send_after_shutdown_names_the_shutdown)
{
	struct run run = golden("08-closing");
	char why[400];
	cr_expect_str_eq(reason_for(&run, EPIPE, 1, why, sizeof why),
			 "client's c3 (fd 3, FIN-WAIT-2) can send no more: this end shut down its "
			 "sending side in step 22 (shutdown(c3, SHUT_WR))");
	run_done(&run);
}

Test(evidence, a_send_on_a_socket_never_connected_says_so)
{
	struct run run = golden("12-wrong-orders");
	char why[400];
	cr_expect_str_eq(reason_for(&run, EPIPE, 0, why, sizeof why),
			 "client's c (fd 3, no address yet) was never connected: Linux answers "
			 "send() on an unconnected TCP socket with EPIPE, not ENOTCONN");
	run_done(&run);
}

Test(evidence, a_unix_connection_lost_with_its_listener_names_the_close)
{
	struct run run = golden("10-unix");
	char why[400];
	cr_expect_str_eq(reason_for(&run, ECONNRESET, 0, why, sizeof why),
			 "a unix socket gets no RST: the listener it connected to, server's ab (fd "
			 "4, LISTEN) on @echo, was closed in step 31 (server: close(ab)) with this "
			 "connection still in its accept queue");
	run_done(&run);
}

Test(evidence, connect_on_a_listener_says_it_listens)
{
	struct run run = golden("12-wrong-orders");
	char why[400];
	cr_expect_str_eq(reason_for(&run, EISCONN, 0, why, sizeof why),
			 "server's ls (fd 3, LISTEN) is listening: a listener only accepts "
			 "connections; Linux answers its connect() with EISCONN");
	run_done(&run);
}

Test(evidence, a_refused_connect_names_what_was_listening_and_the_rst)
{
	struct run run = golden("06-connect");
	char why[400];
	const char *reason = reason_for(&run, ECONNREFUSED, 0, why, sizeof why);
	cr_expect(strstr(reason, "nothing was in LISTEN on ") == reason, "%s", reason);
	cr_expect(strstr(reason, "; the kernel answered the SYN with RST-ACK from ") != NULL, "%s",
		  reason);
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
		cr_expect_str_eq(silence,
				 "no packets: a unix socket's bytes stay inside the kernel");
		cr_expect(unix_run.events[i].call == CALL_CONNECT
				  || unix_run.events[i].call == CALL_SENDALL,
			  "said for %s", unix_run.events[i].text);
		said++;
	}
	cr_expect_eq(said, 8, "said for %zu calls", said);
	run_done(&unix_run);

	struct run echo = golden("01-echo");
	for (size_t i = 0; i < echo.count; i++)
		cr_expect_null(lab_event_wire_silence(&echo.events[i]), "said for %s",
			       echo.events[i].text);
	run_done(&echo);
}

/* ---- on the kernel: each case run through the real binary ---------------- */

/* Runs `socklab ARGS` with `input` on standard input (or a lesson file
 * holding `lesson`), returns what it printed. Skips where the lab gets no
 * private network namespace: the cases need its fixed ports and its wire. */
static char *socklab_output(const char *args, const char *input)
{
	/* A lesson's file name ends in .lesson; standard input's does not matter. */
	char path[128], command[1024];
	snprintf(path, sizeof path, "/tmp/socklab-evidence-%d.lesson", (int)getpid());
	FILE *file = fopen(path, "w");
	cr_assert_not_null(file);
	fputs(input, file);
	fclose(file);
	if (strcmp(args, "run") == 0)
		snprintf(command, sizeof command, "%s run --plain %s 2>&1", SOCKLAB_BINARY, path);
	else
		snprintf(command, sizeof command, "%s play --plain < %s 2>&1", SOCKLAB_BINARY,
			 path);
	FILE *pipe = popen(command, "r");
	cr_assert_not_null(pipe);
	size_t len = 0, capacity = 1 << 16;
	char *out = malloc(capacity);
	size_t n;
	while ((n = fread(out + len, 1, capacity - len - 1, pipe)) > 0)
		if ((len += n) + 1 == capacity)
			out = realloc(out, capacity *= 2);
	out[len] = '\0';
	pclose(pipe);
	unlink(path);
	if (!strstr(out, "sandbox: private netns")) {
		free(out);
		cr_skip_test("no private network namespace here: the cases need the lab's own "
			     "ports and wire");
	}
	return out;
}

#define expect_said(out, text) \
	cr_expect(strstr((out), (text)) != NULL, "not said: %s\n%s", (text), (out))
#define expect_not_said(out, text) \
	cr_expect(strstr((out), (text)) == NULL, "said: %s\n%s", (text), (out))

static const char time_wait_start[] = "server: ls = socket(AF_INET, SOCK_STREAM)\n"
				      "%s"
				      "server: bind(ls, 127.0.0.1:65432)\n"
				      "server: listen(ls, 5)\n"
				      "client: c = socket(AF_INET, SOCK_STREAM)\n"
				      "client: connect(c, 127.0.0.1:65432)\n"
				      "server: conn = accept(ls)\n"
				      "server: close(conn)\n"
				      "client: close(c)\n"
				      "server: close(ls)\n"
				      "server: ls2 = socket(AF_INET, SOCK_STREAM)\n"
				      "%s"
				      "server: bind(ls2, 127.0.0.1:65432)\n";

Test(evidence_on_the_kernel, a_bind_against_time_wait_says_which_socket_set_so_reuseaddr,
     .timeout = 60)
{
	/* The new socket set it, the old one (accepted from ls) did not: the bind fails. */
	char input[1024];
	snprintf(input, sizeof input, time_wait_start, "",
		 "server: setsockopt(ls2, SOL_SOCKET, SO_REUSEADDR, 1)\n");
	char *out = socklab_output("play", input);
	expect_said(out,
		    "  = -1 EADDRINUSE (Address already in use)\n"
		    "  why: server's conn (no fd, TIME-WAIT) already holds 127.0.0.1:65432: "
		    "TIME-WAIT keeps the address until it ends; a new socket binds beside it only "
		    "when both set SO_REUSEADDR: this one did, conn did not (an accepted socket "
		    "has its listener's options, and ls had not set it)\n");
	expect_not_said(out, "SO_REUSEADDR lets a new socket bind anyway");
	free(out);
	/* The old one had it (from its listener), the new one not. */
	snprintf(input, sizeof input, time_wait_start,
		 "server: setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, 1)\n", "");
	out = socklab_output("play", input);
	expect_said(out, "only when both set SO_REUSEADDR: conn did, this one did not\n");
	free(out);
	/* Both: the kernel lets it bind, as the sentence says. */
	snprintf(input, sizeof input, time_wait_start,
		 "server: setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, 1)\n",
		 "server: setsockopt(ls2, SOL_SOCKET, SO_REUSEADDR, 1)\n");
	out = socklab_output("play", input);
	expect_said(out, "step 13/13  server: bind(ls2, 127.0.0.1:65432)\n  = 0\n");
	free(out);
}

/* The worker's copy of conn came through fork() from an accept on ls. */
Test(evidence_on_the_kernel, a_forked_sockets_so_reuseaddr_comes_from_its_parent, .timeout = 60)
{
	char *out = socklab_output("run",
				   "title: fork reuse\n"
				   "sides: server worker client\n"
				   "step server: ls = socket(AF_INET, SOCK_STREAM)\n"
				   "step server: setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, 1)\n"
				   "step server: bind(ls, 127.0.0.1:65432)\n"
				   "step server: listen(ls, 5)\n"
				   "step client: c = socket(AF_INET, SOCK_STREAM)\n"
				   "step client: connect(c, 127.0.0.1:65432)\n"
				   "step server: conn = accept(ls)\n"
				   "step server: fork(worker)\n"
				   "step server: close(conn)\n"
				   "step server: close(ls)\n"
				   "step worker: close(ls)\n"
				   "step worker: close(conn)\n"
				   "step client: close(c)\n"
				   "step server: ls2 = socket(AF_INET, SOCK_STREAM)\n"
				   "step server: bind(ls2, 127.0.0.1:65432)\n");
	expect_said(out,
		    "  why: worker's conn (no fd, TIME-WAIT) already holds 127.0.0.1:65432: "
		    "TIME-WAIT keeps the address until it ends; a new socket binds beside it only "
		    "when both set SO_REUSEADDR: conn did, this one did not\n");
	free(out);
}

Test(evidence_on_the_kernel, a_refusal_matches_listeners_as_the_kernel_does, .timeout = 60)
{
	char *out = socklab_output("play", "server: ls6 = socket(AF_INET6, SOCK_STREAM)\n"
					   "server: setsockopt(ls6, IPPROTO_IPV6, IPV6_V6ONLY, 1)\n"
					   "server: bind(ls6, [::]:65433)\n"
					   "server: listen(ls6, 5)\n"
					   "server: ls4 = socket(AF_INET, SOCK_STREAM)\n"
					   "server: bind(ls4, 0.0.0.0:65434)\n"
					   "server: listen(ls4, 5)\n"
					   "client: c = socket(AF_INET, SOCK_STREAM)\n"
					   "client: connect(c, 127.0.0.1:65433)\n"
					   "client: d = socket(AF_INET6, SOCK_STREAM)\n"
					   "client: connect(d, [::1]:65434)\n"
					   "client: m = socket(AF_INET6, SOCK_STREAM)\n"
					   "client: connect(m, [::ffff:127.0.0.1]:65434)\n");
	/* V6ONLY: the IPv6 wildcard does not take IPv4. */
	expect_said(out,
		    "  why: nothing was in LISTEN on 127.0.0.1:65433 (listening then: [::]:65433 "
		    "(IPV6_V6ONLY set: IPv6 only), 0.0.0.0:65434); the kernel answered the SYN "
		    "with RST-ACK from 127.0.0.1:65433\n");
	/* An IPv4 wildcard does not take IPv6. */
	expect_said(out,
		    "  why: nothing was in LISTEN on [::1]:65434 (listening then: [::]:65433, "
		    "0.0.0.0:65434 (an AF_INET socket: IPv4 only)); the kernel answered the SYN "
		    "with RST-ACK from [::1]:65434\n");
	expect_not_said(out, "a socket was in LISTEN");
	/* A v4-mapped address is IPv4: the IPv4 listener takes it. */
	expect_said(out, "step 13/13  client: connect(m, [::ffff:127.0.0.1]:65434)\n  = 0\n");
	free(out);
}

Test(evidence_on_the_kernel, the_wire_names_the_socket_that_sent_each_segment, .timeout = 60)
{
	char *out = socklab_output("play", "server: ls = socket(AF_INET, SOCK_STREAM)\n"
					   "server: bind(ls, 127.0.0.1:65434)\n"
					   "server: listen(ls, 5)\n"
					   "client: c = socket(AF_INET, SOCK_STREAM)\n"
					   "client: connect(c, 127.0.0.1:65433)\n"
					   "client: m = socket(AF_INET6, SOCK_STREAM)\n"
					   "client: connect(m, [::ffff:127.0.0.1]:65434)\n"
					   "server: conn = accept(ls)\n"
					   "server: send(conn, \"hi\")\n");
	/* Nobody listens on 65433: the kernel itself resets. */
	expect_said(out, "  wire  client -> kernel   SYN          seq 0 ack 0 len 0\n"
			 "  wire  kernel -> client   RST-ACK      seq 1 ack 1 len 0\n");
	/* v4-mapped: the IPv4 the wire carries is the client's IPv6 socket. */
	expect_said(out, "  wire  client -> server   SYN          seq 0 ack 0 len 0\n"
			 "  wire  server -> client   SYN-ACK      seq 0 ack 1 len 0\n");
	expect_said(out, "  wire  server -> client   PSH-ACK      seq 1 ack 1 len 2 \"hi\"\n");
	expect_not_said(out, "server -> kernel");
	expect_not_said(out, "kernel -> server");
	free(out);
}

Test(evidence_on_the_kernel, a_forked_workers_segments_are_labelled_with_the_worker_and_its_client,
     .timeout = 60)
{
	char *out = socklab_output("run", "title: fork\n"
					  "sides: server worker client1 client2\n"
					  "step server: ls = socket(AF_INET, SOCK_STREAM)\n"
					  "step server: bind(ls, 127.0.0.1:65432)\n"
					  "step server: listen(ls, 5)\n"
					  "step client1: c = socket(AF_INET, SOCK_STREAM)\n"
					  "step client1: connect(c, 127.0.0.1:65432)\n"
					  "step client2: c = socket(AF_INET, SOCK_STREAM)\n"
					  "step client2: connect(c, 127.0.0.1:65432)\n"
					  "step server: conn1 = accept(ls)\n"
					  "step server: conn2 = accept(ls)\n"
					  "step server: fork(worker)\n"
					  "step server: close(conn2)\n"
					  "step worker: send(conn2, \"two\")\n"
					  "step server: send(conn1, \"one\")\n");
	expect_said(out, "step 12/13  worker: send(conn2, \"two\")\n  = 3\n"
			 "  wire  worker -> client2  PSH-ACK      seq 1 ack 1 len 3 \"two\"\n"
			 "  wire  client2 -> worker  ACK          seq 1 ack 4 len 0\n");
	/* Both processes hold conn1: the one that made the call sent it. */
	expect_said(out, "step 13/13  server: send(conn1, \"one\")\n  = 3\n"
			 "  wire  server -> client1  PSH-ACK      seq 1 ack 1 len 3 \"one\"\n");
	free(out);
}

Test(evidence_on_the_kernel, a_unix_path_in_use_is_held_by_its_file, .timeout = 60)
{
	char *out = socklab_output("play", "server: u = socket(AF_UNIX, SOCK_STREAM)\n"
					   "server: bind(u, ./t.sock)\n"
					   "server: close(u)\n"
					   "server: u2 = socket(AF_UNIX, SOCK_STREAM)\n"
					   "server: bind(u2, ./t.sock)\n");
	expect_said(out,
		    "  = -1 EADDRINUSE (Address already in use)\n"
		    "  why: the file ./t.sock is still there, made by the bind in step 2 (server: "
		    "bind(u, ./t.sock)): closing a unix socket leaves its file behind, and bind() "
		    "never replaces a file; unlink() it first\n");
	expect_not_said(out, "another socket holds");
	/* The bind changed only the address: it gets its change mark. */
	expect_said(out, "  * server  u=3      ./t.sock ");
	free(out);
}

/* A blocking socket, one call asked not to wait. */
Test(evidence_on_the_kernel, eagain_from_msg_dontwait_names_the_call_not_the_socket, .timeout = 60)
{
	char *out = socklab_output("play", "server: ls = socket(AF_INET, SOCK_STREAM)\n"
					   "server: bind(ls, 127.0.0.1:65432)\n"
					   "server: listen(ls, 5)\n"
					   "client: c = socket(AF_INET, SOCK_STREAM)\n"
					   "client: connect(c, 127.0.0.1:65432)\n"
					   "client: recv(c, 5, MSG_DONTWAIT)\n");
	expect_said(out,
		    "  why: this call was non-blocking (MSG_DONTWAIT) and nothing waited to be "
		    "read (recv-q 0, send-q 0)\n");
	expect_not_said(out, "the socket is non-blocking");
	free(out);
}

static const char closing_pair[] = "server: ls = socket(AF_INET, SOCK_STREAM)\n"
				   "server: bind(ls, 127.0.0.1:65432)\n"
				   "server: listen(ls, 5)\n"
				   "client: c = socket(AF_INET, SOCK_STREAM)\n"
				   "client: connect(c, 127.0.0.1:65432)\n"
				   "server: conn = accept(ls)\n";

Test(evidence_on_the_kernel, pollin_after_a_fin_with_bytes_before_it_says_the_bytes_come_first,
     .timeout = 60)
{
	char input[1024];
	snprintf(input, sizeof input, "%s%s", closing_pair,
		 "client: sendall(c, \"abc\")\n"
		 "client: close(c)\n"
		 "server: poll(0, conn)\n"
		 "server: recv(conn, 10)\n"
		 "server: poll(0, conn)\n");
	char *out = socklab_output("play", input);
	expect_said(out,
		    "  why: conn: 3 bytes wait in its receive queue, then the peer's FIN (recv-q 4 "
		    "counts it): recv() returns the bytes first, 0 only after them\n");
	expect_said(out, "CLOSE-WAIT       4     0  recv-q counts the peer's FIN as 1\n");
	expect_said(out,
		    "  why: conn: the peer sent its FIN and no bytes wait before it: recv() would "
		    "return 0\n");
	free(out);
}

Test(evidence_on_the_kernel, a_socket_gone_without_an_rst_is_closed_not_reset, .timeout = 60)
{
	char input[1024];
	snprintf(input, sizeof input, "%s%s", closing_pair,
		 "server: close(conn)\n"
		 "client: shutdown(c, SHUT_WR)\n"
		 "client: d = socket(AF_INET, SOCK_STREAM)\n"
		 "client: connect(d, 127.0.0.1:65432)\n"
		 "server: conn2 = accept(ls)\n"
		 "client: sendall(d, \"unread\")\n"
		 "server: close(conn2)\n");
	char *out = socklab_output("play", input);
	/* CLOSE-WAIT, then LAST-ACK, then gone on the peer's ACK: no RST. */
	expect_said(out,
		    "client  c=3      *                        *                        -          "
		    "      0     0  closed: gone from the kernel's tables\n");
	/* close() with unread bytes resets: the RST is on the wire. */
	expect_said(out, "  wire  server -> client   RST-ACK");
	expect_said(out,
		    "client  d=4      *                        *                        -          "
		    "      0     0  in no kernel table: reset\n");
	free(out);
}

Test(evidence_on_the_kernel, a_non_blocking_connect_says_what_the_kernel_showed, .timeout = 60)
{
	char *out = socklab_output("play",
				   "server: ls = socket(AF_INET, SOCK_STREAM)\n"
				   "server: bind(ls, 127.0.0.1:65432)\n"
				   "server: listen(ls, 5)\n"
				   "client: n = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK)\n"
				   "client: connect(n, 127.0.0.1:65432)\n");
	expect_said(out, "  = -1 EINPROGRESS (Operation now in progress)\n");
	/* On loopback the handshake has usually ended when the lab reads the
	 * kernel; either way the sentence is the state the probe saw. */
	const char *ended =
		strstr(out,
		       "  why: a non-blocking connect returns before the handshake ends; when the "
		       "lab read the kernel just after, the handshake had already ended: the "
		       "socket is ESTABLISHED; SO_ERROR reads 0\n");
	const char *going = strstr(
		out,
		"  why: a non-blocking connect returns before the handshake ends: the socket is "
		"SYN-SENT, the handshake still going on; SO_ERROR will tell how it ends\n");
	cr_expect(ended || going, "%s", out);
	if (ended)
		expect_said(out, "client  n=3      127.0.0.1:");
	expect_not_said(out, "the handshake goes on: the socket is ESTABLISHED");
	free(out);
}

Test(evidence_on_the_kernel, free_play_shows_the_python_of_the_call_as_typed, .timeout = 60)
{
	char input[1024];
	snprintf(input, sizeof input, "%s%s", closing_pair,
		 "client: sendall(c, \"hello\")\nserver: recv(conn, 5)\n");
	char *out = socklab_output("play", input);
	expect_said(out, "  python  ls.listen(5)\n");
	expect_said(out, "  python  conn, addr = ls.accept()\n");
	expect_said(out, "  python  data = conn.recv(5)\n");
	free(out);
	out = socklab_output("play",
			     "server: ls = socket(AF_INET, SOCK_STREAM)\nserver: listen(ls, 17)\n");
	expect_said(out, "  python  ls.listen(17)\n");
	expect_not_said(out, "s.listen()");
	free(out);
}

/* ---- a listener's queues as ss shows them --------------------------------- */

/* The recv-q and send-q the transcript prints for the LISTEN row on
 * `local`, or false when it prints none. */
static bool transcript_queues(const char *text, const char *local, unsigned *recv_q,
			      unsigned *send_q)
{
	for (const char *line = text; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char side[32], fd[32], address[128], peer[128], state[32];
		const char *row = line + strspn(line, " *");   /* the change mark */
		if (sscanf(row, "%31s %31s %127s %127s %31s %u %u", side, fd, address, peer, state,
			   recv_q, send_q)
			    == 7
		    && strcmp(state, "LISTEN") == 0 && strcmp(address, local) == 0)
			return true;
	}
	return false;
}

/* Lesson 01 step by step in the lab's own namespace: after every step,
 * each LISTEN row's recv-q and send-q are what `ss -tln` shows there. */
static void listen_rows_match_ss(const struct child *child)
{
	struct sandbox sandbox;
	char *err = NULL;
	child_assert(child, sandbox_enter(&sandbox, false, &err) == 0, "%s", err);
	if (sandbox.kind != SANDBOX_NETNS)
		child_finish(child, CHILD_SKIPPED, "no private network namespace here");
	struct diagnostics diag;
	diagnostics_init(&diag, "01");
	const char *text = child->argument;
	struct lesson *lesson = text ? lesson_parse("queued.lesson", text, strlen(text), &diag)
				     : lesson_load(SOURCE_DIR "/lessons/01-echo.lesson", &diag);
	child_assert(child, lesson != NULL, "%s", diag.count ? diag.messages[0] : "?");
	struct session *session = NULL;
	child_assert(child, session_new(&session, lesson, &sandbox, &err) == 0, "%s", err);
	size_t compared = 0, nonzero = 0;
	int result;
	while ((result = session_step(session, &err)) == 0) {
		size_t count;
		const struct lab_event *events = session_events(session, &count);
		char *text = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&text, &len);
		plain_print_log(out, session_info(session), events, count);
		fclose(out);
		/* Only this step's rows: the transcript's last snapshot. */
		char step_head[32];
		snprintf(step_head, sizeof step_head, "\nstep %zu/", session_steps_done(session));
		const char *last = strstr(text, step_head);
		child_assert(child, last != NULL, "no step %zu in the transcript",
			     session_steps_done(session));
		const char *rows = last;
		for (const char *at = strstr(last, "    side "); at;
		     at = strstr(at + 1, "    side "))
			rows = at;
		FILE *ss = popen("ss -tlnH 2>&1", "r");
		child_assert(child, ss != NULL, "popen ss");
		char line[512];
		while (fgets(line, sizeof line, ss)) {
			char state[32], local[128];
			unsigned ss_recv, ss_send, recv_q, send_q;
			if (sscanf(line, "%31s %u %u %127s", state, &ss_recv, &ss_send, local) != 4)
				continue;
			child_assert(child, transcript_queues(rows, local, &recv_q, &send_q),
				     "step %zu: ss lists %s the transcript does not:\n%s\n%s",
				     session_steps_done(session), local, line, rows);
			child_assert(child, recv_q == ss_recv && send_q == ss_send,
				     "step %zu: ss shows %s %u %u, the transcript %u %u",
				     session_steps_done(session), local, ss_recv, ss_send, recv_q,
				     send_q);
			compared++;
			nonzero += ss_recv > 0;
		}
		pclose(ss);
		free(text);
	}
	child_assert(child, result == 1, "%s", err ? err : "?");
	child_assert(child, compared > 0, "no listener was compared");
	child_assert(child, !text || nonzero > 0, "no connection was queued");
	session_free(session);
	lesson_free(lesson);
	diagnostics_done(&diag);
	child_finish(child, CHILD_PASSED,
		     "%zu listener rows equal to ss, %zu with a connection queued", compared,
		     nonzero);
}

Test(evidence_on_the_kernel, listen_rows_show_the_queues_ss_shows, .timeout = 60)
{
	if (access("/usr/bin/ss", X_OK) != 0 && access("/bin/ss", X_OK) != 0)
		cr_skip_test("ss (iproute2) is not installed");
	run_in_child(listen_rows_match_ss, NULL);
}

/* Connections nobody accepted: ss's LISTEN 2 3. */
Test(evidence_on_the_kernel, listen_rows_with_queued_connections_show_what_ss_shows, .timeout = 60)
{
	if (access("/usr/bin/ss", X_OK) != 0 && access("/bin/ss", X_OK) != 0)
		cr_skip_test("ss (iproute2) is not installed");
	run_in_child(listen_rows_match_ss, "title: queued\n"
					   "step server: ls = socket(AF_INET, SOCK_STREAM)\n"
					   "step server: bind(ls, 127.0.0.1:65432)\n"
					   "step server: listen(ls, 3)\n"
					   "step client: a = socket(AF_INET, SOCK_STREAM)\n"
					   "step client: connect(a, 127.0.0.1:65432)\n"
					   "step client: b = socket(AF_INET, SOCK_STREAM)\n"
					   "step client: connect(b, 127.0.0.1:65432)\n");
}
