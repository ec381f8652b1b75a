/* Tests for tracer: real programs stopped at their socket calls.
 *
 * The echo pairs are stepped as --plain does: the server runs until it
 * blocks, then the client, and so on in turn; every event becomes one line
 * of a transcript, compared whole with what the kernel must do. The C
 * pair (tests/programs/, built by CMake) listens on port 0 and says its
 * port on stdout. The Python pair is the tutorial's, fixed on port 65432,
 * so it runs in a forked child that unshares a network namespace of its
 * own (Criterion's worker has a second thread; unshare(CLONE_NEWUSER)
 * wants one); the child sends its transcript back through a pipe and
 * only the parent asserts.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "tracer.h"

#ifndef ECHO_SERVER
#error "build with -DECHO_SERVER=path -DECHO_CLIENT=path -DSOCKET_TOUR=path -DSYSCALL_LOOP=path" \
	" -DDUP_SOCKET=path -DSOURCE_DIR=path"
#endif

#define RUN_TIMEOUT_MS 20000

enum child_verdict {
	CHILD_PASSED = 0,
	CHILD_FAILED = 1,
	CHILD_SKIPPED = 2,
};

/* What one side of a pair did, as lines. */
struct side {
	const char *name;
	struct tracer *tracer;
	char transcript[8192];
	size_t transcript_len;
	char output[4096];
	size_t output_len;
	bool keep_calls;                 /* keep a copy of every CALL and RETURNED event
	                                    (66 KiB each) */
	struct tracer_event *calls;      /* owned: those copies, in order */
	size_t call_count;
	size_t shown_count;              /* CALL events */
	size_t startup_count;            /* RETURNED events of the interpreter's start-up */
	size_t startup_held;             /* of those, held (none should be) */
	char startup[2048];              /* their texts, a line each */
	size_t startup_len;
};

static void append(char *text, size_t size, size_t *len, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	int n = vsnprintf(text + *len, size - *len, format, args);
	va_end(args);
	if (n > 0)
		*len = *len + (size_t)n < size ? *len + (size_t)n : size - 1;
}

/* One line per event: "server call accept4 @ echo-server.py:13: conn, addr = s.accept()",
 * "server returned accept4 = 4 woke", "client blocked recvfrom",
 * "server settled (blocked in accept4)". */
static void record(const struct tracer_event *event, void *context)
{
	struct side *side = context;
	char *text = side->transcript;
	size_t size = sizeof side->transcript;
	size_t *len = &side->transcript_len;
	if (event->startup) {
		side->startup_count++;
		side->startup_held += event->held;
		append(side->startup, sizeof side->startup, &side->startup_len, "%s\n",
		       event->text);
		return;
	}
	switch (event->kind) {
	case TRACER_CALL:
		append(text, size, len, "%s call %s%s%s\n", side->name, event->name,
		       event->line[0] ? " @ " : "", event->line);
		break;
	case TRACER_RETURNED:
		append(text, size, len, "%s returned %s = %ld%s%s%s\n", side->name, event->name,
		       event->ret, event->error ? " " : "",
		       event->error ? strerrorname_np(event->error) : "",
		       event->woke ? " woke" : "");
		break;
	case TRACER_BLOCKED:
		append(text, size, len, "%s blocked %s\n", side->name, event->name);
		break;
	case TRACER_SETTLED:
		append(text, size, len, "%s settled (%s)\n", side->name,
		       tracer_event_where(event, (char[256]){ 0 }, 256));
		break;
	case TRACER_EXITED:
		append(text, size, len, "%s exited (%s)%s\n", side->name, event->message,
		       event->program_over ? "" : " more to come");
		break;
	case TRACER_FORKED:
		append(text, size, len, "%s forked\n", side->name);
		break;
	case TRACER_EXECED:
		append(text, size, len, "%s execed\n", side->name);
		break;
	case TRACER_OUTPUT:
		if (side->output_len + event->bytes_len < sizeof side->output) {
			memcpy(side->output + side->output_len, event->bytes, event->bytes_len);
			side->output_len += event->bytes_len;
			side->output[side->output_len] = '\0';
		}
		break;
	case TRACER_EVENT_KIND_COUNT:
		break;
	}
	if (event->kind == TRACER_CALL)
		side->shown_count++;
	if (side->keep_calls && (event->kind == TRACER_CALL || event->kind == TRACER_RETURNED)) {
		struct tracer_event *calls =
			realloc(side->calls, (side->call_count + 1) * sizeof *calls);
		if (calls) {
			side->calls = calls;
			memcpy(&calls[side->call_count++], event, sizeof *event);
		}
	}
}

/* The n-th CALL or RETURNED event of `name` on a side, or NULL. */
static const struct tracer_event *find_call(const struct side *side, enum tracer_event_kind kind,
					    const char *name, int nth)
{
	for (size_t i = 0; i < side->call_count; i++)
		if (side->calls[i].kind == kind && strcmp(side->calls[i].name, name) == 0
		    && nth-- == 0)
			return &side->calls[i];
	return NULL;
}

static void side_done(struct side *side)
{
	tracer_free(side->tracer);
	side->tracer = NULL;
	free(side->calls);
	side->calls = NULL;
}

/* Runs a side until its program blocks or is over; returns the run result or -1 with *err. */
static int run_side(struct side *side, char **err)
{
	return tracer_run_until_blocked_or_exit(side->tracer, record, side, RUN_TIMEOUT_MS, err);
}

/* The whole --plain order: server until blocked, then the client, in turn, until both are over.
 * Returns 0, or -1 with *err. The server is started by the caller (it may need its port). */
static int step_pair(struct side *server, struct side *client, char *const client_argv[],
		     unsigned flags, char **err)
{
	if (tracer_start(&client->tracer, client_argv, client->name, flags, err) < 0)
		return -1;
	bool server_over = false, client_over = false;
	for (int turn = 0; turn < 20 && !(server_over && client_over); turn++) {
		struct side *side = turn % 2 == 0 ? client : server;
		bool *over = turn % 2 == 0 ? &client_over : &server_over;
		if (*over)
			continue;
		int result = run_side(side, err);
		if (result < 0)
			return -1;
		if (result == TRACER_RUN_TIMEOUT) {
			*err = strdup("a side never settled");
			return -1;
		}
		*over = result == TRACER_RUN_OVER;
	}
	return 0;
}

