/* Tests of `socklab step --plain` on the programs students write next
 * (tests/programs/): a forking server, a thread per connection, an event
 * loop, a shell script starting two clients, a client that sleeps first,
 * a client that crashes, a dual-stack server, a program printing through
 * stdio. Each asserts the transcript's facts in order:
 * which process made each call, forks, exits, and the kernel's order. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *run_step(const char *server, const char *client)
{
	char command[2048];
	snprintf(command, sizeof command, "'%s' step --plain --server '%s' --client '%s' 2>&1",
		 SOCKLAB_BINARY, server, client);
	FILE *pipe = popen(command, "r");
	cr_assert_not_null(pipe);
	size_t size = 1 << 20, len = 0;
	char *out = malloc(size);
	cr_assert_not_null(out);
	size_t n;
	while ((n = fread(out + len, 1, size - 1 - len, pipe)) > 0)
		len += n;
	out[len] = '\0';
	int status = pclose(pipe);
	cr_expect_eq(status, 0, "socklab step failed:\n%s", out);
	return out;
}

/* Each of `facts` appears, in this order. */
static void expect_in_order(const char *out, const char *const *facts, size_t count)
{
	const char *at = out;
	for (size_t i = 0; i < count; i++) {
		const char *found = strstr(at, facts[i]);
		cr_expect(found != NULL, "missing, or out of order: %s\n%s", facts[i], out);
		if (!found)
			return;
		at = found + strlen(facts[i]);
	}
}

#define EXPECT_IN_ORDER(out, ...)                                                                  \
	do {                                                                                       \
		static const char *const facts_[] = { __VA_ARGS__ };                               \
		expect_in_order((out), facts_, sizeof facts_ / sizeof facts_[0]);                  \
	} while (0)

Test(step, a_forking_server_is_two_processes_with_fd_tables_of_their_own, .timeout = 60)
{
	char *out = run_step(FORKING_SERVER, ECHO_CLIENT);
	EXPECT_IN_ORDER(out, "server: accept(3, NULL, NULL) = 4",
			"server started server/child1 (fork: pid ", "server: fork()\n  = ",
			"  note: the child holds a copy of each of its parent's fds: every socket "
			"now has two holders",
			"  * server  child1=4 127.0.0.1:65432",
			"server/child1: recvfrom(4, \"Hello, world\"",
			"server/child1: sendto(4, \"Hello, world\"",
			"client: recvfrom(3, \"Hello, world\"", "client exited with code 0",
			/* The last holder's close sends the FIN (a delayed ACK may come first). */
			"server/child1: close(4)\n  = 0\n  wire  server -> client", "FIN-ACK",
			"server/child1 exited with code 0", "server: close(3)",
			"server exited with code 0");
	/* The parent's close of its copy and the child's of the listener, in
	 * whichever order the two processes reached them: no FIN, each. */
	EXPECT_IN_ORDER(out, "server started server/child1",
		"server: close(4)\n  = 0\n  note: the other process still holds it: no FIN",
		"server  child1=4 127.0.0.1:65432          127.0.0.1:");
	EXPECT_IN_ORDER(out, "server started server/child1",
		"server/child1: close(3)\n  = 0\n  note: the other process still holds it: no FIN",
		"server  main=3   127.0.0.1:65432          *                        LISTEN");
	cr_expect(strstr(out, "in accept queue, no fd") == NULL
			  || strstr(out, "in accept queue, no fd") < strstr(out, "step 8/8"),
		  "the child's live socket never reads as queued\n%s", out);
	cr_expect(strstr(out, "wait for each other") == NULL, "%s", out);
	free(out);
}

Test(step, a_thread_per_connection_server_shares_one_fd_table, .timeout = 60)
{
	char *out = run_step(THREAD_SERVER, ECHO_CLIENT);
	EXPECT_IN_ORDER(out,
		"server: accept(3, NULL, NULL) = 4",
		"client: sendto(3, \"Hello, world\", 12, 0, NULL, 0)\n  = 12",
		"server: recvfrom(4, \"Hello, world\"",
		"server: sendto(4, \"Hello, world\"",
		"client: recvfrom(3, \"Hello, world\"",
		"client exited with code 0",
		"server: close(4)",
		"server: close(3)",
		"server exited with code 0");
	cr_expect(strstr(out, "started server/") == NULL, "a thread is no process of its own\n%s",
		  out);
	free(out);
}

