/* catalog — one row per call, constant and errno name. */
#include "catalog.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "i18n.h"

#define ROW(id_, ...) [id_] = { .id = id_, __VA_ARGS__ }

const struct call_def catalog_calls[CALL_COUNT] = {
	ROW(CALL_SOCKET, .name = "socket", .min_args = 2, .max_args = 3,
	    .args = { ARG_FAMILY, ARG_TYPE, ARG_PROTOCOL }, .result = RESULT_FD,
	    .names_result = true, .usage = "socket(family, type[, protocol])",
	    .python = "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
	    .summary = "a new endpoint: returns the lowest free file descriptor"),
	ROW(CALL_BIND, .name = "bind", .min_args = 2, .max_args = 2,
	    .args = { ARG_SOCKET, ARG_ADDRESS }, .result = RESULT_ZERO,
	    .usage = "bind(sock, address)", .python = "s.bind((HOST, PORT))",
	    .summary = "give the socket its local address"),
	ROW(CALL_LISTEN, .name = "listen", .min_args = 2, .max_args = 2,
	    .args = { ARG_SOCKET, ARG_INT }, .result = RESULT_ZERO,
	    .usage = "listen(sock, backlog)", .python = "s.listen()",
	    .summary = "LISTEN: the kernel completes handshakes into an accept queue"),
	ROW(CALL_ACCEPT, .name = "accept", .min_args = 1, .max_args = 1, .args = { ARG_SOCKET },
	    .may_wake = true, .result = RESULT_FD, .names_result = true, .may_block = true,
	    .blocking_syscall = SYS_accept4, .usage = "accept(sock)",
	    .python = "conn, addr = s.accept()",
	    .summary = "take one connection off the accept queue: a NEW socket"),
	ROW(CALL_CONNECT, .name = "connect", .min_args = 2, .max_args = 2,
	    .args = { ARG_SOCKET, ARG_ADDRESS }, .may_wake = true, .result = RESULT_ZERO,
	    .may_block = true, .blocking_syscall = SYS_connect, .usage = "connect(sock, address)",
	    .python = "s.connect((HOST, PORT))",
	    .summary = "start the handshake (TCP) or fix the peer (UDP)"),
	ROW(CALL_SEND, .name = "send", .min_args = 2, .max_args = 3,
	    .args = { ARG_SOCKET, ARG_BYTES, ARG_MSG_FLAGS }, .may_wake = true,
	    .result = RESULT_SENT, .may_block = true, .blocking_syscall = SYS_sendto,
	    .usage = "send(sock, \"bytes\"[, flags])", .python = "s.send(b'...')",
	    .summary = "queue bytes for the peer; may queue only part"),
	ROW(CALL_SENDALL, .name = "sendall", .min_args = 2, .max_args = 2,
	    .args = { ARG_SOCKET, ARG_BYTES }, .may_wake = true, .result = RESULT_SENT,
	    .may_block = true, .blocking_syscall = SYS_sendto, .usage = "sendall(sock, \"bytes\")",
	    .python = "s.sendall(b'...')",
	    .summary = "send() in a loop until every byte is queued (Python's sendall)"),
	ROW(CALL_RECV, .name = "recv", .min_args = 2, .max_args = 3,
	    .args = { ARG_SOCKET, ARG_INT, ARG_MSG_FLAGS }, .may_wake = true,
	    .result = RESULT_RECEIVED, .may_block = true, .blocking_syscall = SYS_recvfrom,
	    .usage = "recv(sock, max_bytes[, flags])", .python = "data = s.recv(1024)",
	    .summary = "take up to max_bytes from the receive queue; 0 means the peer closed"),
	ROW(CALL_SENDTO, .name = "sendto", .min_args = 3, .max_args = 3,
	    .args = { ARG_SOCKET, ARG_BYTES, ARG_ADDRESS }, .may_wake = true, .result = RESULT_SENT,
	    .may_block = true, .blocking_syscall = SYS_sendto,
	    .usage = "sendto(sock, \"bytes\", address)", .python = "s.sendto(b'...', (HOST, PORT))",
	    .summary = "send one datagram to an address"),
	ROW(CALL_RECVFROM, .name = "recvfrom", .min_args = 2, .max_args = 3,
	    .args = { ARG_SOCKET, ARG_INT, ARG_MSG_FLAGS }, .may_wake = true,
	    .result = RESULT_RECEIVED, .may_block = true, .blocking_syscall = SYS_recvfrom,
	    .usage = "recvfrom(sock, max_bytes[, flags])",
	    .python = "data, addr = s.recvfrom(1024)",
	    .summary = "receive one datagram and the sender's address"),
	ROW(CALL_SHUTDOWN, .name = "shutdown", .min_args = 2, .max_args = 2,
	    .args = { ARG_SOCKET, ARG_HOW }, .may_wake = true, .result = RESULT_ZERO,
	    .usage = "shutdown(sock, how)", .python = "s.shutdown(socket.SHUT_WR)",
	    .summary = "close one direction: SHUT_WR sends a FIN, the socket stays open"),
	ROW(CALL_CLOSE, .name = "close", .min_args = 1, .max_args = 1, .args = { ARG_SOCKET },
	    .may_wake = true, .result = RESULT_ZERO, .may_block = true,
	    .blocking_syscall = SYS_close, .usage = "close(sock)",
	    .python = "s.close()  # or leaving the with block",
	    .summary = "drop the file descriptor; the kernel finishes the connection"),
	ROW(CALL_SETSOCKOPT, .name = "setsockopt", .min_args = 4, .max_args = 5,
	    .args = { ARG_SOCKET, ARG_LEVEL, ARG_OPTION, ARG_INT, ARG_INT }, .result = RESULT_ZERO,
	    .usage = "setsockopt(sock, level, option, value[, linger_seconds])",
	    .python = "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
	    .summary = "set an option; SO_LINGER takes on/off and seconds"),
	ROW(CALL_GETSOCKOPT, .name = "getsockopt", .min_args = 3, .max_args = 3,
	    .args = { ARG_SOCKET, ARG_LEVEL, ARG_OPTION }, .result = RESULT_VALUE,
	    .usage = "getsockopt(sock, level, option)",
	    .python = "s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)",
	    .summary = "read an option (SO_ERROR: the result of a non-blocking connect)"),
	ROW(CALL_GETSOCKNAME, .name = "getsockname", .min_args = 1, .max_args = 1,
	    .args = { ARG_SOCKET }, .result = RESULT_ADDRESS, .usage = "getsockname(sock)",
	    .python = "s.getsockname()", .summary = "the local address the kernel gave the socket"),
	ROW(CALL_GETPEERNAME, .name = "getpeername", .min_args = 1, .max_args = 1,
	    .args = { ARG_SOCKET }, .result = RESULT_ADDRESS, .usage = "getpeername(sock)",
	    .python = "s.getpeername()", .summary = "the peer's address"),
	ROW(CALL_FCNTL, .name = "fcntl", .min_args = 2, .max_args = 3,
	    .args = { ARG_SOCKET, ARG_FCNTL_CMD, ARG_FILE_FLAGS }, .result = RESULT_VALUE,
	    .usage = "fcntl(sock, F_SETFL, O_NONBLOCK)", .python = "s.setblocking(False)",
	    .summary = "F_GETFL reads the file flags, F_SETFL sets them (O_NONBLOCK)"),
	ROW(CALL_UNLINK, .name = "unlink", .min_args = 1, .max_args = 1, .args = { ARG_PATH },
	    .result = RESULT_ZERO, .usage = "unlink(path)", .python = "os.unlink(path)",
	    .summary = "remove a file, such as a Unix socket's path"),
	ROW(CALL_POLL, .name = "poll", .min_args = 2, .max_args = 5,
	    .args = { ARG_INT, ARG_SOCKET, ARG_SOCKET, ARG_SOCKET, ARG_SOCKET },
	    .result = RESULT_READY, .may_block = true, .blocking_syscall = SYS_ppoll,
	    .usage = "poll(timeout_ms, sock[, sock...])",
	    .python = "selectors.DefaultSelector().select(timeout)",
	    .summary = "wait until a socket is readable (POLLIN); -1 waits for ever, 0 only looks"),
	ROW(CALL_SELECT, .name = "select", .min_args = 2, .max_args = 5,
	    .args = { ARG_INT, ARG_SOCKET, ARG_SOCKET, ARG_SOCKET, ARG_SOCKET },
	    .result = RESULT_READY, .may_block = true, .blocking_syscall = SYS_pselect6,
	    .usage = "select(timeout_ms, sock[, sock...])",
	    .python = "select.select([s, ...], [], [], timeout)",
	    .summary = "the older poll: which sockets are readable"),
	ROW(CALL_EPOLL_CREATE, .name = "epoll_create1", .min_args = 1, .max_args = 1,
	    .args = { ARG_INT }, .result = RESULT_FD, .names_result = true,
	    .usage = "epoll_create1(flags)", .python = "selectors.EpollSelector()",
	    .summary = "a new epoll instance: a set of fds the kernel watches"),
	ROW(CALL_EPOLL_CTL, .name = "epoll_ctl", .min_args = 4, .max_args = 4,
	    .args = { ARG_SOCKET, ARG_EPOLL_OP, ARG_SOCKET, ARG_EPOLL_EVENTS },
	    .result = RESULT_ZERO, .usage = "epoll_ctl(ep, EPOLL_CTL_ADD, sock, EPOLLIN)",
	    .python = "sel.register(s, selectors.EVENT_READ)",
	    .summary = "add, change or remove a watched fd; EPOLLET: edge-triggered"),
	ROW(CALL_EPOLL_WAIT, .name = "epoll_wait", .min_args = 2, .max_args = 2,
	    .args = { ARG_SOCKET, ARG_INT }, .result = RESULT_READY, .may_block = true,
	    .blocking_syscall = SYS_epoll_pwait, .usage = "epoll_wait(ep, timeout_ms)",
	    .python = "sel.select(timeout)",
	    .summary = "wait until a watched fd is ready; returns which, with their events"),
	ROW(CALL_FORK, .name = "fork", .min_args = 1, .max_args = 1, .args = { ARG_SIDE },
	    .result = RESULT_VALUE, .usage = "fork(side)", .python = "pid = os.fork()",
	    .summary = "a copy of this process, with the same open fds: the child becomes the "
		       "named side"),
	ROW(CALL_SOCKETPAIR, .name = "socketpair", .min_args = 3, .max_args = 3,
	    .args = { ARG_FAMILY, ARG_TYPE, ARG_PROTOCOL }, .result = RESULT_ZERO,
	    .program_only = true, .usage = "socketpair(family, type, protocol, fds)",
	    .python = "a, b = socket.socketpair()",
	    .summary =
		    "two new sockets joined to each other: what one end sends, the other receives"),
	ROW(CALL_SENDMMSG, .name = "sendmmsg", .min_args = 1, .max_args = 1, .args = { ARG_SOCKET },
	    .may_wake = true, .result = RESULT_MESSAGES, .program_only = true, .may_block = true,
	    .blocking_syscall = SYS_sendmmsg, .usage = "sendmmsg(sock, messages, count, flags)",
	    .python = "for m in messages: s.sendmsg([m])  # Python has no sendmmsg",
	    .summary = "send several messages in one call; returns how many went"),
	ROW(CALL_RECVMMSG, .name = "recvmmsg", .min_args = 1, .max_args = 1, .args = { ARG_SOCKET },
	    .may_wake = true, .result = RESULT_MESSAGES, .program_only = true, .may_block = true,
	    .blocking_syscall = SYS_recvmmsg,
	    .usage = "recvmmsg(sock, messages, count, flags, timeout)",
	    .python = "data, ancdata, flags, addr = s.recvmsg(1024)  # one at a time: Python has "
		      "no recvmmsg",
	    .summary = "receive several messages in one call; returns how many came, each with "
		       "its length"),
	ROW(CALL_RELEASE, .name = "release", .min_args = 0, .max_args = 0, .result = RESULT_ZERO,
	    .wire = true, .may_wake = true, .usage = "release()",
	    .python = "# the network delivers the segment",
	    .summary = "let the oldest segment this side sent go on to its peer (with wire: hold)"),
	ROW(CALL_DROP, .name = "drop", .min_args = 0, .max_args = 0, .result = RESULT_ZERO,
	    .wire = true, .may_wake = true, .usage = "drop()",
	    .python = "# the network loses the segment",
	    .summary = "lose the oldest segment this side sent: its kernel sends it again after "
		       "a timeout"),
};

