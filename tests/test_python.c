/* python: the Python line for a call as typed keeps its names and its
 * arguments (free play shows it beside each call). */
#include <criterion/criterion.h>
#include <string.h>

#include "lesson.h"
#include "python.h"

static char sides[][NAME_MAX_LEN] = { "server", "client" };

/* Parses the calls in order (names given by one are known to the next)
 * and checks each one's Python line. */
static void expect_lines(const char *const pairs[][2], size_t count)
{
	struct name_scope scope;
	memset(&scope, 0, sizeof scope);
	for (size_t i = 0; i < count; i++) {
		struct diagnostics diag;
		diagnostics_init(&diag, "typed");
		struct typed_call call;
		const char *text = pairs[i][0];
		cr_assert_eq(typed_call_parse(text, strlen(text), (struct source_pos){ 1, 1 },
					      sides, 2, &scope, &call, &diag),
			     0, "%s: %s", text, diag.count ? diag.messages[0] : "?");
		char line[400];
		cr_expect_str_eq(python_line(&call, line, sizeof line), pairs[i][1], "for %s",
				 text);
		typed_call_done(&call);
		diagnostics_done(&diag);
	}
}

Test(python, keeps_the_names_and_numbers_as_typed)
{
	static const char *const pairs[][2] = {
		{ "server: ls = socket(AF_INET, SOCK_STREAM)",
		  "ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)" },
		{ "server: bind(ls, 127.0.0.1:65432)", "ls.bind(('127.0.0.1', 65432))" },
		{ "server: listen(ls, 17)", "ls.listen(17)" },
		{ "server: conn = accept(ls)", "conn, addr = ls.accept()" },
		{ "server: recv(conn, 5)", "data = conn.recv(5)" },
		{ "server: recv(conn, 5, MSG_PEEK | MSG_DONTWAIT)",
		  "data = conn.recv(5, socket.MSG_PEEK | socket.MSG_DONTWAIT)" },
		{ "server: send(conn, \"it's\\n\")", "conn.send(b'it\\'s\\n')" },
		{ "server: shutdown(conn, SHUT_WR)", "conn.shutdown(socket.SHUT_WR)" },
		{ "server: close(7)", "socket.socket(fileno=7).close()" },
	};
	expect_lines(pairs, sizeof pairs / sizeof pairs[0]);
}

Test(python, writes_flags_options_and_other_families_as_python_does)
{
	static const char *const pairs[][2] = {
		{ "client: c = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK)",
		  "c = socket.socket(socket.AF_INET6, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)" },
		{ "client: setsockopt(c, IPPROTO_IPV6, IPV6_V6ONLY, 1)",
		  "c.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)" },
		{ "client: setsockopt(c, SOL_SOCKET, SO_LINGER, 1, 5)",
		  "c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 5))" },
		{ "client: connect(c, [::1]:65432)", "c.connect(('::1', 65432))" },
		{ "client: fcntl(c, F_SETFL, O_NONBLOCK)",
		  "fcntl.fcntl(c, fcntl.F_SETFL, os.O_NONBLOCK)" },
		{ "client: u = socket(AF_UNIX, SOCK_DGRAM)",
		  "u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)" },
		{ "client: bind(u, ./echo.sock)", "u.bind('./echo.sock')" },
		{ "client: sendto(u, \"x\", @echo)", "u.sendto(b'x', b'\\x00echo')" },
		{ "client: ep = epoll_create1(0)", "ep = select.epoll()" },
		{ "client: epoll_ctl(ep, EPOLL_CTL_ADD, c, EPOLLIN | EPOLLET)",
		  "ep.register(c, select.EPOLLIN | select.EPOLLET)" },
		{ "client: epoll_wait(ep, 250)", "events = ep.poll(0.25)" },
		{ "client: select(-1, c, u)", "select.select([c, u], [], [], None)" },
	};
	expect_lines(pairs, sizeof pairs / sizeof pairs[0]);
}