Test(step, a_recv_comes_after_the_send_that_fed_it, .timeout = 120)
{
	/* Threads raced here: run a few times, the order never changes. */
	for (int run = 0; run < 3; run++) {
		char *out = run_step(THREAD_SERVER, ECHO_CLIENT);
		const char *sent = strstr(out, "client: sendto(3, \"Hello, world\"");
		const char *received = strstr(out, "server: recvfrom(4, \"Hello, world\"");
		const char *echoed = strstr(out, "server: sendto(4, \"Hello, world\"");
		const char *back = strstr(out, "client: recvfrom(3, \"Hello, world\"");
		cr_expect(sent && received && sent < received, "run %d\n%s", run, out);
		cr_expect(echoed && back && echoed < back, "run %d\n%s", run, out);
		free(out);
	}
}

Test(step, an_event_loop_servers_socketpair_is_a_step_of_its_own, .timeout = 60)
{
	char *out = run_step(LOOP_SERVER, ECHO_CLIENT);
	EXPECT_IN_ORDER(out,
			"step 1/1  server: socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4])\n  = 0\n",
			"  note: fds 3 and 4 are the two ends of one connection: what one sends, "
			"the other receives\n",
			/* The pair's fds are the server's from this step on: rows of their own. */
			"  * server  3        *                        (unnamed)                "
			"ESTABLISHED",
			"  * server  4        *                        (unnamed)                "
			"ESTABLISHED",
			"step 2/2  server: socket(AF_INET, SOCK_STREAM, IPPROTO_IP)\n  = 5",
			"server: poll(", "client: connect(3, {AF_INET, 127.0.0.1:65432}, 16)",
			"client exited with code 0",
			/* The self-pipe: its byte goes from one end to the other. */
			"server: sendto(4, \"x\", 1, 0, NULL, 0)\n  = 1",
			"server: poll([{fd=-1, events=POLLIN}, {fd=-1, events=POLLIN}, {fd=3, "
			"events=POLLIN, revents=POLLIN}]",
			"server: close(3)", "server: close(4)", "server exited with code 0");
	cr_expect(strstr(out, "shown, not stepped") == NULL, "%s", out);
	free(out);
}

Test(step, a_batch_of_datagrams_is_one_step_with_its_messages_and_bytes, .timeout = 60)
{
	char *out = run_step(BATCH_SERVER, BATCH_CLIENT);
	EXPECT_IN_ORDER(
		out, "server: poll([{fd=3, events=POLLIN}], 1, -1)\n  ... blocked in the kernel",
		"step 6/6  client: sendmmsg(3, [{msg_iov=[\"ping\"], msg_len=4}, "
		"{msg_iov=[\"pong!\"], msg_len=5}], 2, 0)\n"
		"  = 2 messages, 9 bytes\n",
		"  wire  client -> server   UDP          len 4 \"ping\"",
		"  wire  client -> server   UDP          len 5 \"pong!\"",
		"then the kernel woke server: poll(",
		/* Each message with the sender's address the kernel filled in. */
		"server: recvmmsg(3, [{msg_name={AF_INET, 127.0.0.1:",
		"}, msg_iov=[\"ping\"], msg_len=4}, {msg_name={AF_INET, 127.0.0.1:",
		"}, msg_iov=[\"pong!\"], msg_len=5}], 4, MSG_DONTWAIT, NULL)\n  = 2 messages, "
		"9 bytes\n",
		"server: sendmmsg(3, [{msg_name={AF_INET, 127.0.0.1:", "  = 2 messages, 9 bytes\n",
		"  wire  server -> client   UDP          len 4 \"ping\"",
		"  wire  server -> client   UDP          len 5 \"pong!\"",
		"server exited with code 0",
		"client: recvmmsg(3, [{msg_iov=[\"ping\"], msg_len=4}, {msg_iov=[\"pong!\"], "
		"msg_len=5}], 2, MSG_DONTWAIT, NULL)\n  = 2 messages, 9 bytes\n",
		"client printed: \"Received ping\"", "client printed: \"Received pong!\"",
		"client exited with code 0");
	cr_expect(strstr(out, "shown, not stepped") == NULL, "%s", out);
	free(out);
}