#define CONST(kind_, name_) { #name_, kind_, name_ }

const struct constant_def catalog_constants[] = {
	CONST(ARG_FAMILY, AF_INET),
	CONST(ARG_FAMILY, AF_INET6),
	CONST(ARG_FAMILY, AF_UNIX),
	CONST(ARG_FAMILY, AF_UNSPEC),
	CONST(ARG_FAMILY, AF_PACKET),
	CONST(ARG_FAMILY, AF_NETLINK),
	CONST(ARG_TYPE, SOCK_STREAM),
	CONST(ARG_TYPE, SOCK_DGRAM),
	CONST(ARG_TYPE, SOCK_SEQPACKET),
	CONST(ARG_TYPE, SOCK_RAW),
	CONST(ARG_TYPE, SOCK_NONBLOCK),
	CONST(ARG_TYPE, SOCK_CLOEXEC),
	CONST(ARG_PROTOCOL, IPPROTO_TCP),
	CONST(ARG_PROTOCOL, IPPROTO_UDP),
	CONST(ARG_PROTOCOL, IPPROTO_SCTP),
	CONST(ARG_HOW, SHUT_RD),
	CONST(ARG_HOW, SHUT_WR),
	CONST(ARG_HOW, SHUT_RDWR),
	CONST(ARG_LEVEL, SOL_SOCKET),
	CONST(ARG_LEVEL, IPPROTO_TCP),
	CONST(ARG_LEVEL, IPPROTO_IPV6),
	CONST(ARG_LEVEL, IPPROTO_IP),
	CONST(ARG_OPTION, SO_REUSEADDR),
	CONST(ARG_OPTION, SO_REUSEPORT),
	CONST(ARG_OPTION, SO_LINGER),
	CONST(ARG_OPTION, SO_RCVBUF),
	CONST(ARG_OPTION, SO_SNDBUF),
	CONST(ARG_OPTION, SO_ERROR),
	CONST(ARG_OPTION, SO_TYPE),
	CONST(ARG_OPTION, SO_KEEPALIVE),
	CONST(ARG_OPTION, SO_ACCEPTCONN),
	CONST(ARG_OPTION, TCP_NODELAY),
	CONST(ARG_OPTION, IPV6_V6ONLY),
	CONST(ARG_OPTION, TCP_USER_TIMEOUT),
	CONST(ARG_MSG_FLAGS, MSG_PEEK),
	CONST(ARG_MSG_FLAGS, MSG_DONTWAIT),
	CONST(ARG_MSG_FLAGS, MSG_WAITALL),
	CONST(ARG_MSG_FLAGS, MSG_NOSIGNAL),
	CONST(ARG_MSG_FLAGS, MSG_OOB),
	CONST(ARG_FCNTL_CMD, F_GETFL),
	CONST(ARG_FCNTL_CMD, F_SETFL),
	CONST(ARG_FILE_FLAGS, O_NONBLOCK),
	CONST(ARG_EPOLL_OP, EPOLL_CTL_ADD),
	CONST(ARG_EPOLL_OP, EPOLL_CTL_MOD),
	CONST(ARG_EPOLL_OP, EPOLL_CTL_DEL),
	CONST(ARG_EPOLL_EVENTS, EPOLLIN),
	CONST(ARG_EPOLL_EVENTS, EPOLLOUT),
	CONST(ARG_EPOLL_EVENTS, EPOLLET),
	CONST(ARG_EPOLL_EVENTS, EPOLLRDHUP),
	CONST(ARG_EPOLL_EVENTS, EPOLLONESHOT),
};