Test(tracer, steps_the_c_echo_pair_in_plain_order)
{
	struct side server = { .name = "server", .keep_calls = true },
		    client = { .name = "client", .keep_calls = true };
	char *err = NULL;
	char *server_argv[] = { ECHO_SERVER, "0", NULL };
	cr_assert_eq(tracer_start(&server.tracer, server_argv, "server", TRACER_PLAIN, &err), 0,
		     "%s", err);
	cr_assert_eq(run_side(&server, &err), TRACER_RUN_SETTLED, "%s",
		     err ? err : server.transcript);
	int port = 0;
	cr_assert_eq(sscanf(server.output, "port %d", &port), 1, "the server said: %s",
		     server.output);
	char port_text[16];
	snprintf(port_text, sizeof port_text, "%d", port);
	char *client_argv[] = { ECHO_CLIENT, port_text, NULL };
	cr_assert_eq(step_pair(&server, &client, client_argv, TRACER_PLAIN, &err), 0, "%s", err);

	cr_assert_str_eq(server.transcript,
			 "server call socket\n"
			 "server returned socket = 3\n"
			 "server call setsockopt\n"
			 "server returned setsockopt = 0\n"
			 "server call bind\n"
			 "server returned bind = 0\n"
			 "server call listen\n"
			 "server returned listen = 0\n"
			 "server call getsockname\n"
			 "server returned getsockname = 0\n"
			 "server call accept4\n"
			 "server blocked accept4\n"
			 "server settled (blocked in accept4)\n"
			 "server returned accept4 = 4 woke\n"
			 "server call recvfrom\n"
			 "server returned recvfrom = 12\n"
			 "server call sendto\n"
			 "server returned sendto = 12\n"
			 "server call recvfrom\n"
			 "server blocked recvfrom\n"
			 "server settled (blocked in recvfrom)\n"
			 "server returned recvfrom = 0 woke\n"
			 "server call close\n"
			 "server returned close = 0\n"
			 "server call close\n"
			 "server returned close = 0\n"
			 "server exited (exited with code 0)\n");
	cr_assert_str_eq(client.transcript,
			 "client call socket\n"
			 "client returned socket = 3\n"
			 "client call connect\n"
			 "client returned connect = 0\n"
			 "client call sendto\n"
			 "client returned sendto = 12\n"
			 "client call recvfrom\n"
			 "client blocked recvfrom\n"
			 "client settled (blocked in recvfrom)\n"
			 "client returned recvfrom = 12 woke\n"
			 "client call close\n"
			 "client returned close = 0\n"
			 "client exited (exited with code 0)\n");
	cr_assert_str_eq(client.output, "Received Hello, world\n");

	/* Decoded as strace does, tied to the catalog and to sock_diag's inodes. */
	const struct tracer_event *bind = find_call(&server, TRACER_CALL, "bind", 0);
	cr_assert_str_eq(bind->text, "bind(3, {AF_INET, 127.0.0.1:0}, 16)");
	cr_assert_str_eq(lab_address_shown(&bind->target).text, "127.0.0.1:0");
	cr_assert_eq(bind->call, CALL_BIND);
	const struct tracer_event *socket_returned =
		find_call(&server, TRACER_RETURNED, "socket", 0);
	cr_assert_str_eq(socket_returned->text, "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3");
	cr_assert_neq(socket_returned->result_inode, 0);
	cr_assert_eq(bind->inode, socket_returned->result_inode,
		     "the fd's inode is the new socket's");
	const struct tracer_event *listen = find_call(&server, TRACER_CALL, "listen", 0);
	cr_assert_str_eq(listen->text, "listen(3, 5)");
	const struct tracer_event *accepted = find_call(&server, TRACER_RETURNED, "accept4", 0);
	cr_assert_eq(accepted->call, CALL_ACCEPT);
	struct lab_address_shown peer = lab_address_shown(&accepted->address);
	cr_assert_eq(strncmp(peer.text, "127.0.0.1:", 10), 0, "%s", peer.text);
	cr_assert_neq(accepted->result_inode, 0);
	cr_assert(accepted->woke);
	const struct tracer_event *received = find_call(&server, TRACER_RETURNED, "recvfrom", 0);
	cr_assert_eq(received->call, CALL_RECV);
	cr_assert_eq(received->bytes_len, 12);
	cr_assert_eq(memcmp(received->bytes, "Hello, world", 12), 0);
	cr_assert_str_eq(received->text, "recvfrom(4, \"Hello, world\", 1024, 0, NULL, NULL) = 12");
	const struct tracer_event *sent = find_call(&client, TRACER_CALL, "sendto", 0);
	cr_assert_str_eq(sent->text, "sendto(3, \"Hello, world\", 12, 0, NULL, 0)");
	cr_assert_eq(sent->call, CALL_SEND);
	cr_assert_eq(sent->bytes_len, 12);
	const struct tracer_event *connect = find_call(&client, TRACER_CALL, "connect", 0);
	char target[32];
	snprintf(target, sizeof target, "127.0.0.1:%d", port);
	cr_assert_str_eq(lab_address_shown(&connect->target).text, target);
	side_done(&server);
	side_done(&client);
}

/* ---- the Python pair, in a private network namespace ---- */

static void __attribute__((noreturn, format(printf, 3, 4)))
child_finish(int report_fd, enum child_verdict verdict, const char *format, ...)
{
	char message[16384];
	va_list args;
	va_start(args, format);
	int length = vsnprintf(message, sizeof message, format, args);
	va_end(args);
	if (length > 0 && write(report_fd, message, strlen(message)) < 0)
		_exit(CHILD_FAILED);
	_exit(verdict);
}

/* A network namespace of our own with lo up; a skip (with the reason) where none is given. */
static void enter_private_network(int report_fd)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0) {
		char map[64];
		int fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "deny", 4) < 0)
				child_finish(report_fd, CHILD_SKIPPED, "write setgroups: %s",
					     strerror(errno));
			close(fd);
		}
		const struct { const char *path; unsigned id; } maps[] = {
			{ "/proc/self/uid_map", uid }, { "/proc/self/gid_map", gid },
		};
		for (size_t i = 0; i < 2; i++) {
			snprintf(map, sizeof map, "%u %u 1", maps[i].id, maps[i].id);
			fd = open(maps[i].path, O_WRONLY | O_CLOEXEC);
			if (fd < 0 || write(fd, map, strlen(map)) < 0)
				child_finish(report_fd, CHILD_SKIPPED, "write %s: %s", maps[i].path,
					     strerror(errno));
			close(fd);
		}
	} else if (uid != 0 || unshare(CLONE_NEWNET) != 0) {
		child_finish(report_fd, CHILD_SKIPPED,
			     "no private network namespace for port 65432 here: %s",
			     strerror(errno));
	}
	struct ifreq request = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &request) < 0)
		child_finish(report_fd, CHILD_FAILED, "SIOCGIFFLAGS lo: %s", strerror(errno));
	request.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &request) < 0)
		child_finish(report_fd, CHILD_FAILED, "bring lo up: %s", strerror(errno));
	close(fd);
}

static const char *python_line(const struct side *side, const char *name, int nth)
{
	const struct tracer_event *event = find_call(side, TRACER_CALL, name, nth);
	return event ? event->line : "(no such call)";
}

/* "127.0.0.1:40450" -> "127.0.0.1:X": the client's port is the kernel's choice. */
static void hide_port(char *text)
{
	char *at = strstr(text, "127.0.0.1:");
	if (!at)
		return;
	at += 10;
	size_t digits = strspn(at, "0123456789");
	if (digits) {
		*at = 'X';
		memmove(at + 1, at + digits, strlen(at + digits) + 1);
	}
}