Test(step, a_shell_script_starting_two_clients_names_each_process, .timeout = 60)
{
	char client[1024];
	snprintf(client, sizeof client, "sh %s/tests/programs/two_clients.sh %s", SOURCE_DIR,
		 ECHO_CLIENT);
	char server[1024];
	snprintf(server, sizeof server, "%s 2", FORKING_SERVER);
	char *out = run_step(server, client);
	EXPECT_IN_ORDER(out,
		"client started client/child1 (fork: pid ",
		"client/child1 runs a new program (exec): ",
		"client/child1: socket(AF_INET, SOCK_STREAM, IPPROTO_IP)\n  = 3",
		"client/child1: connect(3,",
		"client/child1 exited with code 0",
		"client started client/child2 (fork: pid ",
		"client/child2: socket(AF_INET, SOCK_STREAM, IPPROTO_IP)\n  = 3",
		"client/child2: connect(3, {AF_INET, 127.0.0.1:65432}, 16)\n  = 0",
		"client/child2 exited with code 0",
		"client exited with code 0",
		"server exited with code 0");
	cr_expect(strstr(out, "has no peer") == NULL, "%s", out);
	free(out);
}

Test(step, a_client_that_sleeps_first_is_waited_for, .timeout = 60)
{
	char *out = run_step(ECHO_SERVER, LATE_CLIENT);
	EXPECT_IN_ORDER(out,
		"server: accept4(3, ..., [16], 0)\n  ... blocked in the kernel",
		"client asleep in clock_nanosleep; waiting up to 10 s",
		"client: socket(AF_INET, SOCK_STREAM, IPPROTO_IP)",
		"client printed: \"Received late\"",
		"client exited with code 0",
		"server exited with code 0");
	cr_expect(strstr(out, "wait for each other") == NULL, "%s", out);
	free(out);
}

/* A sleep of several of --plain's 100 ms polls is said once, and waited
 * for as a whole (the bound is the sleep's, not each poll's). */
Test(step, a_long_sleep_is_said_once, .timeout = 60)
{
	char *out = run_step(ECHO_SERVER, LATE_CLIENT " 450");
#define SAID "client asleep in clock_nanosleep; waiting up to 10 s"
	const char *first = strstr(out, SAID);
	cr_assert_not_null(first, "%s", out);
	cr_expect_null(strstr(first + 1, SAID), "said more than once:\n%s", out);
	EXPECT_IN_ORDER(out, SAID, "client printed: \"Received late\"",
			"client exited with code 0", "server exited with code 0");
#undef SAID
	free(out);
}

/* The client polls with timeout 0 and never blocks: it stays on turn for
 * its own calls, but the server's held recv goes after STEPPER_FAIR_RELEASES
 * of them, and the reply comes. */
Test(step, a_program_that_never_blocks_does_not_starve_the_other, .timeout = 60)
{
	char *out = run_step(ECHO_SERVER, POLLING_CLIENT);
	EXPECT_IN_ORDER(out, "client: poll([{fd=3, events=POLLIN}], 1, 0)\n  = 0",
			"server: recvfrom(4, \"poll\"", "server: sendto(4, \"poll\"",
			"client printed: \"Received poll after ", "client exited with code 0",
			"server exited with code 0");
	cr_expect_null(strstr(out, "gave up"), "%s", out);
	free(out);
}

/* The server blocks in recv, the client in a poll with a timeout: both
 * blocked, yet the timeout wakes the client, and the run goes on. */