/* Readiness bits as the kernel reports them (poll's and epoll's agree on
 * Linux), with what each means for a socket. */
const struct readiness_name catalog_readiness[] = {
	{ POLLIN, "POLLIN" },   { POLLOUT, "POLLOUT" }, { POLLRDHUP, "POLLRDHUP" },
	{ POLLHUP, "POLLHUP" }, { POLLERR, "POLLERR" }, { POLLPRI, "POLLPRI" },
};
const size_t catalog_readiness_count = sizeof catalog_readiness / sizeof catalog_readiness[0];
const size_t catalog_constant_count = sizeof catalog_constants / sizeof catalog_constants[0];

#define ERRNO(name_) [name_] = #name_

/* Indexed by errno value: the errno names a student meets with sockets. */
static const char *const errno_names[] = {
	ERRNO(EPERM), ERRNO(ENOENT), ERRNO(EINTR), ERRNO(EIO), ERRNO(EBADF), ERRNO(EAGAIN),
	ERRNO(ENOMEM), ERRNO(EACCES), ERRNO(EFAULT), ERRNO(EBUSY), ERRNO(EEXIST), ERRNO(ENOTDIR),
	ERRNO(EISDIR), ERRNO(EINVAL), ERRNO(ENFILE), ERRNO(EMFILE), ERRNO(ENOSPC), ERRNO(EPIPE),
	ERRNO(ENAMETOOLONG), ERRNO(ENOSYS), ERRNO(ENOTSOCK), ERRNO(EDESTADDRREQ), ERRNO(EMSGSIZE),
	ERRNO(EPROTOTYPE), ERRNO(ENOPROTOOPT), ERRNO(EPROTONOSUPPORT), ERRNO(ESOCKTNOSUPPORT),
	ERRNO(EOPNOTSUPP), ERRNO(EPFNOSUPPORT), ERRNO(EAFNOSUPPORT), ERRNO(EADDRINUSE),
	ERRNO(EADDRNOTAVAIL), ERRNO(ENETDOWN), ERRNO(ENETUNREACH), ERRNO(ENETRESET),
	ERRNO(ECONNABORTED), ERRNO(ECONNRESET), ERRNO(ENOBUFS), ERRNO(EISCONN), ERRNO(ENOTCONN),
	ERRNO(ESHUTDOWN), ERRNO(ETIMEDOUT), ERRNO(ECONNREFUSED), ERRNO(EHOSTDOWN),
	ERRNO(EHOSTUNREACH), ERRNO(EALREADY), ERRNO(EINPROGRESS), ERRNO(ENOTEMPTY), ERRNO(ELOOP),
	ERRNO(EROFS), ERRNO(ENXIO), ERRNO(ESRCH), ERRNO(ECHILD), ERRNO(E2BIG), ERRNO(ENOEXEC),
};
_Static_assert(sizeof errno_names / sizeof errno_names[0] <= 256, "errno table stays small");