/* How the tutorial's pair is started. */
struct python_start {
	bool without_home;       /* Python's start-up then asks the C library for the
				  * user's home, and glibc first tries nscd's socket:
				  * socket calls before the script's first line */
	bool through_launcher;   /* python3 is a launcher whose helper processes make
				  * socket calls and exit before the interpreter runs */
};

/* The tutorial's pair, stepped as --plain does. Calls made before the
 * script's first line are not the program's and must not be stepped. */
static void step_python_pair_in(int report_fd, struct python_start start)
{
	enter_private_network(report_fd);
	if (start.without_home)
		unsetenv("HOME");
	const char *python = "python3";
	if (start.through_launcher) {
		python = SOURCE_DIR "/tests/programs/launcher/python3";
		setenv("REAL_PYTHON", "python3", 1);
		setenv("SOCKET_TOUR", SOCKET_TOUR, 1);
	}
	const char *reporter = SOURCE_DIR "/examples/trace_python_lines.py";
	char *server_script[] = { (char *)python, SOURCE_DIR "/examples/echo-server.py", NULL };
	char *client_script[] = { (char *)python, SOURCE_DIR "/examples/echo-client.py", NULL };
	char **server_argv, **client_argv, *err = NULL;
	if (tracer_python_argv(server_script, reporter, &server_argv, &err) != 1
	    || tracer_python_argv(client_script, reporter, &client_argv, &err) != 1)
		child_finish(report_fd, CHILD_FAILED,
			     "tracer_python_argv refused the tutorial's command");
	struct side server = { .name = "server", .keep_calls = true },
		    client = { .name = "client", .keep_calls = true };
	if (tracer_start(&server.tracer, server_argv, "server", TRACER_REPORTS_LINES, &err) < 0) {
		if (strstr(err, "no such program"))
			child_finish(report_fd, CHILD_SKIPPED, "python3 is not installed: %s", err);
		child_finish(report_fd, CHILD_FAILED, "%s", err);
	}
	if (run_side(&server, &err) != TRACER_RUN_SETTLED)
		child_finish(report_fd, CHILD_FAILED, "server: %s\n%s%s",
			     err ? err : "did not settle", server.transcript, server.output);
	if (step_pair(&server, &client, client_argv, TRACER_REPORTS_LINES, &err) < 0)
		child_finish(report_fd, CHILD_FAILED, "%s", err);
	/* Python's calls, each with the line of the tutorial that made it. */
	char text[16384];
	size_t len = 0;
	append(text, sizeof text, &len, "%s%s", server.transcript, client.transcript);
	append(text, sizeof text, &len, "client printed %s", client.output);
	const struct tracer_event *accepted = find_call(&server, TRACER_RETURNED, "accept4", 0);
	const struct tracer_event *listen = find_call(&server, TRACER_CALL, "listen", 0);
	char accepted_text[TRACER_TEXT_MAX];
	snprintf(accepted_text, sizeof accepted_text, "%s", accepted ? accepted->text : "?");
	hide_port(accepted_text);
	append(text, sizeof text, &len, "%s\n%s\n", listen ? listen->text : "?", accepted_text);
	append(text, sizeof text, &len, "close(4) @ %s\nclose(3) @ %s\n",
	       python_line(&server, "close", 0), python_line(&server, "close", 1));
	size_t startup_count = server.startup_count + client.startup_count;
	if (start.without_home || start.through_launcher) {
		if (startup_count == 0)
			child_finish(report_fd, CHILD_SKIPPED,
				     "no socket call came before the script's first line here, "
				     "even without HOME");
		append(text, sizeof text, &len, "start-up calls held: %zu\n",
		       server.startup_held + client.startup_held);
	}
	free(server_argv);
	free(client_argv);
	side_done(&server);
	side_done(&client);
	child_finish(report_fd, CHILD_PASSED, "%s", text);
}

static void step_python_pair(int report_fd)
{
	step_python_pair_in(report_fd, (struct python_start){ 0 });
}

static void step_python_pair_without_home(int report_fd)
{
	step_python_pair_in(report_fd, (struct python_start){ .without_home = true });
}

static void step_python_pair_through_a_launcher(int report_fd)
{
	step_python_pair_in(report_fd, (struct python_start){ .through_launcher = true });
}

/* Runs body in a forked child; returns its report, skipping or failing the test as it says. */
static void run_in_child(void (*body)(int report_fd), char *report, size_t size)
{
	int pipe_fds[2];
	cr_assert_eq(pipe2(pipe_fds, O_CLOEXEC), 0);
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		close(pipe_fds[0]);
		body(pipe_fds[1]);
		_exit(CHILD_PASSED);
	}
	close(pipe_fds[1]);
	size_t len = 0;
	ssize_t n;
	while (len < size - 1 && (n = read(pipe_fds[0], report + len, size - 1 - len)) > 0)
		len += (size_t)n;
	report[len] = '\0';
	close(pipe_fds[0]);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "the child was killed by signal %d: %s", WTERMSIG(status),
		  report);
	if (WEXITSTATUS(status) == CHILD_SKIPPED)
		cr_skip_test("%s", report);
	cr_assert_eq(WEXITSTATUS(status), CHILD_PASSED, "in the child: %s", report);
}

/* What --plain order makes of the tutorial's pair, each call with its line. */
static const char python_pair_transcript[] =
	"server call socket @ echo-server.py:10: with socket.socket(socket.AF_INET, "
	"socket.SOCK_STREAM) as s:\n"
	"server returned socket = 3\n"
	"server call bind @ echo-server.py:11: s.bind((HOST, PORT))\n"
	"server returned bind = 0\n"
	"server call listen @ echo-server.py:12: s.listen()\n"
	"server returned listen = 0\n"
	"server call accept4 @ echo-server.py:13: conn, addr = s.accept()\n"
	"server blocked accept4\n"
	"server settled (blocked in accept4)\n"
	"server returned accept4 = 4 woke\n"
	/* socket.socket(fileno=fd) asks the kernel what the new fd is */
	"server call getsockname @ echo-server.py:13: conn, addr = s.accept()\n"
	"server returned getsockname = 0\n"
	"server call recvfrom @ echo-server.py:17: data = conn.recv(1024)\n"
	"server returned recvfrom = 12\n"
	"server call sendto @ echo-server.py:20: conn.sendall(data)\n"
	"server returned sendto = 12\n"
	"server call recvfrom @ echo-server.py:17: data = conn.recv(1024)\n"
	"server blocked recvfrom\n"
	"server settled (blocked in recvfrom)\n"
	"server returned recvfrom = 0 woke\n"
	"server call close @ echo-server.py:14: with conn:\n"
	"server returned close = 0\n"
	"server call close @ echo-server.py:10: with socket.socket(socket.AF_INET, "
	"socket.SOCK_STREAM) as s:\n"
	"server returned close = 0\n"
	"server exited (exited with code 0)\n"
	"client call socket @ echo-client.py:8: with socket.socket(socket.AF_INET, "
	"socket.SOCK_STREAM) as s:\n"
	"client returned socket = 3\n"
	"client call connect @ echo-client.py:9: s.connect((HOST, PORT))\n"
	"client returned connect = 0\n"
	"client call sendto @ echo-client.py:10: s.sendall(b\"Hello, world\")\n"
	"client returned sendto = 12\n"
	"client call recvfrom @ echo-client.py:11: data = s.recv(1024)\n"
	"client blocked recvfrom\n"
	"client settled (blocked in recvfrom)\n"
	"client returned recvfrom = 12 woke\n"
	"client call close @ echo-client.py:8: with socket.socket(socket.AF_INET, "
	"socket.SOCK_STREAM) as s:\n"
	"client returned close = 0\n"
	"client exited (exited with code 0)\n"
	"client printed Received b'Hello, world'\n"
	/* s.listen(): Python's default backlog, min(SOMAXCONN, 128) */
	"listen(3, 128)\n"
	"accept4(3, {AF_INET, 127.0.0.1:X}, [16], SOCK_CLOEXEC) = 4\n"
	"close(4) @ echo-server.py:14: with conn:\n"
	"close(3) @ echo-server.py:10: with socket.socket(socket.AF_INET, "
	"socket.SOCK_STREAM) as s:\n";