Test(step, both_blocked_with_a_timeout_to_come_is_waited_for, .timeout = 60)
{
	char *out = run_step(ECHO_SERVER, POLLING_CLIENT " 300");
	EXPECT_IN_ORDER(out, "client: poll([{fd=3, events=POLLIN}], 1, 300)\n  ... blocked",
			"server and client are both blocked; waiting up to 10 s for a timeout "
			"or a signal",
			"client printed: \"no reply in 300 ms\"", "client exited with code 0",
			"server exited with code 0");
	cr_expect_null(strstr(out, "wait for each other"), "%s", out);
	free(out);
}

/* An alarm's handler without SA_RESTART makes the blocked accept return
 * -1 EINTR, and the server calls it again; with SA_RESTART the kernel runs
 * it again and the program sees nothing. */
Test(step, a_call_a_signal_cuts_short_says_eintr_unless_the_kernel_restarts_it,
     .timeout = 60)
{
	char *out = run_step(ALARM_SERVER " norestart", LATE_CLIENT " 450");
	EXPECT_IN_ORDER(out, "server: accept(3, NULL, NULL)\n  ... blocked in the kernel",
			"server: accept(3, NULL, NULL)\n  then the kernel woke server: accept(3, "
			"NULL, NULL) = -1 EINTR (Interrupted system call)",
			"server printed: \"accept: EINTR, again\"",
			"server: accept(3, NULL, NULL)\n  ... blocked in the kernel",
			"client: connect(3,", "= 4", "server exited with code 0");
	free(out);
	out = run_step(ALARM_SERVER " restart", LATE_CLIENT " 450");
	EXPECT_IN_ORDER(out, "server: accept(3, NULL, NULL)\n  ... blocked in the kernel",
			"client: connect(3,", "accept(3, NULL, NULL) = 4",
			"server exited with code 0");
	cr_expect_null(strstr(out, "EINTR"), "%s", out);
	free(out);
}

Test(step, a_client_that_crashes_ends_with_its_signal, .timeout = 60)
{
	char *out = run_step(ECHO_SERVER, CRASHING_CLIENT);
	EXPECT_IN_ORDER(out,
		"client: sendto(3, \"crash\", 5, 0, NULL, 0)\n  = 5",
		"client killed by SIGSEGV",
		"server: recvfrom(4, \"crash\"",
		/* The kernel closed the dead process's fds: none is left open. */
		"  * client  --       127.0.0.1:",
		"fd closed, kernel finishing",
		"server exited with code 0");
	free(out);
}

/* The server's death wakes the client's recv with its FIN: the death is
 * told first, and the step's table shows the dead server's socket with no
 * fd (the kernel closed it), never "fd still open". A race the lab must
 * win each time: five runs. */
Test(step, a_server_that_crashes_is_gone_before_the_recv_its_death_woke, .timeout = 120)
{
	for (int run = 0; run < 5; run++) {
		char *out = run_step(CRASHING_SERVER, ECHO_CLIENT);
		EXPECT_IN_ORDER(out, "server killed by SIGSEGV",
				"then the kernel woke client: recvfrom(3, \"\", ",
				"  * server  --       127.0.0.1:65432",
				"fd closed, kernel finishing", "client exited with code 0");
		cr_expect_null(strstr(out, "fd still open"), "run %d:\n%s", run, out);
		free(out);
	}
}

Test(step, a_client_that_computes_first_is_waited_for_with_a_bound, .timeout = 60)
{
	char *out = run_step(ECHO_SERVER, BUSY_CLIENT);
	EXPECT_IN_ORDER(out,
		"client runs between its socket calls (computing); waiting up to 10 s",
		"client: socket(AF_INET, SOCK_STREAM, IPPROTO_IP)",
		"client: connect(3, {AF_INET, 127.0.0.1:65432}, 16)\n  = 0",
		"client exited with code 0",
		"server exited with code 0");
	cr_expect(strstr(out, "wait for each other") == NULL, "%s", out);
	free(out);
}

/* getaddrinfo's netlink socket: its address is named, its row says the
 * lab does not read that family rather than "no address yet", and the
 * messages it carries are decoded: the request, the addresses, the end. */