static const char *const arg_kind_names[ARG_KIND_COUNT] = {
	[ARG_SOCKET] = N_("a socket (a name from an earlier step or an fd number)"),
	[ARG_INT] = N_("a number"),
	[ARG_FAMILY] = N_("an address family (AF_INET, AF_INET6, AF_UNIX)"),
	[ARG_TYPE] = N_("a socket type (SOCK_STREAM, SOCK_DGRAM)"),
	[ARG_PROTOCOL] = N_("a protocol (0, IPPROTO_TCP, IPPROTO_UDP)"),
	[ARG_ADDRESS] = N_("an address (127.0.0.1:65432, [::1]:65432, *:65432, /path.sock)"),
	[ARG_BYTES] = N_("bytes in double quotes (\"Hello, world\")"),
	[ARG_HOW] = N_("SHUT_RD, SHUT_WR or SHUT_RDWR"),
	[ARG_LEVEL] = N_("an option level (SOL_SOCKET, IPPROTO_TCP, IPPROTO_IPV6)"),
	[ARG_OPTION] = N_("a socket option (SO_REUSEADDR, SO_LINGER, TCP_NODELAY, ...)"),
	[ARG_MSG_FLAGS] = N_("message flags (0, MSG_PEEK, MSG_DONTWAIT, ...)"),
	[ARG_FCNTL_CMD] = N_("F_GETFL or F_SETFL"),
	[ARG_FILE_FLAGS] = N_("file flags (O_NONBLOCK or 0)"),
	[ARG_PATH] = N_("a path (./echo.sock, /tmp/echo.sock)"),
	[ARG_EPOLL_OP] = N_("EPOLL_CTL_ADD, EPOLL_CTL_MOD or EPOLL_CTL_DEL"),
	[ARG_EPOLL_EVENTS] = N_("epoll events (EPOLLIN, EPOLLOUT, EPOLLET, ...)"),
	[ARG_SIDE] = N_("a side of the lesson (sides: server worker client)"),
};
_Static_assert(sizeof arg_kind_names / sizeof arg_kind_names[0] == ARG_KIND_COUNT,
	       "every kind named");