Test(tracer, steps_the_tutorials_python_pair_with_its_lines, .timeout = 120)
{
	static char report[16384];
	run_in_child(step_python_pair, report, sizeof report);
	cr_assert_str_eq(report, python_pair_transcript);
}

Test(tracer, runs_the_interpreters_start_up_calls_unstopped, .timeout = 120)
{
	static char report[16384];
	run_in_child(step_python_pair_without_home, report, sizeof report);
	char expected[sizeof python_pair_transcript + 64];
	snprintf(expected, sizeof expected, "%sstart-up calls held: 0\n", python_pair_transcript);
	cr_assert_str_eq(report, expected);
}

/* CI's python3 is pyenv's shim: bash and pyenv's helpers run first, and
 * without HOME each asks nscd for the user over a socket. */
Test(tracer, leaves_out_a_launchers_helper_processes, .timeout = 120)
{
	static char report[16384];
	run_in_child(step_python_pair_through_a_launcher, report, sizeof report);
	char expected[sizeof python_pair_transcript + 64];
	snprintf(expected, sizeof expected, "%sstart-up calls held: 0\n", python_pair_transcript);
	cr_assert_str_eq(report, expected);
}

/* ---- bad input ---- */

/* The seccomp filters of a process, as the kernel counts them (Linux 5.9+), or -1. */
static int seccomp_filter_count(pid_t pid)
{
	char path[64], text[4096];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *file = fopen(path, "r");
	if (!file)
		return -1;
	size_t n = fread(text, 1, sizeof text - 1, file);
	fclose(file);
	text[n] = '\0';
	const char *at = strstr(text, "Seccomp_filters:");
	return at ? atoi(at + 16) : -1;
}

/* read, write and close stop a program only on its sockets: each socket
 * fd gets a filter of its own, so a file's writes run at full speed. */
Test(tracer, gives_each_socket_fd_a_filter_of_its_own)
{
	struct tracer *tracer = NULL;
	char *err = NULL;
	char *argv[] = { SYSCALL_LOOP, "getsockname", "2", NULL };
	cr_assert_eq(tracer_start(&tracer, argv, "client", TRACER_PLAIN, &err), 0, "%s",
		     err ? err : "");
	struct tracer_event *event = malloc(sizeof *event);
	cr_assert_not_null(event);
	int filters_at_socket = -2, filters_at_getsockname = -2;
	for (int i = 0; i < 50; i++) {
		int got = tracer_wait(tracer, event, 5000, &err);
		cr_assert_geq(got, 0, "%s", err ? err : "");
		cr_assert_eq(got, 1, "no event within 5 s");
		if (event->kind == TRACER_CALL && strcmp(event->name, "socket") == 0)
			filters_at_socket = seccomp_filter_count(event->task);
		if (event->kind == TRACER_CALL && strcmp(event->name, "getsockname") == 0) {
			filters_at_getsockname = seccomp_filter_count(event->task);
			break;
		}
		if (event->held)
			cr_assert_eq(tracer_release(tracer, event->task, &err), 0, "%s",
				     err ? err : "");
	}
	if (filters_at_socket == -1)
		cr_skip_test("this kernel does not count seccomp filters in /proc/PID/status "
			     "(Linux 5.9+)");
	cr_assert_eq(filters_at_socket, 1, "before the socket: the base filter alone");
	cr_assert_eq(filters_at_getsockname, 2, "after socket(): one more filter, for its fd");
	free(event);
	tracer_free(tracer);
}

/* A copy of a socket fd (dup2, fcntl F_DUPFD) is a socket fd too: its
 * writes stop the program as the original's do. */
Test(tracer, shows_writes_through_a_copied_socket_fd)
{
	struct tracer *tracer = NULL;
	char *err = NULL;
	char *argv[] = { DUP_SOCKET, NULL };
	cr_assert_eq(tracer_start(&tracer, argv, "client", TRACER_PLAIN, &err), 0, "%s",
		     err ? err : "");
	struct tracer_event *event = malloc(sizeof *event);
	cr_assert_not_null(event);
	char calls[2048] = "";
	size_t len = 0;
	bool over = false;
	for (int i = 0; i < 100 && !over; i++) {
		int got = tracer_wait(tracer, event, 5000, &err);
		cr_assert_eq(got, 1, "no event within 5 s: %s", err ? err : "");
		if (event->kind == TRACER_CALL && len < sizeof calls - 100)
			len += (size_t)snprintf(calls + len, sizeof calls - len, "%s\n",
						event->text);
		if (event->kind == TRACER_EXITED)
			over = event->program_over;
		if (event->held)
			cr_assert_eq(tracer_release(tracer, event->task, &err), 0, "%s",
				     err ? err : "");
	}
	cr_assert(over, "the program ran to its end: %s", calls);
	cr_assert(strstr(calls, "write(9, \"a\", 1)"),
		  "the write through dup2's copy is shown:\n%s", calls);
	cr_assert(strstr(calls, "write(20, \"b\", 1)"),
		  "the write through F_DUPFD's copy is shown:\n%s", calls);
	cr_assert(strstr(calls, "close(9)") && strstr(calls, "close(20)"),
		  "both closes are shown:\n%s", calls);
	free(event);
	tracer_free(tracer);
}

/* A program's output as a terminal shows it: C's stdio flushes a line at
 * its newline (the program runs on a pty), an event carries a whole line,
 * a prompt shows before the call that follows it, a long line is whole. */
