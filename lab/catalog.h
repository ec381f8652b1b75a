/* catalog — the calls, constants and errno names the lab knows.
 *
 * A call is one row: its name, the kinds of its arguments, how its result
 * reads, the system call it may sleep in, and the tutorial's Python for it.
 * The lesson parser, the puppet, the frontends' help and the trace all read
 * these rows. Three tables are still indexed by call elsewhere: the
 * puppet's runners, the quiz's answers and the tracer's system calls
 * (syscalls.c); tests/test_catalog.c fails when a call lacks a row there.
 * A program-only call (socketpair, sendmmsg, recvmmsg) needs a tracer's
 * row only: a lesson cannot write it, so it has no runner and no answers.
 * Constants (AF_*, SOCK_*, SHUT_*, MSG_*, SOL_* and SO_*, ...) and errno
 * names are rows too.
 */
#ifndef SOCKLAB_CATALOG_H
#define SOCKLAB_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

enum call_id {
	CALL_SOCKET,
	CALL_BIND,
	CALL_LISTEN,
	CALL_ACCEPT,
	CALL_CONNECT,
	CALL_SEND,
	CALL_SENDALL,
	CALL_RECV,
	CALL_SENDTO,
	CALL_RECVFROM,
	CALL_SHUTDOWN,
	CALL_CLOSE,
	CALL_SETSOCKOPT,
	CALL_GETSOCKOPT,
	CALL_GETSOCKNAME,
	CALL_GETPEERNAME,
	CALL_FCNTL,
	CALL_UNLINK,
	CALL_POLL,
	CALL_SELECT,
	CALL_EPOLL_CREATE,
	CALL_EPOLL_CTL,
	CALL_EPOLL_WAIT,
	CALL_RELEASE,
	CALL_DROP,
	CALL_FORK,
	CALL_SOCKETPAIR,
	CALL_SENDMMSG,
	CALL_RECVMMSG,
	CALL_COUNT
};

/* What an argument may be written as. */
enum arg_kind {
	ARG_SOCKET,     /* a name given by an earlier step ("ls"), or an fd number */
	ARG_INT,        /* a decimal number, possibly negative */
	ARG_FAMILY,     /* AF_INET, AF_INET6, AF_UNIX, AF_UNSPEC, or a number */
	ARG_TYPE,       /* SOCK_STREAM, SOCK_DGRAM, ... | SOCK_NONBLOCK, or a number */
	ARG_PROTOCOL,   /* 0, IPPROTO_TCP, IPPROTO_UDP, or a number */
	ARG_ADDRESS,    /* 127.0.0.1:65432, [::1]:65432, *:65432, [::]:0, ./echo.sock (in the lab's
	                   private directory), /path.sock, @abstract */
	ARG_BYTES,      /* "text" with C escapes: \n \t \\ \" \xHH */
	ARG_HOW,        /* SHUT_RD, SHUT_WR, SHUT_RDWR */
	ARG_LEVEL,      /* SOL_SOCKET, IPPROTO_TCP, IPPROTO_IPV6 */
	ARG_OPTION,     /* SO_REUSEADDR, SO_LINGER, TCP_NODELAY, IPV6_V6ONLY, ... */
	ARG_MSG_FLAGS,  /* 0, MSG_PEEK | MSG_DONTWAIT | ... */
	ARG_FCNTL_CMD,  /* F_GETFL, F_SETFL */
	ARG_FILE_FLAGS, /* O_NONBLOCK, 0 */
	ARG_PATH,       /* a file path: /tmp/echo.sock */
	ARG_EPOLL_OP,   /* EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL */
	ARG_EPOLL_EVENTS, /* EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP ... */
	ARG_SIDE,       /* a side the lesson declares: fork()'s child becomes it */
	ARG_KIND_COUNT
};

/* How a successful result reads. */
enum result_kind {
	RESULT_ZERO,     /* 0 on success */
	RESULT_FD,       /* a new file descriptor */
	RESULT_SENT,     /* a byte count queued */
	RESULT_RECEIVED, /* a byte count, with the bytes (0: the peer closed) */
	RESULT_ADDRESS,  /* 0, with an address filled in */
	RESULT_VALUE,    /* 0 or a value, with an option value filled in */
	RESULT_READY,    /* how many fds are ready, and which, with their events */
	RESULT_MESSAGES, /* how many messages went (sendmmsg) or came (recvmmsg),
	                    with their bytes */
};

#define CALL_MAX_ARGS 5

struct call_def {
	const char *name;
	enum call_id id;
	unsigned char min_args, max_args;
	enum arg_kind args[CALL_MAX_ARGS];
	enum result_kind result;
	bool names_result;       /* `x = call(...)` gives the result fd a name */
	bool may_block;          /* the kernel may put the caller to sleep */
	bool wire;               /* not a system call: the side's oldest held segment goes on
	                            (release) or is lost (drop), in a lesson with `wire: hold` */
	bool may_wake;           /* it may wake a call asleep in another process (a connect wakes
	                            an accept, a send wakes a recv, a recv makes room for a send) */
	bool program_only;       /* shown when a traced program makes it (socklab step), never
	                            written in a lesson: an argument has no form in the lesson's
	                            grammar (an fd pair, a vector of messages), so no
	                            puppet runs it */
	long blocking_syscall;   /* the syscall number it sleeps in (x86-64/aarch64 via
	                            <sys/syscall.h>) */
	const char *usage;       /* "bind(sock, address)" */
	const char *python;      /* "s.bind((HOST, PORT))" */
	const char *summary;     /* one line for help screens */
};

extern const struct call_def catalog_calls[CALL_COUNT];

/* The row named `name`, or NULL. */
const struct call_def *catalog_find_call(const char *name, size_t len);

/* The closest name of a call a lesson may write (not program-only) within a
 * small edit distance, or NULL: "did you mean". */
const char *catalog_suggest_call(const char *name, size_t len);

/* A named constant: which argument kinds accept it and its value. */
struct constant_def {
	const char *name;
	enum arg_kind kind;
	long value;
};

extern const struct constant_def catalog_constants[];
extern const size_t catalog_constant_count;

/* The constant of kind `kind` named `name`, or NULL. */
const struct constant_def *catalog_find_constant(enum arg_kind kind, const char *name, size_t len);
/* Any constant of any kind named `name` (to say "X is a ..., not a ..."), or NULL. */
const struct constant_def *catalog_find_any_constant(const char *name, size_t len);
/* The name of `value` as a constant of `kind`, or NULL. */
const char *catalog_constant_name(enum arg_kind kind, long value);

struct readiness_name {
	unsigned bit;
	const char *name;
};
extern const struct readiness_name catalog_readiness[];
extern const size_t catalog_readiness_count;

/* "EADDRINUSE", or NULL for an errno the lab does not know by name. */
const char *catalog_errno_name(int err);
/* The errno named `name` (e.g. "ECONNREFUSED"), or -1. */
int catalog_errno_value(const char *name, size_t len);

/* "a socket name", "an address", ...: for messages. */
const char *catalog_arg_kind_name(enum arg_kind kind);

#endif