static bool name_equals(const char *name, const char *text, size_t len)
{
	return strlen(name) == len && memcmp(name, text, len) == 0;
}

const struct call_def *catalog_find_call(const char *name, size_t len)
{
	for (size_t i = 0; i < CALL_COUNT; i++)
		if (name_equals(catalog_calls[i].name, name, len))
			return &catalog_calls[i];
	return NULL;
}

/* Damerau-free Levenshtein distance, bounded to short names. */
static size_t edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t row[32];
	if (alen >= 31 || blen >= 31)
		return (size_t)-1;
	for (size_t j = 0; j <= blen; j++)
		row[j] = j;
	for (size_t i = 1; i <= alen; i++) {
		size_t diagonal = row[0];
		row[0] = i;
		for (size_t j = 1; j <= blen; j++) {
			size_t above = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diagonal + cost;
			if (above + 1 < best)
				best = above + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diagonal = above;
		}
	}
	return row[blen];
}

const char *catalog_suggest_call(const char *name, size_t len)
{
	const char *best = NULL;
	size_t best_distance = 3; /* suggest only within two edits */
	for (size_t i = 0; i < CALL_COUNT; i++) {
		const char *candidate = catalog_calls[i].name;
		if (catalog_calls[i].program_only)
			continue;   /* a lesson cannot write it: "sendmsg" is no typo of sendmmsg */
		size_t distance = edit_distance(name, len, candidate, strlen(candidate));
		if (distance < best_distance) {
			best_distance = distance;
			best = candidate;
		}
	}
	return best;
}