Test(tracer, sends_output_a_line_at_a_time_as_a_terminal_shows_it)
{
	struct tracer *tracer = NULL;
	char *err = NULL;
	char *argv[] = { PRINTER, NULL };
	cr_assert_eq(tracer_start(&tracer, argv, "client", TRACER_PLAIN, &err), 0, "%s",
		     err ? err : "");
	struct tracer_event *event = malloc(sizeof *event);
	cr_assert_not_null(event);
	char order[4096] = "";
	size_t len = 0, long_line = 0;
	bool over = false;
	for (int i = 0; i < 100 && !over; i++) {
		int got = tracer_wait(tracer, event, 5000, &err);
		cr_assert_eq(got, 1, "no event within 5 s: %s", err ? err : "");
		if (event->kind == TRACER_OUTPUT && event->bytes_len > 10000)
			long_line = event->bytes_len;
		else if (event->kind == TRACER_OUTPUT && len < sizeof order - 200)
			len += (size_t)snprintf(order + len, sizeof order - len,
						"output \"%.*s\"\n", (int)event->bytes_len,
						(const char *)event->bytes);
		if (event->kind == TRACER_CALL && len < sizeof order - 200)
			len += (size_t)snprintf(order + len, sizeof order - len, "call %s\n",
						event->name);
		if (event->kind == TRACER_EXITED)
			over = event->program_over;
		if (event->held)
			cr_assert_eq(tracer_release(tracer, event->task, &err), 0, "%s",
				     err ? err : "");
	}
	cr_assert(over);
	cr_assert_str_eq(
		order,
		"output \"hello from printer\n\"\ncall socket\noutput \"name? \"\ncall close\n");
	cr_assert_eq(long_line, 10241, "the 10 KB line (and its newline) came as one event");
	free(event);
	tracer_free(tracer);
}

Test(tracer, names_the_package_of_a_missing_program_it_knows)
{
	char *saved_path = strdup(getenv("PATH"));
	setenv("PATH", "/nonexistent-socklab-path", 1);
	struct tracer *tracer = NULL;
	char *err = NULL;
	char *argv[] = { "nc", "-l", "65432", NULL };
	int started = tracer_start(&tracer, argv, "server", TRACER_PLAIN, &err);
	setenv("PATH", saved_path, 1);
	free(saved_path);
	cr_assert_eq(started, -1);
	cr_assert_str_eq(err, "server: cannot run 'nc': no such program in PATH "
			      "(the netcat-openbsd package: sudo apt-get install netcat-openbsd)");
	free(err);
}

Test(tracer, says_in_one_line_that_a_program_does_not_exist)
{
	struct tracer *tracer = NULL;
	char *err = NULL;
	char *argv[] = { "socklab-no-such-program", NULL };
	cr_assert_eq(tracer_start(&tracer, argv, "server", TRACER_PLAIN, &err), -1);
	cr_assert_null(tracer);
	cr_assert_str_eq(err,
			 "server: cannot run 'socklab-no-such-program': no such program in PATH");
	free(err);
	char *path_argv[] = { "/nonexistent/echo", NULL };
	cr_assert_eq(tracer_start(&tracer, path_argv, "client", TRACER_PLAIN, &err), -1);
	cr_assert_str_eq(err, "client: cannot run '/nonexistent/echo': No such file or directory");
	free(err);
	char *not_a_program[] = { SOURCE_DIR "/README.md", NULL };
	cr_assert_eq(tracer_start(&tracer, not_a_program, "client", TRACER_PLAIN, &err), -1);
	cr_assert_str_eq(err, "client: cannot run '" SOURCE_DIR "/README.md': Permission denied");
	free(err);
}

/* Collects a run's events as a transcript, for the single-program tests. */
static int run_alone(char *const argv[], struct side *side, char **err)
{
	if (tracer_start(&side->tracer, argv, side->name, TRACER_PLAIN, err) < 0)
		return -1;
	return run_side(side, err);
}

Test(tracer, reports_a_program_that_exits_at_once)
{
	struct side side = { .name = "server" };
	char *err = NULL;
	char *argv[] = { "sh", "-c", "echo bye; exit 3", NULL };
	cr_assert_eq(run_alone(argv, &side, &err), TRACER_RUN_OVER, "%s", err);
	cr_assert_str_eq(side.transcript, "server exited (exited with code 3)\n");
	cr_assert_str_eq(side.output, "bye\n");
	side_done(&side);
}

Test(tracer, settles_a_program_that_never_makes_a_socket_call)
{
	struct side side = { .name = "server" };
	char *err = NULL;
	char *argv[] = { "sleep", "30", NULL };
	cr_assert_eq(run_alone(argv, &side, &err), TRACER_RUN_SETTLED, "%s", err);
	cr_assert(strstr(side.transcript, "server settled (asleep in ") != NULL, "%s",
		  side.transcript);
	cr_assert(strstr(side.transcript, "nanosleep)") != NULL, "%s", side.transcript);
	side_done(&side);
}

Test(tracer, stops_a_program_that_forks_a_hundred_children)
{
	struct side side = { .name = "server" };
	char *err = NULL;
	char *argv[] = { "sh", "-c",
			 "i=0; while [ $i -lt 100 ]; do sleep 30 & i=$((i+1)); done; wait", NULL };
	cr_assert_eq(run_alone(argv, &side, &err), TRACER_RUN_OVER, "%s", err);
	cr_assert(strstr(side.transcript,
			 "server exited (stopped by the lab: the program started more than 64 "
			 "processes (the lab's cap))\n")
			  != NULL,
		  "%s", side.transcript);
	side_done(&side);
}

Test(tracer, reports_a_program_killed_from_outside)
{
	struct side side = { .name = "client" };
	char *err = NULL;
	char *argv[] = { "sleep", "30", NULL };
	cr_assert_eq(run_alone(argv, &side, &err), TRACER_RUN_SETTLED, "%s", err);
	cr_assert_eq(kill(tracer_pid(side.tracer), SIGKILL), 0);
	cr_assert_eq(run_side(&side, &err), TRACER_RUN_OVER, "%s", err);
	cr_assert(strstr(side.transcript, "client exited (killed by SIGKILL)\n") != NULL, "%s",
		  side.transcript);
	side_done(&side);
}

/* How many processes are in process group `group` (the program's, which its children inherit). */
static int processes_in_group(pid_t group)
{
	int count = 0;
	DIR *proc = opendir("/proc");
	struct dirent *entry;
	while (proc && (entry = readdir(proc))) {
		char path[300], text[512];
		if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", entry->d_name);
		FILE *file = fopen(path, "re");
		if (!file)
			continue;
		size_t n = fread(text, 1, sizeof text - 1, file);
		fclose(file);
		text[n] = '\0';
		const char *close_paren = strrchr(text, ')');
		int parent, pgrp;
		char state;
		if (close_paren && sscanf(close_paren + 2, "%c %d %d", &state, &parent, &pgrp) == 3
		    && pgrp == group)
			count++;
	}
	if (proc)
		closedir(proc);
	return count;
}

Test(tracer, leaves_nothing_behind)
{
	struct side side = { .name = "server" };
	char *err = NULL;
	/* A program with children, one of them blocked in accept under the tracer. */
	char *argv[] = { "sh", "-c", ECHO_SERVER " 0 & sleep 30 & wait", NULL };
	cr_assert_eq(run_alone(argv, &side, &err), TRACER_RUN_SETTLED, "%s", err);
	cr_assert(strstr(side.transcript, "server blocked accept4\n") != NULL, "%s",
		  side.transcript);
	pid_t program = tracer_pid(side.tracer);
	cr_assert_eq(processes_in_group(program), 3, "sh, the server and sleep");
	tracer_stop(side.tracer);
	tracer_stop(side.tracer);          /* safe twice */
	cr_assert_eq(processes_in_group(program), 0,
		     "every process of the program is gone and reaped");
	int status;
	cr_assert_eq(waitpid(-1, &status, WNOHANG), -1, "no child of ours is left");
	cr_assert_eq(errno, ECHILD);
	char *err2 = NULL;
	struct tracer_event *event = malloc(sizeof *event);
	cr_assert_eq(tracer_poll(side.tracer, event, &err2), 0,
		     "a stopped tracer has nothing more to say");
	free(event);
	side_done(&side);
	tracer_free(NULL);
}