Test(step, getaddrinfos_netlink_socket_is_named_and_said_unread, .timeout = 60)
{
	char server[1024];
	snprintf(server, sizeof server, "python3 %s/tests/programs/addresses.py", SOURCE_DIR);
	char *out = run_step(server, "true");
	EXPECT_IN_ORDER(out,
			"server: socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE)\n  = 3",
			"  * server  3        ?                        ?                        -  "
			"              0     0  not TCP, UDP or Unix: not read",
			"server: bind(3, {AF_NETLINK, netlink port 0}, 12)",
			"server: sendto(3, [{nlmsg_len=20, nlmsg_type=RTM_GETADDR, "
			"nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, ",
			"nlmsg_type=RTM_NEWADDR, nlmsg_flags=NLM_F_MULTI, ",
			"{ifa_family=AF_INET, ifa_prefixlen=8, ifa_flags=IFA_F_PERMANENT, "
			"ifa_scope=RT_SCOPE_HOST, ifa_index=1}, [IFA_ADDRESS=127.0.0.1, "
			"IFA_LOCAL=127.0.0.1, IFA_LABEL=\"lo\"",
			" bytes from netlink port 0 (the messages, in the call)\n",
			"nlmsg_type=NLMSG_DONE, ",
			"  = 20 bytes from netlink port 0 (the messages, in the call)\n",
			"server exited with code 0");
	cr_expect(strstr(out, "(family 16)") == NULL, "%s", out);
	cr_expect(strstr(out, "sendto(3, \"\\x14") == NULL, "the request is not bytes: %s", out);
	cr_expect(strstr(out, "\"\\x14\\x00") == NULL, "no reply is shown again as bytes: %s", out);
	free(out);
}

/* The line of the transcript before the one holding `text`: what stands
 * above a step ("server: FILE:LINE: SOURCE" when the step has a line). */
static char *line_above(const char *out, const char *text)
{
	const char *at = strstr(out, text);
	cr_assert_not_null(at, "missing: %s\n%s", text, out);
	while (at > out && at[-1] != '\n')
		at--;
	const char *end = at > out ? at - 1 : at, *start = end;
	while (start > out && start[-1] != '\n')
		start--;
	return strndup(start, (size_t)(end - start));
}

/* A Python server's waits in a poll object and a selector (epoll) say the
 * line that waits; a close no line made (the collector's) says none. */
Test(step, a_python_wait_in_a_poll_object_says_the_line_that_waits, .timeout = 60)
{
	char server[1024];
	snprintf(server, sizeof server, "python3 %s/tests/programs/poll_server.py", SOURCE_DIR);
	char *out = run_step(server, ECHO_CLIENT);
	EXPECT_IN_ORDER(out,
			"server: poll_server.py:16: ready = p.poll()\n"
			"step 5/5  server: poll([{fd=3, events=POLLIN}], 1, -1)",
			"server: poll_server.py:17: conn, addr = s.accept()\n",
			"server: poll_server.py:20: for key, events in sel.select():\n"
			"step ", "  server: epoll_wait(",
			"server: poll_server.py:21: conn.sendall(conn.recv(1024))\n",
			"  server: close(4)\n",
			"server: poll_server.py:26: os.close(fd)\nstep ", "  server: close(3)\n",
			"server exited with code 0");
	/* select.poll() and register() make no call the lab shows. */
	cr_expect(strstr(out, "p = select.poll()") == NULL, "%s", out);
	cr_expect(strstr(out, "register(") == NULL, "%s", out);
	char *above = line_above(out, "  server: close(4)\n");
	cr_expect(strstr(above, "poll_server.py") == NULL, "close(4) has no line: %s\n%s", above,
		  out);
	free(above);
	free(out);
}

/* Whether some socket row is printed twice in a row: the same socket
 * listed twice in one table. */