const struct constant_def *catalog_find_constant(enum arg_kind kind, const char *name, size_t len)
{
	for (size_t i = 0; i < catalog_constant_count; i++)
		if (catalog_constants[i].kind == kind
		    && name_equals(catalog_constants[i].name, name, len))
			return &catalog_constants[i];
	return NULL;
}

const struct constant_def *catalog_find_any_constant(const char *name, size_t len)
{
	for (size_t i = 0; i < catalog_constant_count; i++)
		if (name_equals(catalog_constants[i].name, name, len))
			return &catalog_constants[i];
	return NULL;
}

const char *catalog_constant_name(enum arg_kind kind, long value)
{
	for (size_t i = 0; i < catalog_constant_count; i++)
		if (catalog_constants[i].kind == kind && catalog_constants[i].value == value)
			return catalog_constants[i].name;
	return NULL;
}

const char *catalog_errno_name(int err)
{
	if (err <= 0 || (size_t)err >= sizeof errno_names / sizeof errno_names[0])
		return NULL;
	return errno_names[err];
}

int catalog_errno_value(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof errno_names / sizeof errno_names[0]; i++)
		if (errno_names[i] && name_equals(errno_names[i], name, len))
			return (int)i;
	if (name_equals("EWOULDBLOCK", name, len))
		return EWOULDBLOCK;
	return -1;
}

const char *catalog_arg_kind_name(enum arg_kind kind)
{
	return kind < ARG_KIND_COUNT ? _(arg_kind_names[kind]) : "?";
}