/* Whether SIGCHLD is blocked in this thread. */
static bool sigchld_blocked(void)
{
	sigset_t mask;
	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	return sigismember(&mask, SIGCHLD);
}

/* The lab traces with SIGCHLD blocked (child_watch.h); the children it
 * forks for itself (puppets, a sandbox's helper) must not inherit that,
 * and the lab is the reaper of orphans only while it traces. */
Test(tracer, gives_the_labs_own_children_their_sigchld_back)
{
	cr_assert(!sigchld_blocked(), "the test starts with SIGCHLD unblocked");
	struct side side = { .name = "server" };
	char *err = NULL;
	char *argv[] = { "sleep", "30", NULL };
	cr_assert_eq(run_alone(argv, &side, &err), TRACER_RUN_SETTLED, "%s", err);
	cr_assert(sigchld_blocked(), "the tracing thread blocks SIGCHLD: a signalfd reads it");
	int subreaper = 0;
	prctl(PR_GET_CHILD_SUBREAPER, &subreaper);
	cr_assert_eq(subreaper, 1, "a program's orphans come to the lab while it traces");
	pid_t child = fork();
	if (child == 0)
		_exit(sigchld_blocked() ? 1 : 0);
	int status;
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "a child the lab forks has SIGCHLD unblocked");
	side_done(&side);
	prctl(PR_GET_CHILD_SUBREAPER, &subreaper);
	cr_assert_eq(subreaper, 0, "not the reaper of orphans once nothing is traced");
}

/* Nobody asks for events: tracer_serve alone runs the program through its
 * stops that are not shown (a shell's forks, fcntl on its files), as a
 * lesson between steps does, and keeps every event for tracer_poll. */
Test(tracer, serves_a_program_nobody_asks_and_keeps_its_events)
{
	char path[] = "/tmp/socklab-serve.XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	unlink(path);
	char script[256];
	snprintf(script, sizeof script, "(echo one) >%s; echo printed", path);
	char *argv[] = { "sh", "-c", script, NULL };
	struct tracer *tracer = NULL;
	char *err = NULL;
	cr_assert_eq(tracer_start(&tracer, argv, "server", TRACER_PLAIN, &err), 0, "%s", err);
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd ready = { .fd = tracer_fd(tracer), .events = POLLIN };
		cr_assert_geq(poll(&ready, 1, 10000), 1, "the tracer has work until the end");
		cr_assert_eq(tracer_serve(tracer, &err), 0, "%s", err);
		/* Reaped by the tracer: gone from /proc. */
		if (kill(tracer_pid(tracer), 0) < 0 && errno == ESRCH)
			break;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		cr_assert_lt(now.tv_sec - start.tv_sec, 10, "the program ran to its end");
	}
	cr_assert_eq(access(path, F_OK), 0, "the subshell wrote its file");
	unlink(path);
	struct tracer_event *event = malloc(sizeof *event);
	char output[64] = "";
	bool over = false;
	while (tracer_poll(tracer, event, &err) == 1) {
		if (event->kind == TRACER_OUTPUT)
			snprintf(output + strlen(output), sizeof output - strlen(output), "%.*s",
				 (int)event->bytes_len, event->bytes);
		over |= event->kind == TRACER_EXITED && event->program_over;
	}
	cr_assert_str_eq(output, "printed\n", "the output waited for tracer_poll");
	cr_assert(over, "and so did the program's end");
	free(event);
	tracer_free(tracer);
}

/* exit() kills threads in the middle of making threads: some clone events
 * never come, and the process ends only once the tracer has found and
 * reaped every thread the kernel attached. */
Test(tracer, ends_a_program_that_exits_while_its_threads_make_threads, .timeout = 120)
{
	for (int run = 0; run < 20; run++) {
		char wait_us[16];
		snprintf(wait_us, sizeof wait_us, "%d", 200 + run * 150);
		char *argv[] = { THREAD_STORM, wait_us, NULL };
		struct side side = { .name = "server" };
		char *err = NULL;
		cr_assert_eq(tracer_start(&side.tracer, argv, side.name, TRACER_PLAIN, &err), 0,
			     "%s", err);
		int result = tracer_run_until_blocked_or_exit(side.tracer, NULL, NULL, 5000, &err);
		cr_assert_eq(result, TRACER_RUN_OVER, "run %d ended: %d (%s)", run, result,
			     err ? err : "");
		side_done(&side);
	}
}

static int open_fds(void)
{
	int count = 0;
	DIR *fds = opendir("/proc/self/fd");
	while (fds && readdir(fds))
		count++;
	if (fds)
		closedir(fds);
	return count;
}

/* A start that fails leaves no fd of its own behind in the lab, and the
 * fd of a program that is over stays quiet: nothing to look at. */
Test(tracer, a_failed_start_keeps_no_fd_and_an_ended_program_is_quiet)
{
	char *missing[] = { "/nonexistent/socklab-program", NULL };
	struct tracer *tracer = NULL;
	char *err = NULL;
	/* The first start opens the lab's shared SIGCHLD fd for good. */
	cr_assert_eq(tracer_start(&tracer, missing, "server", TRACER_PLAIN, &err), -1);
	free(err);
	int before = open_fds();
	for (int i = 0; i < 20; i++) {
		err = NULL;
		cr_assert_eq(tracer_start(&tracer, missing, "server", TRACER_PLAIN, &err), -1);
		free(err);
	}
	cr_assert_eq(open_fds(), before, "20 failed starts leave no fd");
	char *argv[] = { "true", NULL };
	cr_assert_eq(tracer_start(&tracer, argv, "server", TRACER_PLAIN, &err), 0, "%s", err);
	cr_assert_eq(tracer_run_until_blocked_or_exit(tracer, NULL, NULL, 5000, &err),
		     TRACER_RUN_OVER, "%s", err);
	struct tracer_event *event = malloc(sizeof *event);
	while (tracer_poll(tracer, event, &err) == 1)
		;
	struct pollfd ready = { .fd = tracer_fd(tracer), .events = POLLIN };
	/* A tick left running would wake it within 20 ms. */
	cr_assert_eq(poll(&ready, 1, 200), 0, "an ended program's fd does not wake its caller");
	free(event);
	tracer_free(tracer);
}