static const char *repeated_row(const char *out)
{
	const char *line = out, *previous = NULL;
	size_t previous_len = 0;
	while (*line) {
		const char *end = strchrnul(line, '\n');
		size_t len = (size_t)(end - line);
		/* "    server  3 ..." or "  * client  4 ...": a row, marked or not. */
		bool row = len > 10 && line[0] == ' ' && line[1] == ' ' && line[3] == ' '
			&& (strncmp(line + 4, "server", 6) == 0
			    || strncmp(line + 4, "client", 6) == 0);
		bool same = row && previous && len == previous_len
			&& strncmp(line + 4, previous + 4, len - 4) == 0;
		if (same)
			return line;
		previous = row ? line : NULL;
		previous_len = len;
		line = *end ? end + 1 : end;
	}
	return NULL;
}

Test(step, a_dual_stack_server_takes_an_ipv4_client_as_one_connection, .timeout = 60)
{
	char *out = run_step(DUAL_STACK_SERVER, ECHO_CLIENT);
	EXPECT_IN_ORDER(out, "server: socket(AF_INET6, SOCK_STREAM, IPPROTO_IP)\n  = 3",
			"server: setsockopt(3, IPPROTO_IPV6, IPV6_V6ONLY, [0], 4)",
			"  * server  3        [::]:65432               *                        "
			"LISTEN",
			"client: connect(3, {AF_INET, 127.0.0.1:65432}, 16)\n  = 0\n"
			"  wire  client -> server   SYN ",
			"  wire  server -> client   SYN-ACK",
			/* The kernel shows the IPv4 client to the IPv6 socket as v4-mapped. */
			"= 4, peer [::ffff:127.0.0.1]:",
			"  * server  4        [::ffff:127.0.0.1]:65432 [::ffff:127.0.0.1]:",
			"    client  3        127.0.0.1:", "client: sendto(3, \"Hello, world\"",
			"  wire  client -> server   PSH-ACK", "client exited with code 0",
			"server exited with code 0");
	/* A v4-mapped address is the IPv4 client, not the kernel's own traffic. */
	cr_expect(strstr(out, "kernel ->") == NULL && strstr(out, "-> kernel") == NULL, "%s",
		  out);
	/* The connection's two sockets answer each other's lookup across the
	 * families: each is still one row. */
	const char *repeated = repeated_row(out);
	cr_expect(repeated == NULL, "a socket listed twice: %.120s\n%s", repeated ? repeated : "",
		  out);
	free(out);
}

Test(step, a_programs_output_comes_as_a_terminal_shows_it_whole, .timeout = 60)
{
	char *out = run_step(PRINTER, "true");
	/* stdio on the program's own terminal: the line comes before the
	 * call after it, the prompt without its newline, the 10 KB line whole. */
	EXPECT_IN_ORDER(out, "\nserver printed: \"hello from printer\"\n",
			"server: socket(AF_INET, SOCK_DGRAM, IPPROTO_IP)",
			"\nserver printed: \"name? \" (no newline yet)\n", "server: close(3)",
			"\nserver printed: \"xxxxxxxxxx", "server exited with code 0");
	const char *line = strstr(out, "server printed: \"xxx");
	cr_assert_not_null(line, "%s", out);
	size_t xs = strspn(line + strlen("server printed: \""), "x");
	cr_expect_eq(xs, 10240, "the 10 KB line came in %zu bytes", xs);
	cr_expect(strncmp(line + strlen("server printed: \"") + xs, "\"\n", 2) == 0,
		  "one line, closed");
	free(out);
}

Test(step, a_server_left_serving_is_said_to_wait_in_the_call_it_sleeps_in, .timeout = 60)
{
	char server[1024];
	snprintf(server, sizeof server, "%s forever", THREAD_SERVER);
	char *out = run_step(server, ECHO_CLIENT);
	/* The thread's close(4) is the last call shown; the main thread has
	 * slept in accept() since the connection came. */
	EXPECT_IN_ORDER(out, "client exited with code 0", "server: close(4)",
			"\nthe client is over and the server waits in accept(3, NULL, NULL): "
			"stopped\n");
	cr_expect(strstr(out, "server exited") == NULL, "%s", out);
	free(out);
}