/* The child's half: forbid ptrace as a container's seccomp profile does, then try. */
static void start_without_ptrace(int report_fd)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ptrace, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog program = { .len = sizeof filter / sizeof filter[0], .filter = filter };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0
	    || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) < 0)
		child_finish(report_fd, CHILD_SKIPPED, "cannot install a seccomp filter here: %s",
			     strerror(errno));
	struct tracer *tracer = NULL;
	char *err = NULL;
	char *argv[] = { "true", NULL };
	if (tracer_start(&tracer, argv, "server", TRACER_PLAIN, &err) == 0)
		child_finish(report_fd, CHILD_FAILED, "started although ptrace is refused");
	child_finish(report_fd, CHILD_PASSED, "%s", err);
}

Test(tracer, says_in_one_line_why_ptrace_is_refused)
{
	char report[1024];
	run_in_child(start_without_ptrace, report, sizeof report);
	cr_assert_eq(strncmp(report,
			     "server: cannot trace programs here: ptrace is not allowed "
			     "(PTRACE_SEIZE: Operation not permitted): ",
			     98),
		     0, "%s", report);
	cr_assert_null(strchr(report, '\n'), "one line: %s", report);
}

/* The listener's accept queue, as /proc/net/tcp says (rx_queue of a LISTEN socket). */
static int accept_queue_length(int port)
{
	FILE *file = fopen("/proc/net/tcp", "re");
	char line[512];
	int length = -1;
	while (file && fgets(line, sizeof line, file)) {
		unsigned local_port, state, tx, rx;
		if (sscanf(line, " %*d: %*x:%x %*x:%*x %x %x:%x", &local_port, &state, &tx,
			   &rx) == 4
		    && (int)local_port == port && state == 0x0A)
			length = (int)rx;
	}
	if (file)
		fclose(file);
	return length;
}

Test(tracer, freezes_a_blocked_accept_so_the_queue_can_be_seen)
{
	struct side server = { .name = "server" }, client = { .name = "client" };
	char *err = NULL;
	char *server_argv[] = { ECHO_SERVER, "0", NULL };
	cr_assert_eq(run_alone(server_argv, &server, &err), TRACER_RUN_SETTLED, "%s", err);
	int port = 0;
	cr_assert_eq(sscanf(server.output, "port %d", &port), 1);
	cr_assert_eq(tracer_freeze(server.tracer, &err), 1, "%s",
		     err ? err : "not one task frozen");
	char port_text[16];
	snprintf(port_text, sizeof port_text, "%d", port);
	char *client_argv[] = { ECHO_CLIENT, port_text, NULL };
	cr_assert_eq(run_alone(client_argv, &client, &err), TRACER_RUN_SETTLED, "%s", err);
	/* The connection is complete and waits in the queue: accept() has not taken it. */
	cr_assert_eq(accept_queue_length(port), 1);
	struct tracer_event *event = malloc(sizeof *event);
	/* Frozen: the most it says is that it is held. */
	while (tracer_wait(server.tracer, event, 100, &err) == 1)
		cr_assert_eq(event->kind, TRACER_SETTLED, "%s: %s",
			     tracer_event_kind_name(event->kind), event->text);
	cr_assert_eq(tracer_thaw(server.tracer, &err), 0, "%s", err);
	do
		cr_assert_eq(tracer_wait(server.tracer, event, RUN_TIMEOUT_MS, &err), 1, "%s", err);
	while (event->kind == TRACER_SETTLED);
	cr_assert_eq(event->kind, TRACER_RETURNED);
	cr_assert_str_eq(event->name, "accept4");
	cr_assert_eq(event->ret, 4);
	cr_assert(event->woke);
	cr_assert_eq(accept_queue_length(port), 0);
	free(event);
	side_done(&server);
	side_done(&client);
}

Test(tracer, holds_each_call_until_released)
{
	struct tracer *tracer;
	char *err = NULL;
	char *argv[] = { ECHO_SERVER, "0", NULL };
	cr_assert_eq(tracer_start(&tracer, argv, "server", TRACER_PLAIN, &err), 0, "%s", err);
	struct tracer_event *event = malloc(sizeof *event);
	cr_assert_eq(tracer_wait(tracer, event, RUN_TIMEOUT_MS, &err), 1, "%s", err);
	cr_assert_eq(event->kind, TRACER_CALL);
	cr_assert(event->held);
	cr_assert_str_eq(event->text, "socket(AF_INET, SOCK_STREAM, IPPROTO_IP)");
	pid_t task = event->task;
	/* Held: the only thing left to say is that it waits for us. */
	cr_assert_eq(tracer_wait(tracer, event, RUN_TIMEOUT_MS, &err), 1, "%s", err);
	cr_assert_eq(event->kind, TRACER_SETTLED);
	cr_assert_eq(event->held_count, 1);
	cr_assert_eq(tracer_wait(tracer, event, 100, &err), 0);
	cr_assert_eq(tracer_release(tracer, task, &err), 0, "%s", err);
	cr_assert_eq(tracer_wait(tracer, event, RUN_TIMEOUT_MS, &err), 1, "%s", err);
	cr_assert_eq(event->kind, TRACER_RETURNED);
	cr_assert_eq(event->ret, 3);
	cr_assert_eq(event->task, task);
	free(event);
	tracer_free(tracer);
}

Test(tracer, decodes_each_kind_of_argument_as_strace_does)
{
	struct side side = { .name = "tour", .keep_calls = true };
	char *err = NULL;
	char *argv[] = { SOCKET_TOUR, NULL };
	cr_assert_eq(run_alone(argv, &side, &err), TRACER_RUN_OVER, "%s", err);
	static const char last[] = "tour exited (exited with code 0)\n";
	cr_assert(side.transcript_len >= sizeof last - 1, "%s", side.transcript);
	cr_assert_str_eq(side.transcript + side.transcript_len - (sizeof last - 1), last);
	static const struct {
		const char *name;
		int nth;
		const char *text;         /* RETURNED, or its beginning when it ends in "..." */
		int call;
	} expected[] = {
		{ "socketpair", 0, "socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [3, 4]) = 0",
		  CALL_SOCKETPAIR },
		{ "write", 0, "write(3, \"ping\\n\", 5) = 5", CALL_SEND },
		{ "read", 0, "read(4, \"ping\\n\", 64) = 5", CALL_RECV },
		{ "sendmsg", 0,
		  "sendmsg(3, {msg_name=NULL, msg_iov=[\"two \", \"parts\"], msg_iovlen=2, "
		  "msg_controllen=0, msg_flags=0}, MSG_NOSIGNAL) = 9",
		  CALL_SEND },
		{ "ppoll", 0,
		  "ppoll([{fd=4, events=POLLIN, revents=POLLIN}], 1, left {tv_sec=0, tv_nsec=...",
		  CALL_POLL },
		{ "pselect6", 0, "pselect6(5, ready [4], NULL, NULL, left {tv_sec=0, tv_nsec=...",
		  CALL_SELECT },
		{ "recvmsg", 0,
		  "recvmsg(4, {msg_name=NULL, msg_iov=[\"two parts\"], msg_iovlen=1, "
		  "msg_controllen=0, msg_flags=0}, 0) = 9",
		  CALL_RECV },
		{ "getsockopt", 0, "getsockopt(3, SOL_SOCKET, SO_TYPE, [1], [4]) = 0",
		  CALL_GETSOCKOPT },
		{ "setsockopt", 0,
		  "setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0",
		  CALL_SETSOCKOPT },
		{ "shutdown", 0, "shutdown(3, SHUT_WR) = 0", CALL_SHUTDOWN },
		{ "close", 0, "close(3) = 0", CALL_CLOSE },
		{ "close", 1, "close(4) = 0", CALL_CLOSE },
		{ "socket", 0, "socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3", CALL_SOCKET },
		{ "sendto", 0, "sendto(3, \"datagram\", 8, 0, {AF_INET, 127.0.0.1:...",
		  CALL_SENDTO },
		{ "recvfrom", 0, "recvfrom(3, \"datagram\", 64, 0, {AF_INET, 127.0.0.1:...",
		  CALL_RECVFROM },
		{ "sendmmsg", 0, "sendmmsg(3, [{msg_name={AF_INET, 127.0.0.1:...", CALL_SENDMMSG },
		{ "recvmmsg", 0,
		  "recvmmsg(3, [{msg_iov=[\"one\"], msg_len=3}, {msg_iov=[\"three\"], msg_len=5}], "
		  "3, MSG_DONTWAIT, NULL) = 2",
		  CALL_RECVMMSG },
	};
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		const struct tracer_event *event =
			find_call(&side, TRACER_RETURNED, expected[i].name, expected[i].nth);
		cr_assert_not_null(event, "no %s", expected[i].name);
		size_t len = strlen(expected[i].text);
		bool prefix = len > 3 && strcmp(expected[i].text + len - 3, "...") == 0;
		if (prefix)
			cr_assert_eq(strncmp(event->text, expected[i].text, len - 3), 0, "%s",
				     event->text);
		else
			cr_assert_str_eq(event->text, expected[i].text);
		cr_assert_eq(event->call, expected[i].call, "%s: call %d", event->text,
			     event->call);
	}
	/* The pair's inodes, and the address the datagram went to and came from. */
	cr_assert_neq(find_call(&side, TRACER_RETURNED, "socketpair", 0)->result_inode, 0);
	const struct tracer_event *bound = find_call(&side, TRACER_RETURNED, "getsockname", 0);
	cr_assert(lab_address_equal(&find_call(&side, TRACER_CALL, "sendto", 0)->target,
				    &bound->address));
	cr_assert(lab_address_equal(&find_call(&side, TRACER_RETURNED, "recvfrom", 0)->address,
				    &bound->address));
	cr_assert_eq(find_call(&side, TRACER_RETURNED, "recvmsg", 0)->bytes_len, 9);
	/* A batch: each message with its bytes, and the bytes of all that went or came. */
	const struct tracer_event *batch = find_call(&side, TRACER_RETURNED, "sendmmsg", 0);
	cr_assert_not_null(strstr(batch->text, "}, msg_iov=[\"three\"], msg_len=5}], 2, 0) = 2"),
			   "%s", batch->text);
	cr_assert(lab_address_equal(&batch->target, &bound->address));
	cr_assert_eq(batch->message_bytes, 8);
	cr_assert_eq(find_call(&side, TRACER_RETURNED, "recvmmsg", 0)->message_bytes, 8);
	cr_assert_str_eq(find_call(&side, TRACER_CALL, "recvmmsg", 0)->text,
			 "recvmmsg(3, ..., 3, MSG_DONTWAIT, NULL)");
	side_done(&side);
}

Test(tracer, runs_python_scripts_through_the_line_reporter)
{
	char **out = NULL, *err = NULL;
	char *plain[] = { "python3", "-u", "-X", "dev", "echo-server.py", "--flag", NULL };
	cr_assert_eq(tracer_python_argv(plain, "/r.py", &out, &err), 1);
	const char *expected[] = { "python3",        "-u",     "-X", "dev", "/r.py",
				   "echo-server.py", "--flag", NULL };
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
		cr_assert_str_eq(out[i] ? out[i] : "(null)", expected[i] ? expected[i] : "(null)");
	free(out);
	char *module[] = { "/usr/bin/python3.11", "-m", "http.server", NULL };
	cr_assert_eq(tracer_python_argv(module, "/r.py", &out, &err), 0);
	char *c_program[] = { "./echo_server", NULL };
	cr_assert_eq(tracer_python_argv(c_program, "/r.py", &out, &err), 0);
	cr_assert_null(out);
}

/* ---- figures ---- */

/* Runs a program to the end, directly or traced; returns the ns per call it printed. */
static double loop_ns_per_call(const char *kind, const char *count, bool traced,
			       size_t *calls_shown)
{
	char *argv[] = { SYSCALL_LOOP, (char *)kind, (char *)count, NULL };
	char output[256] = "";
	if (traced) {
		struct side side = { .name = "loop" };
		char *err = NULL;
		cr_assert_eq(run_alone(argv, &side, &err), TRACER_RUN_OVER, "%s", err);
		snprintf(output, sizeof output, "%.200s", side.output);
		*calls_shown = side.shown_count;
		side_done(&side);
	} else {
		int pipe_fds[2];
		cr_assert_eq(pipe2(pipe_fds, O_CLOEXEC), 0);
		pid_t pid = fork();
		if (pid == 0) {
			dup2(pipe_fds[1], 1);
			execv(argv[0], argv);
			_exit(127);
		}
		close(pipe_fds[1]);
		ssize_t n = read(pipe_fds[0], output, sizeof output - 1);
		output[n > 0 ? n : 0] = '\0';
		close(pipe_fds[0]);
		waitpid(pid, NULL, 0);
	}
	const char *colon = strchr(output, ':');
	cr_assert_not_null(colon, "the loop said: %s", output);
	return strtod(colon + 1, NULL);
}

/* One row of figures: ns per call plain and traced, and the stops shown. */
static void figure(const char *kind, const char *count, size_t expected_shown, const char *what)
{
	size_t shown = 0;
	double plain = loop_ns_per_call(kind, count, false, &shown);
	double traced = loop_ns_per_call(kind, count, true, &shown);
	cr_assert_eq(shown, expected_shown, "%s x%s: %zu calls shown", kind, count, shown);
	double extra = traced - plain;
	fprintf(stderr, "  %-14s x%-8s %7.0f / %9.0f ns per call: %+8.1f %s  (%s)\n", kind, count,
		plain, traced, extra > 10000 ? extra / 1000 : extra, extra > 10000 ? "us" : "ns",
		what);
}

static void figures(void)
{
	figure("getpid", "1000000", 0, "the seccomp filter alone: never stopped at");
	figure("getsockname", "10000", 10001, "two stops, two events, two releases each");
	figure("devnull-write", "100000", 0, "never stopped at: the fd is not a socket");
}

Test(tracer_figures, overhead_of_tracing, .timeout = 120)
{
	fprintf(stderr, "tracer figures, run straight through (plain / traced):\n");
	figures();
	/* As lab/cli.c does: the lab's processes share the CPU it started on. */
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	cr_assert_eq(sched_setaffinity(0, sizeof set, &set), 0);
	fprintf(stderr, "the same on one CPU, as socklab pins itself:\n");
	figures();
}
